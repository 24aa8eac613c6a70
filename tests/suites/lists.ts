/** Behaviour suite of the list commands, blocking ones included. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReplyError } from "../../mod.ts";
import type { Target } from "../_targets.ts";
import { bytes, since, useStores } from "./_stores.ts";

/**
 * Declares the list-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function listSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("lists", () => {
    it("lpush() prepends in reverse, rpush() appends", async () => {
      assert.equal(await s.plain.lpush("l:a", "a", "b"), 2);
      assert.equal(await s.plain.rpush("l:a", "c", 4), 4);
      assert.deepEqual(await s.plain.lrange("l:a", 0, -1), ["b", "a", "c", "4"]);
    });

    it("lpushx() / rpushx() only push to an existing list", async () => {
      assert.equal(await s.plain.lpushx("l:x", "a"), 0);
      assert.equal(await s.plain.rpushx("l:x", "a"), 0);
      assert.equal(await s.plain.exists("l:x"), 0);
      await s.plain.rpush("l:x", "m");
      assert.equal(await s.plain.lpushx("l:x", "l"), 2);
      assert.equal(await s.plain.rpushx("l:x", "r"), 3);
      assert.deepEqual(await s.plain.lrange("l:x", 0, -1), ["l", "m", "r"]);
    });

    it("lpop() / rpop() without count return one element or null", async () => {
      await s.plain.rpush("l:pop", "a", "b", "c");
      assert.equal(await s.plain.lpop("l:pop"), "a");
      assert.equal(await s.plain.rpop("l:pop"), "c");
      assert.equal(await s.plain.lpop("l:missing"), null);
      assert.equal(await s.plain.rpop("l:missing"), null);
    });

    it("lpop() / rpop() with count return arrays, [] for a missing key", async () => {
      await s.plain.rpush("l:popc", "a", "b", "c", "d", "e");
      assert.deepEqual(await s.plain.lpop("l:popc", 2), ["a", "b"]);
      assert.deepEqual(await s.plain.rpop("l:popc", 2), ["e", "d"]);
      assert.deepEqual(await s.plain.lpop("l:popc", 10), ["c"]);
      assert.deepEqual(await s.plain.lpop("l:missing", 2), []);
      assert.deepEqual(await s.plain.rpop("l:missing", 2), []);
    });

    it("llen() / lindex() / lset()", async () => {
      await s.plain.rpush("l:idx", "a", "b", "c");
      assert.equal(await s.plain.llen("l:idx"), 3);
      assert.equal(await s.plain.llen("l:missing"), 0);
      assert.equal(await s.plain.lindex("l:idx", 1), "b");
      assert.equal(await s.plain.lindex("l:idx", -1), "c");
      assert.equal(await s.plain.lindex("l:idx", 9), null);
      assert.equal(await s.plain.lset("l:idx", -1, "z"), "OK");
      assert.deepEqual(await s.plain.lrange("l:idx", 0, -1), ["a", "b", "z"]);
      await assert.rejects(s.plain.lset("l:idx", 9, "z"), ReplyError);
    });

    it("lrange() / lrangeBytes() take inclusive ranges", async () => {
      await s.plain.rpush("l:range", "a", new Uint8Array([0xff, 0]), "c");
      assert.deepEqual(await s.plain.lrange("l:range", 0, 0), ["a"]);
      assert.deepEqual(await s.plain.lrange("l:range", -1, -1), ["c"]);
      assert.deepEqual(await s.plain.lrange("l:missing", 0, -1), []);
      assert.deepEqual(await s.plain.lrangeBytes("l:range", 0, -1), [
        bytes("a"),
        new Uint8Array([0xff, 0]),
        bytes("c"),
      ]);
    });

    it("linsert() inserts before / after a pivot", async () => {
      await s.plain.rpush("l:ins", "a", "c");
      assert.equal(await s.plain.linsert("l:ins", "before", "c", "b"), 3);
      assert.equal(await s.plain.linsert("l:ins", "after", "c", "d"), 4);
      assert.equal(await s.plain.linsert("l:ins", "after", "zz", "d"), -1);
      assert.equal(await s.plain.linsert("l:missing", "after", "zz", "d"), 0);
      assert.deepEqual(await s.plain.lrange("l:ins", 0, -1), ["a", "b", "c", "d"]);
      assert.throws(
        () => s.plain.linsert("l:ins", "middle" as "before", "a", "b"),
        TypeError,
      );
    });

    it("lrem() / ltrim()", async () => {
      await s.plain.rpush("l:rem", "x", "a", "x", "b", "x");
      assert.equal(await s.plain.lrem("l:rem", -2, "x"), 2);
      assert.deepEqual(await s.plain.lrange("l:rem", 0, -1), ["x", "a", "b"]);
      assert.equal(await s.plain.ltrim("l:rem", 1, -1), "OK");
      assert.deepEqual(await s.plain.lrange("l:rem", 0, -1), ["a", "b"]);
    });

    it("lpos() finds one index, or all of them with count", async () => {
      await s.plain.rpush("l:pos", "a", "b", "c", "b", "b");
      assert.equal(await s.plain.lpos("l:pos", "b"), 1);
      assert.equal(await s.plain.lpos("l:pos", "b", { rank: 2 }), 3);
      assert.equal(await s.plain.lpos("l:pos", "b", { rank: -1 }), 4);
      assert.equal(await s.plain.lpos("l:pos", "zz"), null);
      assert.equal(await s.plain.lpos("l:pos", "c", { maxlen: 2 }), null);
      assert.deepEqual(await s.plain.lpos("l:pos", "b", { count: 0 }), [1, 3, 4]);
      assert.deepEqual(await s.plain.lpos("l:pos", "b", { count: 2, rank: -1 }), [4, 3]);
      assert.deepEqual(await s.plain.lpos("l:pos", "zz", { count: 0 }), []);
    });

    it("lmove() / rpoplpush()", async () => {
      await s.plain.rpush("l:src", "a", "b", "c");
      assert.equal(await s.plain.lmove("l:src", "l:dst", "left", "right"), "a");
      assert.equal(await s.plain.lmove("l:src", "l:dst", "right", "left"), "c");
      assert.equal(await s.plain.rpoplpush("l:src", "l:dst"), "b");
      assert.equal(await s.plain.rpoplpush("l:src", "l:dst"), null);
      assert.deepEqual(await s.plain.lrange("l:dst", 0, -1), ["b", "c", "a"]);
      assert.throws(() => s.plain.lmove("l:src", "l:dst", "up" as "left", "left"), TypeError);
    });

    it("lmpop() pops from the first non-empty list", async () => {
      await s.plain.rpush("l:mp2", "a", "b", "c");
      assert.deepEqual(await s.plain.lmpop(["l:mp1", "l:mp2"], "left"), {
        key: "l:mp2",
        elements: ["a"],
      });
      assert.deepEqual(await s.plain.lmpop(["l:mp1", "l:mp2"], "right", { count: 5 }), {
        key: "l:mp2",
        elements: ["c", "b"],
      });
      assert.equal(await s.plain.lmpop(["l:mp1", "l:mp2"], "left"), null);
    });

    it("blpop() / brpop() return at once when an element is there", async () => {
      await s.plain.rpush("l:b1", "a", "b");
      assert.deepEqual(await s.plain.blpop(["l:b0", "l:b1"], 1), { key: "l:b1", element: "a" });
      assert.deepEqual(await s.plain.brpop("l:b1", 1), { key: "l:b1", element: "b" });
    });

    it("blpop() times out with null without stalling other commands", async () => {
      const start = performance.now();
      const blocked = s.plain.blpop("l:empty", 1);
      for (let i = 0; i < 5; i++) {
        assert.equal(await s.plain.set("l:side", i), "OK");
        assert.equal(await s.plain.get("l:side"), String(i));
      }
      assert.ok(since(start) < 500, `shared connection stalled for ${since(start)} ms`);
      assert.equal(await blocked, null);
      assert.ok(since(start) >= 900, `blpop returned after ${since(start)} ms`);
    });

    it("blpop() is woken by a push from the same store", async () => {
      const blocked = s.plain.blpop("l:wake", 5);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await s.plain.rpush("l:wake", "hello"), 1);
      assert.deepEqual(await blocked, { key: "l:wake", element: "hello" });
    });

    it("several blocking commands wait on separate connections", async () => {
      const start = performance.now();
      const results = Promise.all([
        s.plain.blpop("l:many1", 2),
        s.plain.brpop("l:many2", 2),
        s.plain.blmove("l:many3", "l:many-dst", "left", "left", 2),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await s.plain.rpush("l:many1", "1");
      await s.plain.rpush("l:many2", "2");
      await s.plain.rpush("l:many3", "3");
      assert.deepEqual(await results, [
        { key: "l:many1", element: "1" },
        { key: "l:many2", element: "2" },
        "3",
      ]);
      assert.ok(since(start) < 1500, `took ${since(start)} ms`);
    });

    it("blpop() under a namespace returns the key without it", async () => {
      await s.ns.rpush("l:nsb", "x");
      assert.deepEqual(await s.ns.blpop("l:nsb", 1), { key: "l:nsb", element: "x" });
      await s.ns.rpush("l:nsb", "y");
      assert.deepEqual(await s.plain.blpop("ns:l:nsb", 1), { key: "ns:l:nsb", element: "y" });
    });

    it("blmove() / brpoplpush() / blmpop()", async () => {
      await s.plain.rpush("l:bm", "a", "b", "c", "d");
      assert.equal(await s.plain.blmove("l:bm", "l:bm-dst", "right", "left", 1), "d");
      assert.equal(await s.plain.brpoplpush("l:bm", "l:bm-dst", 1), "c");
      assert.deepEqual(await s.plain.lrange("l:bm-dst", 0, -1), ["c", "d"]);
      assert.deepEqual(await s.plain.blmpop(["l:bm0", "l:bm"], "left", 1, { count: 9 }), {
        key: "l:bm",
        elements: ["a", "b"],
      });
      assert.equal(await s.plain.blmpop("l:bm", "left", 0.1), null);
      assert.equal(await s.plain.brpoplpush("l:bm", "l:bm-dst", 0.1), null);
      assert.equal(await s.plain.blmove("l:bm", "l:bm-dst", "left", "left", 0.1), null);
    });

    it("blocking commands reject a bad timeout with a RangeError", () => {
      for (const timeout of [-1, NaN, Infinity]) {
        assert.throws(() => s.plain.blpop("l:x", timeout), RangeError);
        assert.throws(() => s.plain.blmpop("l:x", "left", timeout), RangeError);
      }
      assert.throws(() => s.plain.brpop("l:x", -0.5), /timeout -0.5/);
    });

    it("a blocking command is aborted by the signal of a with() view", async () => {
      const controller = new AbortController();
      const reason = new Error("stop waiting");
      const blocked = s.plain.with({ signal: controller.signal }).blpop("l:abort", 0);
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(blocked, (error) => error === reason);
      // The server drops the blocked client once it sees the socket close.
      const deadline = Date.now() + 2000;
      while ((await s.plain.clientList()).some((client) => client.flags.includes("b"))) {
        assert.ok(Date.now() < deadline, "the aborted BLPOP is still blocked on the server");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await s.plain.rpush("l:abort", "kept");
      assert.deepEqual(await s.plain.lrange("l:abort", 0, -1), ["kept"]);
    });
  });
}
