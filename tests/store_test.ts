import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  Command,
  createStore,
  dataStores,
  RedisStore,
  registerStore,
  RemoteStore,
  Store,
} from "../mod.ts";
import { resolveOptions } from "../src/redis/options.ts";

describe("createStore", () => {
  it("createStore() keeps the seed's example exactly", () => {
    const store = createStore("redis://user:password@127.0.0.1:6500/11");
    assert.equal(store.name, "redis");
    assert.equal(store.database, 11);
    assert.equal(store.dns, "redis://user:password@127.0.0.1:6500/11");
    const namespaced = createStore("redis://user:password@127.0.0.1:6500/11", {
      namespace: "test_",
    });
    assert.ok(namespaced.dns.endsWith("/11?namespace=test_"), namespaced.dns);
    assert.equal(namespaced.namespace, "test_");
  });

  it("createStore() round-trips dns", () => {
    for (
      const text of [
        "redis://127.0.0.1:6379",
        "redis://:pw@[::1]:7000/4?namespace=a_&timeout=100",
        "pulsar://127.0.0.1:0/3",
        "redis+unix:///tmp/redis.sock?db=5",
      ]
    ) {
      const store = createStore(text);
      assert.equal(createStore(store.dns).dns, store.dns);
    }
  });

  it("createStore() defaults: utf-8 encoding, database 0, empty namespace", () => {
    const store = createStore("redis://localhost");
    assert.equal(store.encoding, "utf-8");
    assert.equal(store.database, 0);
    assert.equal(store.namespace, "");
    assert.equal(store.host, "localhost");
    assert.equal(store.port, 6379);
  });

  it("createStore() lets options override the URL", () => {
    const store = createStore("redis://localhost/1?namespace=a_", {
      namespace: "b_",
      database: 4,
    });
    assert.equal(store.namespace, "b_");
    assert.equal(store.database, 4);
  });

  it("createStore() returns the same store when given one", () => {
    const store = createStore("redis://localhost");
    assert.equal(createStore(store), store);
  });

  it("createStore() returns a RemoteStore of the redis kind", () => {
    const store = createStore("redis://localhost");
    assert.ok(store instanceof RedisStore);
    assert.ok(store instanceof RemoteStore);
    assert.ok(store instanceof Store);
    assert.equal(createStore("pulsar://localhost").name, "pulsar");
  });

  it("createStore() names the unknown scheme and the registered ones", () => {
    assert.throws(() => createStore("nosuch://h"), (error: Error) => {
      assert.equal(error.name, "TypeError");
      assert.match(error.message, /unknown scheme "nosuch"/);
      assert.match(error.message, /"redis"/);
      assert.match(error.message, /"pulsar"/);
      return true;
    });
  });

  it("createStore() keeps the password out of String() and inspect()", () => {
    const store = createStore("redis://user:hunter2@127.0.0.1:6500/11");
    assert.ok(!String(store).includes("hunter2"));
    assert.ok(String(store).includes("user:***@"));
    assert.ok(!inspect(store).includes("hunter2"), inspect(store));
  });
});

describe("registerStore", () => {
  it("registerStore() adds a scheme to dataStores", () => {
    registerStore("dummy", (url, options) => new Store("dummy", url, options));
    assert.ok(dataStores.has("dummy"));
    const store = createStore("dummy://localhost:1/2");
    assert.equal(store.name, "dummy");
    assert.equal(store.database, 2);
  });

  it("dataStores is read-only", () => {
    assert.equal(typeof (dataStores as unknown as { set?: unknown }).set, "undefined");
    assert.ok(dataStores.has("redis"));
    assert.ok([...dataStores.keys()].includes("pulsar"));
  });

  it("registerStore() rejects invalid schemes", () => {
    assert.throws(() => registerStore("1bad", () => createStore("redis://h")), TypeError);
  });
});

describe("Store", () => {
  it("Store default hooks: createDatabase/deleteDatabase resolve, encodeBytes is identity", async () => {
    const store = createStore("redis://localhost");
    await store.createDatabase("x");
    await store.deleteDatabase("x");
    const bytes = new Uint8Array([1, 2]);
    assert.equal(store.encodeBytes(bytes), bytes);
    assert.equal(store.hasQuery("filter"), false);
    await assert.rejects(store.createTable({}), /does not support/);
  });

  it("Command keeps args and action", () => {
    const command = new Command(["a"], Command.DELETE);
    assert.deepEqual(command.args, ["a"]);
    assert.equal(command.action, Command.DELETE);
    assert.equal(new Command([]).action, Command.INSERT);
  });

  it("createStore() does not connect", async () => {
    const store = createStore("redis://127.0.0.1:1");
    await store.close();
  });
});

describe("resolveOptions", () => {
  it("resolveOptions() applies explicit options over the URL over the defaults", () => {
    const defaults = resolveOptions(createStore("redis://h").options);
    assert.deepEqual(defaults, {
      protocol: 3,
      clientName: undefined,
      timeout: undefined,
      connectTimeout: 10_000,
      reconnect: { retries: 10, minDelay: 50, maxDelay: 2000 },
      maxOfflineCommands: 100_000,
      healthCheck: 30_000,
      resendReadOnly: false,
      captureStack: false,
    });
    const fromUrl = createStore(
      "redis://h?protocol=2&timeout=50&connectTimeout=7&healthCheck=0&reconnect=false&clientName=w",
    );
    const resolvedUrl = resolveOptions(fromUrl.options);
    assert.equal(resolvedUrl.protocol, 2);
    assert.equal(resolvedUrl.timeout, 50);
    assert.equal(resolvedUrl.connectTimeout, 7);
    assert.equal(resolvedUrl.healthCheck, 0);
    assert.equal(resolvedUrl.reconnect, false);
    assert.equal(resolvedUrl.clientName, "w");
    const explicit = createStore("redis://h?timeout=50&maxOfflineCommands=5", {
      timeout: 9,
    });
    const resolved = resolveOptions(explicit.options, { retries: 1 });
    assert.equal(resolved.timeout, 9);
    assert.equal(resolved.maxOfflineCommands, 5);
    assert.deepEqual(resolved.reconnect, { retries: 1, minDelay: 50, maxDelay: 2000 });
  });
});
