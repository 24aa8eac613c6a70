/** Behaviour suite of the connection and server commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { useStores } from "./_stores.ts";

/**
 * Declares the server-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function serverSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("server", () => {
    it("echo() returns its argument", async () => {
      assert.equal(await s.plain.echo("héllo"), "héllo");
      assert.equal(await s.plain.echo(12), "12");
    });

    it("dbsize() / flushdb() count and clear every namespace of the database", async () => {
      const db5 = target().store({ db: 5, protocol });
      const ns5 = target().store({ db: 5, protocol, namespace: "x:" });
      assert.equal(await db5.flushdb(), "OK");
      await db5.mset({ a: 1, b: 2 });
      await ns5.set("c", 3);
      assert.equal(await db5.dbsize(), 3);
      assert.equal(await ns5.dbsize(), 3);
      assert.equal(await ns5.flushdb({ async: true }), "OK");
      assert.equal(await db5.dbsize(), 0);
      assert.equal(await db5.flushdb({ async: false }), "OK");
    });

    it("flush() on a namespaced store removes only that namespace, over many SCAN pages", async () => {
      const db6 = target().store({ db: 6, protocol });
      const app = target().store({ db: 6, protocol, namespace: "app:*[" });
      await db6.flushdb();
      // More keys than one SCAN page (1000), text and binary, plus keys that
      // a glob without escaping would also match.
      const entries: [string, string][] = [];
      for (let i = 0; i < 2500; i++) entries.push([`k${i}`, "v"]);
      await app.mset(entries);
      await app.set(new Uint8Array([0xff, 0, 1]), "binary");
      await db6.mset({ "other:1": "kept", "app:x": "kept", "app:*": "kept", "appx:1": "kept" });
      assert.equal(await db6.dbsize(), 2505);
      await app.flush();
      assert.equal(await app.exists("k0", "k2499", new Uint8Array([0xff, 0, 1])), 0);
      assert.deepEqual((await db6.keys("*")).sort(), ["app:*", "app:x", "appx:1", "other:1"]);
      await db6.flush(); // no namespace: FLUSHDB
      assert.equal(await db6.dbsize(), 0);
    });

    it("info() parses sections; infoText() returns the text", async () => {
      await s.plain.set("info:k", 1);
      const info = await s.plain.info();
      assert.match(info.server.redis_version, /^\d+\.\d+\.\d+/);
      assert.match(info.keyspace.db1, /^keys=\d+,expires=\d+/);
      const only = await s.plain.info("server");
      assert.deepEqual(Object.keys(only), ["server"]);
      assert.equal(only.server.redis_version, info.server.redis_version);
      const both = await s.plain.info("server", "clients");
      assert.deepEqual(Object.keys(both), ["server", "clients"]);
      const text = await s.plain.infoText("server");
      assert.ok(text.startsWith("# Server\r\n"), text.slice(0, 20));
      assert.ok(text.includes(`redis_version:${info.server.redis_version}\r\n`));
    });

    it("time() returns seconds and microseconds of the server clock", async () => {
      const [seconds, microseconds] = await s.plain.time();
      assert.ok(Math.abs(seconds - Date.now() / 1000) < 5, String(seconds));
      assert.ok(Number.isInteger(microseconds) && microseconds >= 0 && microseconds < 1e6);
    });

    it("save() / lastsave() / bgsave()", async () => {
      assert.equal(await s.plain.save(), "OK");
      const last = await s.plain.lastsave();
      assert.ok(Math.abs(last - Date.now() / 1000) < 5, String(last));
      assert.equal(await s.plain.bgsave({ schedule: true }), "Background saving started");
    });

    it("configGet() / configSet() read and write parameters", async () => {
      assert.deepEqual(await s.plain.configGet("maxmemory-policy"), {
        "maxmemory-policy": "noeviction",
      });
      assert.equal(await s.plain.configSet("maxmemory-policy", "allkeys-lru"), "OK");
      assert.equal(
        await s.plain.configSet({ "maxmemory-policy": "noeviction", "hz": 10 }),
        "OK",
      );
      assert.deepEqual(await s.plain.configGet("maxmemory-policy", "hz"), {
        "maxmemory-policy": "noeviction",
        hz: "10",
      });
      assert.deepEqual(await s.plain.configGet("no-such-parameter-*"), {});
    });

    it("objectFreq() works under an LFU policy", async () => {
      await s.plain.configSet("maxmemory-policy", "allkeys-lfu");
      try {
        await s.plain.set("freq:k", 1);
        assert.equal(typeof await s.plain.objectFreq("freq:k"), "number");
        assert.equal(await s.plain.objectFreq("freq:missing"), null);
      } finally {
        await s.plain.configSet("maxmemory-policy", "noeviction");
      }
    });

    it("client commands name and describe the shared connection", async () => {
      const store = target().store({ db: 1, protocol });
      assert.equal(await store.clientGetname(), null);
      assert.equal(await store.clientSetname("suite-conn"), "OK");
      assert.equal(await store.clientGetname(), "suite-conn");
      const id = await store.clientId();
      assert.ok(Number.isInteger(id) && id > 0);
      const info = await store.clientInfo();
      assert.equal(info.id, String(id));
      assert.equal(info.name, "suite-conn");
      assert.equal(info.db, "1");
      assert.equal(info.resp, String(protocol));
      const list = await store.clientList();
      const mine = list.find((client) => client.id === String(id));
      assert.equal(mine?.name, "suite-conn");
      assert.ok(list.length >= 2);
    });

    it("the clientName option names the connection", async () => {
      const store = target().store({ db: 1, protocol, clientName: "named-by-option" });
      assert.equal(await store.clientGetname(), "named-by-option");
    });

    it("publish() counts receivers and namespaces the channel", async () => {
      assert.equal(await s.plain.publish("nobody-listens", "hi"), 0);
      const pubsub = s.ns.pubsub();
      try {
        const subscription = await pubsub.subscribe("room");
        assert.equal(await s.plain.publish("ns:room", "a"), 1);
        assert.equal(await s.ns.publish("room", "b"), 1);
        assert.equal(await s.plain.publish("room", "c"), 0);
        const received: string[] = [];
        for await (const { message } of subscription) {
          received.push(String(message));
          if (received.length === 2) break;
        }
        assert.deepEqual(received, ["a", "b"]);
      } finally {
        await pubsub.close();
      }
    });

    it("commandCount() counts the server's commands", async () => {
      const count = await s.plain.commandCount();
      assert.ok(count > 150, String(count));
    });

    it("there is no select(): the database comes from the URL", () => {
      assert.equal("select" in s.plain, false);
      assert.equal(s.plain.database, 1);
    });

    it("flushall() clears every database", async () => {
      const db6 = target().store({ db: 6, protocol });
      await db6.set("a", 1);
      await s.plain.set("flushall:k", 1);
      assert.equal(await s.plain.flushall({ async: true }), "OK");
      assert.equal(await db6.dbsize(), 0);
      assert.equal(await s.plain.dbsize(), 0);
    });
  });
}
