/** Behaviour suite of the key commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReplyError } from "../../mod.ts";
import type { Target } from "../_targets.ts";
import { bytes, useStores } from "./_stores.ts";

/**
 * Declares the key-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function keySuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("keys", () => {
    it("del() counts only the keys that existed", async () => {
      await s.plain.mset({ "del:a": 1, "del:b": 2 });
      assert.equal(await s.plain.del("del:a", "del:b", "del:missing"), 2);
      assert.equal(await s.plain.exists("del:a", "del:b"), 0);
    });

    it("unlink() deletes like del()", async () => {
      await s.plain.set("unlink:a", 1);
      assert.equal(await s.plain.unlink("unlink:a", "unlink:missing"), 1);
      assert.equal(await s.plain.get("unlink:a"), null);
    });

    it("exists() counts repeated keys each time", async () => {
      await s.plain.set("exists:a", 1);
      assert.equal(await s.plain.exists("exists:a", "exists:a", "exists:missing"), 2);
    });

    it("type() names every type and 'none'", async () => {
      await s.plain.set("type:string", "v");
      await s.plain.rpush("type:list", "v");
      await s.plain.sadd("type:set", "v");
      await s.plain.zadd("type:zset", 1, "v");
      await s.plain.hset("type:hash", "f", "v");
      assert.deepEqual(
        await Promise.all(
          ["string", "list", "set", "zset", "hash", "missing"].map((t) =>
            s.plain.type(`type:${t}`)
          ),
        ),
        ["string", "list", "set", "zset", "hash", "none"],
      );
    });

    it("keys() matches a pattern", async () => {
      await s.plain.mset({ "kp:1": "a", "kp:2": "b", "kq:1": "c" });
      assert.deepEqual((await s.plain.keys("kp:*")).sort(), ["kp:1", "kp:2"]);
      assert.deepEqual(await s.plain.keys("kp:?x"), []);
    });

    it("keys() with a namespace only sees and strips the namespace", async () => {
      await s.ns.mset({ "nk:a": 1, "nk:b": 2 });
      await s.plain.set("nk:c", 3);
      assert.deepEqual((await s.ns.keys("nk:*")).sort(), ["nk:a", "nk:b"]);
      assert.deepEqual((await s.plain.keys("ns:nk:*")).sort(), ["ns:nk:a", "ns:nk:b"]);
      assert.deepEqual(await s.plain.keys("nk:*"), ["nk:c"]);
    });

    it("keys() escapes glob characters of the namespace", async () => {
      const star = target().store({ db: 1, protocol, namespace: "g*:" });
      await star.set("k", 1);
      await s.plain.set("gx:k", 2);
      assert.deepEqual(await star.keys("*"), ["k"]);
      assert.equal(await s.plain.get("g*:k"), "1");
    });

    it("randomkey() returns the only key, without the namespace", async () => {
      const db3 = target().store({ db: 3, protocol });
      const ns3 = target().store({ db: 3, protocol, namespace: "ns:" });
      await db3.flushdb();
      assert.equal(await db3.randomkey(), null);
      await ns3.set("only", 1);
      assert.equal(await ns3.randomkey(), "only");
      assert.equal(await db3.randomkey(), "ns:only");
    });

    it("rename() moves the value; a missing key is a ReplyError", async () => {
      await s.plain.set("rename:a", "v");
      assert.equal(await s.plain.rename("rename:a", "rename:b"), "OK");
      assert.equal(await s.plain.get("rename:b"), "v");
      await assert.rejects(s.plain.rename("rename:missing", "rename:c"), ReplyError);
    });

    it("renamenx() refuses an existing destination", async () => {
      await s.plain.mset({ "rnx:a": "1", "rnx:b": "2" });
      assert.equal(await s.plain.renamenx("rnx:a", "rnx:b"), false);
      assert.equal(await s.plain.renamenx("rnx:a", "rnx:c"), true);
      assert.deepEqual(await s.plain.mget("rnx:a", "rnx:b", "rnx:c"), [null, "2", "1"]);
    });

    it("move() moves a key to another database", async () => {
      const db2 = target().store({ db: 2, protocol });
      await db2.del("move:a");
      await s.plain.set("move:a", "v");
      assert.equal(await s.plain.move("move:a", 2), true);
      assert.equal(await s.plain.move("move:a", 2), false);
      assert.equal(await db2.get("move:a"), "v");
      assert.throws(() => s.plain.move("move:a", -1), RangeError);
    });

    it("copy() copies, with replace and to another database", async () => {
      const db2 = target().store({ db: 2, protocol });
      await db2.del("copy:b");
      await s.plain.mset({ "copy:a": "1", "copy:b": "2" });
      assert.equal(await s.plain.copy("copy:a", "copy:b"), false);
      assert.equal(await s.plain.copy("copy:a", "copy:b", { replace: true }), true);
      assert.equal(await s.plain.get("copy:b"), "1");
      assert.equal(await s.plain.copy("copy:a", "copy:b", { db: 2 }), true);
      assert.equal(await db2.get("copy:b"), "1");
    });

    it("expire() and ttl() / pttl()", async () => {
      await s.plain.set("exp:a", 1);
      assert.equal(await s.plain.ttl("exp:a"), -1);
      assert.equal(await s.plain.ttl("exp:missing"), -2);
      assert.equal(await s.plain.pttl("exp:missing"), -2);
      assert.equal(await s.plain.expire("exp:a", 100), true);
      assert.equal(await s.plain.ttl("exp:a"), 100);
      assert.equal(await s.plain.expire("exp:missing", 100), false);
      const pttl = await s.plain.pttl("exp:a");
      assert.ok(pttl > 98_000 && pttl <= 100_000, String(pttl));
    });

    it("expire() honours nx / xx / gt / lt", async () => {
      await s.plain.set("expc:a", 1);
      assert.equal(await s.plain.expire("expc:a", 100, { xx: true }), false);
      assert.equal(await s.plain.expire("expc:a", 100, { nx: true }), true);
      assert.equal(await s.plain.expire("expc:a", 200, { nx: true }), false);
      assert.equal(await s.plain.expire("expc:a", 50, { gt: true }), false);
      assert.equal(await s.plain.expire("expc:a", 300, { gt: true }), true);
      assert.equal(await s.plain.expire("expc:a", 400, { lt: true }), false);
      assert.equal(await s.plain.expire("expc:a", 10, { lt: true }), true);
      assert.equal(await s.plain.ttl("expc:a"), 10);
    });

    it("pexpire() sets milliseconds", async () => {
      await s.plain.set("pexp:a", 1);
      assert.equal(await s.plain.pexpire("pexp:a", 5000), true);
      const pttl = await s.plain.pttl("pexp:a");
      assert.ok(pttl > 4000 && pttl <= 5000, String(pttl));
      assert.equal(await s.plain.ttl("pexp:a"), 5);
    });

    it("expireat() / pexpireat() take Unix times or Dates; expiretime() reads them back", async () => {
      await s.plain.mset({ "expat:a": 1, "expat:b": 2, "expat:c": 3 });
      const seconds = Math.floor(Date.now() / 1000) + 1000;
      assert.equal(await s.plain.expireat("expat:a", seconds), true);
      assert.equal(await s.plain.expiretime("expat:a"), seconds);
      assert.equal(await s.plain.expireat("expat:b", new Date(seconds * 1000 + 999)), true);
      assert.equal(await s.plain.expiretime("expat:b"), seconds);
      const ms = Date.now() + 1_000_000;
      assert.equal(await s.plain.pexpireat("expat:c", new Date(ms)), true);
      assert.equal(await s.plain.pexpiretime("expat:c"), ms);
      assert.equal(await s.plain.expiretime("expat:missing"), -2);
      assert.throws(() => s.plain.expireat("expat:a", new Date(NaN)), RangeError);
    });

    it("persist() removes the expiry", async () => {
      await s.plain.set("persist:a", 1, { ex: 100 });
      assert.equal(await s.plain.persist("persist:a"), true);
      assert.equal(await s.plain.persist("persist:a"), false);
      assert.equal(await s.plain.ttl("persist:a"), -1);
      assert.equal(await s.plain.pexpiretime("persist:a"), -1);
    });

    it("touch() counts existing keys", async () => {
      await s.plain.set("touch:a", 1);
      assert.equal(await s.plain.touch("touch:a", "touch:missing"), 1);
    });

    it("expire() rejects a fractional duration before sending", () => {
      assert.throws(() => s.plain.expire("x", 1.5), RangeError);
      assert.throws(() => s.plain.pexpire("x", NaN), /milliseconds NaN/);
    });

    it("dump() and restore() round-trip a value as bytes", async () => {
      await s.plain.rpush("dump:a", "x", "y");
      const data = await s.plain.dump("dump:a");
      assert.ok(data instanceof Uint8Array && data.length > 0);
      assert.equal(await s.plain.dump("dump:missing"), null);
      assert.equal(await s.plain.restore("dump:b", 0, data), "OK");
      assert.deepEqual(await s.plain.lrange("dump:b", 0, -1), ["x", "y"]);
      await assert.rejects(s.plain.restore("dump:b", 0, data), (error: unknown) => {
        assert.ok(error instanceof ReplyError);
        assert.equal(error.code, "BUSYKEY");
        return true;
      });
      assert.equal(await s.plain.restore("dump:b", 5000, data, { replace: true }), "OK");
      const pttl = await s.plain.pttl("dump:b");
      assert.ok(pttl > 4000 && pttl <= 5000, String(pttl));
    });

    it("objectEncoding() / objectRefcount() / objectIdletime()", async () => {
      await s.plain.mset({ "obj:int": 123, "obj:str": "hello" });
      assert.equal(await s.plain.objectEncoding("obj:int"), "int");
      assert.equal(await s.plain.objectEncoding("obj:str"), "embstr");
      assert.equal(await s.plain.objectEncoding("obj:missing"), null);
      assert.equal(typeof await s.plain.objectRefcount("obj:str"), "number");
      assert.equal(await s.plain.objectRefcount("obj:missing"), null);
      assert.equal(await s.plain.objectIdletime("obj:str"), 0);
    });

    it("sort() sorts numbers, text, windows and stores", async () => {
      await s.plain.rpush("sort:n", 10, 2, 33, 1);
      assert.deepEqual(await s.plain.sort("sort:n"), ["1", "2", "10", "33"]);
      assert.deepEqual(
        await s.plain.sort("sort:n", { order: "desc", limit: { offset: 1, count: 2 } }),
        [
          "10",
          "2",
        ],
      );
      await s.plain.rpush("sort:t", "bob", "ann", "cid");
      assert.deepEqual(await s.plain.sort("sort:t", { alpha: true }), ["ann", "bob", "cid"]);
      assert.equal(await s.plain.sort("sort:t", { alpha: true, store: "sort:out" }), 3);
      assert.deepEqual(await s.plain.lrange("sort:out", 0, -1), ["ann", "bob", "cid"]);
    });

    it("sort() applies the namespace to by and get patterns", async () => {
      await s.ns.rpush("sortns:ids", 1, 2, 3);
      await s.ns.mset({ "w_1": 30, "w_2": 10, "w_3": 20, "name_1": "a", "name_2": "b" });
      assert.deepEqual(await s.ns.sort("sortns:ids", { by: "w_*" }), ["2", "3", "1"]);
      assert.deepEqual(await s.ns.sort("sortns:ids", { by: "w_*", get: ["#", "name_*"] }), [
        "2",
        "b",
        "3",
        null,
        "1",
        "a",
      ]);
    });

    it("binary keys are kept byte for byte, also under a namespace", async () => {
      const key = new Uint8Array([0xff, 0x00, 0x80, 0x41]);
      await s.plain.set(key, "bin");
      assert.equal(await s.plain.get(key), "bin");
      assert.equal(await s.plain.exists(key), 1);
      await s.ns.set(key, "nsbin");
      const prefixed = new Uint8Array([...bytes("ns:"), ...key]);
      assert.equal(await s.plain.get(prefixed), "nsbin");
      assert.equal(await s.plain.del(key, prefixed), 2);
    });

    it("the namespace applies to every key argument", async () => {
      await s.ns.set("nsk:a", "1");
      assert.equal(await s.plain.get("ns:nsk:a"), "1");
      assert.equal(await s.ns.rename("nsk:a", "nsk:b"), "OK");
      assert.equal(await s.plain.get("ns:nsk:b"), "1");
      assert.equal(await s.ns.copy("nsk:b", "nsk:c"), true);
      assert.deepEqual((await s.plain.keys("ns:nsk:*")).sort(), ["ns:nsk:b", "ns:nsk:c"]);
    });
  });
}
