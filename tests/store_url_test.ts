/**
 * Connection strings as stores see them: no password in messages, `dns`
 * round trips (src/url.ts), and the identity of views made by store.with().
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStore, parseStoreUrl, type RedisStore } from "../mod.ts";

describe("connection strings", () => {
  it("parseStoreUrl() never puts a password with '#' in its error message", () => {
    assert.throws(
      () => parseStoreUrl("redis://user:se#cret@127.0.0.1:6379/0"),
      (error: Error) => {
        assert.equal(error.name, "TypeError");
        assert.ok(!error.message.includes("cret"), `leaked: ${error.message}`);
        return true;
      },
    );
  });

  it("parseStoreUrl() never puts a password with '?' or '/' in its error message", () => {
    for (const url of ["redis://user:pa?ss@127.0.0.1:6379", "redis://user:pa/ss@127.0.0.1:6379"]) {
      let message = "";
      try {
        createStore(url);
      } catch (error) {
        message = (error as Error).message;
      }
      assert.ok(!/pa.?ss/.test(message), `leaked: ${message}`);
    }
  });

  it("invalid percent-encoding in the database is a TypeError, not a URIError", () => {
    assert.throws(() => parseStoreUrl("redis://127.0.0.1:6379/%zz"), TypeError);
  });

  it("createStore(store.dns).dns === store.dns for a unix path with an encoded '?'", () => {
    const store = createStore("redis+unix:///tmp/a%3Fb.sock?db=2");
    assert.equal(createStore(store.dns).dns, store.dns);
    assert.equal(parseStoreUrl(store.dns).path, "/tmp/a?b.sock");
  });
});

describe("views made by with()", () => {
  it("a view has the store's dns and masked string form", () => {
    const store = createStore<RedisStore>("redis://user:pw@127.0.0.1:6379/2");
    const view = store.with({ timeout: 100 });
    assert.equal(view.dns, store.dns);
    assert.equal(String(view), String(store));
  });
});
