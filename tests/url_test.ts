import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildStoreUrl, maskUrl, parseStoreUrl } from "../mod.ts";

describe("parseStoreUrl", () => {
  it("parseStoreUrl() reads host, port, database, user and password", () => {
    const url = parseStoreUrl("redis://user:password@127.0.0.1:6500/11");
    assert.equal(url.scheme, "redis");
    assert.equal(url.host, "127.0.0.1");
    assert.equal(url.port, 6500);
    assert.equal(url.database, 11);
    assert.equal(url.user, "user");
    assert.equal(url.password, "password");
    assert.equal(url.tls, false);
  });

  it("parseStoreUrl() percent-decodes user and password", () => {
    const url = parseStoreUrl("redis://us%40er:p%3Ass%2Fw%40rd@localhost/0");
    assert.equal(url.user, "us@er");
    assert.equal(url.password, "p:ss/w@rd");
  });

  it("parseStoreUrl() accepts a password with no user", () => {
    const url = parseStoreUrl("redis://:secret@localhost");
    assert.equal(url.user, undefined);
    assert.equal(url.password, "secret");
  });

  it("parseStoreUrl() applies default ports", () => {
    assert.equal(parseStoreUrl("redis://localhost").port, 6379);
    assert.equal(parseStoreUrl("rediss://localhost").port, 6379);
    assert.equal(parseStoreUrl("pulsar://localhost").port, 6410);
  });

  it("parseStoreUrl() marks rediss as TLS", () => {
    assert.equal(parseStoreUrl("rediss://example.com:6380").tls, true);
  });

  it("parseStoreUrl() reads IPv6 literals without brackets", () => {
    const url = parseStoreUrl("redis://[::1]:7000/3");
    assert.equal(url.host, "::1");
    assert.equal(url.port, 7000);
    assert.equal(url.database, 3);
  });

  it("parseStoreUrl() reads unix socket URLs with db", () => {
    const url = parseStoreUrl("redis+unix:///var/run/redis.sock?db=2&timeout=100");
    assert.equal(url.path, "/var/run/redis.sock");
    assert.equal(url.database, 2);
    assert.deepEqual(url.params, { timeout: 100 });
    assert.equal(parseStoreUrl("unix:///tmp/r.sock").path, "/tmp/r.sock");
  });

  it("parseStoreUrl() types query parameters", () => {
    const url = parseStoreUrl("redis://h/0?timeout=250&flag=true&namespace=123&name=x");
    assert.deepEqual(url.params, { timeout: 250, flag: true, namespace: "123", name: "x" });
  });

  it("parseStoreUrl() rejects bad input with TypeErrors", () => {
    assert.throws(() => parseStoreUrl(""), { name: "TypeError", message: /empty/ });
    assert.throws(() => parseStoreUrl("localhost:6379"), { name: "TypeError", message: /scheme/ });
    assert.throws(() => parseStoreUrl("redis://h/0#frag"), {
      name: "TypeError",
      message: /fragment/,
    });
    assert.throws(() => parseStoreUrl("redis://h/abc"), {
      name: "TypeError",
      message: /database "abc" is not a non-negative integer/,
    });
    assert.throws(() => parseStoreUrl("redis://h/-1"), { name: "TypeError" });
  });

  it("parseStoreUrl() never puts the password in an error", () => {
    assert.throws(() => parseStoreUrl("redis://u:hunter2@h/x"), (error: Error) => {
      assert.ok(!error.message.includes("hunter2"), error.message);
      return true;
    });
  });
});

describe("buildStoreUrl", () => {
  it("buildStoreUrl() round-trips parseStoreUrl()", () => {
    for (
      const text of [
        "redis://user:password@127.0.0.1:6500/11",
        "redis://:p%40ss@[::1]:6379/0",
        "rediss://h:6380/2?namespace=app_",
        "redis+unix:///tmp/redis.sock?db=2",
      ]
    ) {
      assert.equal(buildStoreUrl(parseStoreUrl(text)), text);
    }
  });

  it("maskUrl() hides the password", () => {
    assert.equal(maskUrl("redis://u:secret@h:1/0"), "redis://u:***@h:1/0");
    assert.equal(maskUrl("redis://:secret@h"), "redis://:***@h");
    assert.equal(maskUrl("redis://h:1/0"), "redis://h:1/0");
  });
});
