/** Behaviour suite of the string commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReplyError } from "../../mod.ts";
import type { Target } from "../_targets.ts";
import { bytes, useStores } from "./_stores.ts";

/**
 * Declares the string-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function stringSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("strings", () => {
    it("get() returns null for a missing key", async () => {
      assert.equal(await s.plain.get("str:missing"), null);
      assert.equal(await s.plain.getBytes("str:missing"), null);
    });

    it("set() / get() round-trip text, numbers and unicode", async () => {
      assert.equal(await s.plain.set("str:text", "héllo wörld ✓"), "OK");
      assert.equal(await s.plain.get("str:text"), "héllo wörld ✓");
      await s.plain.set("str:int", 42);
      await s.plain.set("str:float", 1.5);
      await s.plain.set("str:big", 12345678901234567890n);
      assert.deepEqual(await s.plain.mget("str:int", "str:float", "str:big"), [
        "42",
        "1.5",
        "12345678901234567890",
      ]);
    });

    it("text that starts with a byte order mark keeps it", async () => {
      const text = "\uFEFFbom first";
      await s.plain.set("str:bom", text);
      assert.equal(await s.plain.get("str:bom"), text);
      await s.plain.set("str:bom-long", text + "x".repeat(100));
      assert.equal(await s.plain.get("str:bom-long"), text + "x".repeat(100));
      await s.plain.hset("str:bom-hash", { [text]: text });
      assert.deepEqual(await s.plain.hgetall("str:bom-hash"), { [text]: text });
    });

    it("getBytes() returns binary values byte for byte", async () => {
      const value = new Uint8Array([0, 255, 128, 10, 13, 0xc3]);
      await s.plain.set("str:bin", value);
      assert.deepEqual(await s.plain.getBytes("str:bin"), value);
      assert.deepEqual(await s.plain.getBytes("str:text-as-bytes"), null);
      await s.plain.set("str:utf8", "é");
      assert.deepEqual(await s.plain.getBytes("str:utf8"), bytes("é"));
    });

    it("set() honours nx / xx", async () => {
      assert.equal(await s.plain.set("str:nx", "a", { xx: true }), null);
      assert.equal(await s.plain.set("str:nx", "a", { nx: true }), "OK");
      assert.equal(await s.plain.set("str:nx", "b", { nx: true }), null);
      assert.equal(await s.plain.set("str:nx", "c", { xx: true }), "OK");
      assert.equal(await s.plain.get("str:nx"), "c");
    });

    it("set() with get: true returns the old value", async () => {
      assert.equal(await s.plain.set("str:get", "one", { get: true }), null);
      assert.equal(await s.plain.set("str:get", "two", { get: true }), "one");
      assert.equal(await s.plain.get("str:get"), "two");
    });

    it("set() sets ex / px / exat / pxat and keepttl keeps it", async () => {
      await s.plain.set("str:ex", "v", { ex: 100 });
      assert.equal(await s.plain.ttl("str:ex"), 100);
      await s.plain.set("str:ex", "w", { keepttl: true });
      assert.equal(await s.plain.ttl("str:ex"), 100);
      await s.plain.set("str:ex", "x");
      assert.equal(await s.plain.ttl("str:ex"), -1);
      await s.plain.set("str:px", "v", { px: 5000 });
      const pttl = await s.plain.pttl("str:px");
      assert.ok(pttl > 4000 && pttl <= 5000, String(pttl));
      const at = Math.floor(Date.now() / 1000) + 500;
      await s.plain.set("str:exat", "v", { exat: at });
      assert.equal(await s.plain.expiretime("str:exat"), at);
      await s.plain.set("str:pxat", "v", { pxat: at * 1000 + 7 });
      assert.equal(await s.plain.pexpiretime("str:pxat"), at * 1000 + 7);
    });

    it("set() rejects a non-integer or non-positive expiry before sending", () => {
      assert.throws(() => s.plain.set("str:bad", "v", { ex: 0 }), RangeError);
      assert.throws(() => s.plain.set("str:bad", "v", { px: 1.5 }), /px 1.5/);
    });

    it("setnx() / setex() / psetex()", async () => {
      assert.equal(await s.plain.setnx("str:setnx", "a"), true);
      assert.equal(await s.plain.setnx("str:setnx", "b"), false);
      assert.equal(await s.plain.get("str:setnx"), "a");
      assert.equal(await s.plain.setex("str:setex", 60, "v"), "OK");
      assert.equal(await s.plain.ttl("str:setex"), 60);
      assert.equal(await s.plain.psetex("str:psetex", 60_000, "v"), "OK");
      assert.equal(await s.plain.ttl("str:psetex"), 60);
    });

    it("getex() changes the expiry, persist removes it", async () => {
      await s.plain.set("str:getex", "v");
      assert.equal(await s.plain.getex("str:getex", { ex: 50 }), "v");
      assert.equal(await s.plain.ttl("str:getex"), 50);
      assert.equal(await s.plain.getex("str:getex", { persist: true }), "v");
      assert.equal(await s.plain.ttl("str:getex"), -1);
      assert.equal(await s.plain.getex("str:missing"), null);
    });

    it("getdel() / getset()", async () => {
      await s.plain.set("str:gd", "v");
      assert.equal(await s.plain.getdel("str:gd"), "v");
      assert.equal(await s.plain.getdel("str:gd"), null);
      assert.equal(await s.plain.getset("str:gs", "1"), null);
      assert.equal(await s.plain.getset("str:gs", "2"), "1");
    });

    it("setrange() / getrange() / append() / strlen() count bytes", async () => {
      await s.plain.set("str:range", "Hello World");
      assert.equal(await s.plain.setrange("str:range", 6, "Redis"), 11);
      assert.equal(await s.plain.get("str:range"), "Hello Redis");
      assert.equal(await s.plain.getrange("str:range", 0, 4), "Hello");
      assert.equal(await s.plain.getrange("str:range", -5, -1), "Redis");
      assert.equal(await s.plain.getrange("str:missing", 0, -1), "");
      assert.equal(await s.plain.append("str:range", "!"), 12);
      assert.equal(await s.plain.append("str:appended", "é"), 2);
      assert.equal(await s.plain.strlen("str:appended"), 2);
      assert.equal(await s.plain.strlen("str:missing"), 0);
      assert.equal(await s.plain.setrange("str:padded", 2, "x"), 3);
      assert.deepEqual(await s.plain.getBytes("str:padded"), new Uint8Array([0, 0, 120]));
    });

    it("incr() / decr() / incrby() / decrby() / incrbyfloat()", async () => {
      assert.equal(await s.plain.incr("str:n"), 1);
      assert.equal(await s.plain.incrby("str:n", 10), 11);
      assert.equal(await s.plain.decr("str:n"), 10);
      assert.equal(await s.plain.decrby("str:n", 4), 6);
      assert.equal(await s.plain.incrby("str:n", -7), -1);
      assert.equal(await s.plain.incrbyfloat("str:f", 10.5), 10.5);
      assert.equal(await s.plain.incrbyfloat("str:f", 0.1), 10.6);
      assert.equal(await s.plain.incrbyfloat("str:f", -0.6), 10);
      await s.plain.set("str:text", "abc");
      await assert.rejects(s.plain.incr("str:text"), (error: unknown) => {
        assert.ok(error instanceof ReplyError);
        assert.equal(error.code, "ERR");
        return true;
      });
      assert.throws(() => s.plain.incrby("str:n", 1.5), RangeError);
    });

    it("mset() takes an object or pairs; mget() keeps order and nulls", async () => {
      assert.equal(await s.plain.mset({ "str:m1": "a", "str:m2": 2 }), "OK");
      const binaryKey = new Uint8Array([0xfe, 1]);
      assert.equal(await s.plain.mset([[binaryKey, "bk"], ["str:m3", "c"]]), "OK");
      assert.deepEqual(await s.plain.mget("str:m1", "str:missing", "str:m2", binaryKey, "str:m3"), [
        "a",
        null,
        "2",
        "bk",
        "c",
      ]);
      assert.deepEqual(await s.plain.mgetBytes("str:m1", "str:missing"), [bytes("a"), null]);
    });

    it("msetnx() sets nothing when one key exists", async () => {
      assert.equal(await s.plain.msetnx({ "str:nx1": 1, "str:nx2": 2 }), true);
      assert.equal(await s.plain.msetnx({ "str:nx2": 3, "str:nx3": 3 }), false);
      assert.deepEqual(await s.plain.mget("str:nx1", "str:nx2", "str:nx3"), ["1", "2", null]);
    });

    it("setbit() / getbit() / bitcount() / bitpos() / bitop()", async () => {
      assert.equal(await s.plain.setbit("str:bits", 7, 1), 0);
      assert.equal(await s.plain.setbit("str:bits", 7, 1), 1);
      assert.equal(await s.plain.getbit("str:bits", 7), 1);
      assert.equal(await s.plain.getbit("str:bits", 100), 0);
      await s.plain.set("str:b1", "foobar");
      assert.equal(await s.plain.bitcount("str:b1"), 26);
      assert.equal(await s.plain.bitcount("str:b1", { start: 1, end: 1 }), 6);
      assert.equal(await s.plain.bitcount("str:b1", { start: 5, end: 30, unit: "bit" }), 17);
      await s.plain.set("str:b2", new Uint8Array([0xff, 0xf0, 0x00]));
      assert.equal(await s.plain.bitpos("str:b2", 0), 12);
      assert.equal(await s.plain.bitpos("str:b2", 1, { start: 1 }), 8);
      assert.equal(await s.plain.bitpos("str:b2", 1, { start: 2, end: -1 }), -1);
      await s.plain.set("str:o1", new Uint8Array([0b1100]));
      await s.plain.set("str:o2", new Uint8Array([0b1010]));
      assert.equal(await s.plain.bitop("AND", "str:and", "str:o1", "str:o2"), 1);
      assert.deepEqual(await s.plain.getBytes("str:and"), new Uint8Array([0b1000]));
      assert.equal(await s.plain.bitop("NOT", "str:not", "str:o1"), 1);
      assert.deepEqual(await s.plain.getBytes("str:not"), new Uint8Array([0b11110011]));
    });

    it("lcs() returns the subsequence or its length", async () => {
      await s.plain.mset({ "str:lcs1": "ohmytext", "str:lcs2": "mynewtext" });
      assert.equal(await s.plain.lcs("str:lcs1", "str:lcs2"), "mytext");
      assert.equal(await s.plain.lcs("str:lcs1", "str:lcs2", { len: true }), 6);
    });

    it("the namespace applies to get, set, mset and mget", async () => {
      await s.ns.set("str:nsk", "v");
      assert.equal(await s.plain.get("ns:str:nsk"), "v");
      await s.ns.mset({ "str:a": 1, "str:b": 2 });
      assert.deepEqual(await s.plain.mget("ns:str:a", "ns:str:b"), ["1", "2"]);
      assert.deepEqual(await s.ns.mget("str:a", "str:b", "str:nsk"), ["1", "2", "v"]);
      assert.equal(await s.ns.incr("str:a"), 2);
    });

    it("a view with with() sends through the same connection", async () => {
      const view = s.plain.with({ timeout: 1000 });
      assert.equal(await view.set("str:view", "v"), "OK");
      assert.equal(await view.get("str:view"), "v");
      const nsView = s.ns.with({ timeout: 1000 });
      await nsView.set("str:view", "n");
      assert.equal(await s.plain.get("ns:str:view"), "n");
    });
  });
}
