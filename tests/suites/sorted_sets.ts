/** Behaviour suite of the sorted-set commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { since, useStores } from "./_stores.ts";

/**
 * Declares the sorted-set-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function sortedSetSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);
  const board = async (key: string) => {
    await s.plain.del(key);
    await s.plain.zadd(key, { a: 1, b: 2, c: 3, d: 4 });
  };

  describe("sorted sets", () => {
    it("zadd() takes a score and member, an object, or a list", async () => {
      assert.equal(await s.plain.zadd("z:add", 1, "one"), 1);
      assert.equal(await s.plain.zadd("z:add", { two: 2, three: 3 }), 2);
      assert.equal(
        await s.plain.zadd("z:add", [{ member: "four", score: 4 }, { member: "one", score: 1.5 }]),
        1,
      );
      assert.deepEqual(await s.plain.zrangeWithScores("z:add", 0, -1), [
        { member: "one", score: 1.5 },
        { member: "two", score: 2 },
        { member: "three", score: 3 },
        { member: "four", score: 4 },
      ]);
    });

    it("zadd() honours nx / xx / gt / lt / ch", async () => {
      await s.plain.zadd("z:opt", { m: 5 });
      assert.equal(await s.plain.zadd("z:opt", 1, "m", { nx: true }), 0);
      assert.equal(await s.plain.zscore("z:opt", "m"), 5);
      assert.equal(await s.plain.zadd("z:opt", 1, "new", { xx: true }), 0);
      assert.equal(await s.plain.zscore("z:opt", "new"), null);
      assert.equal(await s.plain.zadd("z:opt", 3, "m", { gt: true, ch: true }), 0);
      assert.equal(await s.plain.zadd("z:opt", 7, "m", { gt: true, ch: true }), 1);
      assert.equal(await s.plain.zadd("z:opt", 9, "m", { lt: true, ch: true }), 0);
      assert.equal(await s.plain.zadd("z:opt", { m: 6, n: 1 }, { lt: true, ch: true }), 2);
      assert.deepEqual(await s.plain.zmscore("z:opt", "m", "n", "zz"), [6, 1, null]);
    });

    it("zscore() / zincrby() return numbers, infinities included", async () => {
      assert.equal(await s.plain.zincrby("z:inc", 2.5, "m"), 2.5);
      assert.equal(await s.plain.zincrby("z:inc", -1, "m"), 1.5);
      assert.equal(await s.plain.zscore("z:inc", "m"), 1.5);
      await s.plain.zadd("z:inc", { hi: Infinity, lo: -Infinity });
      assert.equal(await s.plain.zscore("z:inc", "hi"), Infinity);
      assert.equal(await s.plain.zscore("z:inc", "lo"), -Infinity);
      assert.equal(await s.plain.zscore("z:missing", "m"), null);
    });

    it("zcard() / zcount() / zlexcount()", async () => {
      await board("z:count");
      assert.equal(await s.plain.zcard("z:count"), 4);
      assert.equal(await s.plain.zcard("z:missing"), 0);
      assert.equal(await s.plain.zcount("z:count", 2, 3), 2);
      assert.equal(await s.plain.zcount("z:count", "(1", "+inf"), 3);
      assert.equal(await s.plain.zcount("z:count", -Infinity, Infinity), 4);
      assert.equal(await s.plain.zlexcount("z:count", "[b", "(d"), 2);
      assert.equal(await s.plain.zlexcount("z:count", "-", "+"), 4);
    });

    it("zrange() by rank, score and lex, with rev and limit", async () => {
      await board("z:range");
      assert.deepEqual(await s.plain.zrange("z:range", 0, 1), ["a", "b"]);
      assert.deepEqual(await s.plain.zrange("z:range", 0, 1, { rev: true }), ["d", "c"]);
      assert.deepEqual(await s.plain.zrange("z:range", "(1", 3, { by: "score" }), ["b", "c"]);
      assert.deepEqual(
        await s.plain.zrange("z:range", "+inf", "-inf", {
          by: "score",
          rev: true,
          limit: { offset: 1, count: 2 },
        }),
        ["c", "b"],
      );
      assert.deepEqual(await s.plain.zrange("z:range", "[b", "+", { by: "lex" }), ["b", "c", "d"]);
      assert.deepEqual(await s.plain.zrange("z:missing", 0, -1), []);
      assert.throws(
        () => s.plain.zrange("z:range", 0, 1, { by: "rank" as "score" }),
        TypeError,
      );
    });

    it("zrangeWithScores() returns { member, score }", async () => {
      await board("z:ws");
      assert.deepEqual(await s.plain.zrangeWithScores("z:ws", 2, 3, { by: "score" }), [
        { member: "b", score: 2 },
        { member: "c", score: 3 },
      ]);
      assert.deepEqual(await s.plain.zrangeWithScores("z:missing", 0, -1), []);
    });

    it("zrangestore() stores a range", async () => {
      await board("z:rs");
      assert.equal(await s.plain.zrangestore("z:rs-out", "z:rs", 1, 2), 2);
      assert.deepEqual(await s.plain.zrangeWithScores("z:rs-out", 0, -1), [
        { member: "b", score: 2 },
        { member: "c", score: 3 },
      ]);
    });

    it("zrangebyscore() / zrevrangebyscore() / zrevrange() / zrangebylex()", async () => {
      await board("z:by");
      assert.deepEqual(await s.plain.zrangebyscore("z:by", 2, "+inf"), ["b", "c", "d"]);
      assert.deepEqual(
        await s.plain.zrangebyscore("z:by", "-inf", "+inf", { limit: { offset: 1, count: 2 } }),
        ["b", "c"],
      );
      assert.deepEqual(await s.plain.zrevrangebyscore("z:by", 3, "(1"), ["c", "b"]);
      assert.deepEqual(await s.plain.zrevrange("z:by", 0, 1), ["d", "c"]);
      assert.deepEqual(await s.plain.zrangebylex("z:by", "(a", "[c"), ["b", "c"]);
      assert.deepEqual(
        await s.plain.zrangebylex("z:by", "-", "+", { limit: { offset: 3, count: 5 } }),
        ["d"],
      );
    });

    it("zrank() / zrevrank() / zrem()", async () => {
      await board("z:rank");
      assert.equal(await s.plain.zrank("z:rank", "c"), 2);
      assert.equal(await s.plain.zrevrank("z:rank", "c"), 1);
      assert.equal(await s.plain.zrank("z:rank", "zz"), null);
      assert.equal(await s.plain.zrem("z:rank", "a", "zz"), 1);
      assert.equal(await s.plain.zrank("z:rank", "c"), 1);
    });

    it("zremrangebyrank() / zremrangebyscore() / zremrangebylex()", async () => {
      await board("z:rem");
      assert.equal(await s.plain.zremrangebyrank("z:rem", 0, 0), 1);
      assert.equal(await s.plain.zremrangebyscore("z:rem", "(2", 3), 1);
      assert.equal(await s.plain.zremrangebylex("z:rem", "[d", "+"), 1);
      assert.deepEqual(await s.plain.zrange("z:rem", 0, -1), ["b"]);
    });

    it("zpopmin() / zpopmax() return one member or null, or arrays with count", async () => {
      await board("z:pop");
      assert.deepEqual(await s.plain.zpopmin("z:pop"), { member: "a", score: 1 });
      assert.deepEqual(await s.plain.zpopmax("z:pop"), { member: "d", score: 4 });
      assert.deepEqual(await s.plain.zpopmin("z:pop", 5), [
        { member: "b", score: 2 },
        { member: "c", score: 3 },
      ]);
      assert.equal(await s.plain.zpopmin("z:pop"), null);
      assert.equal(await s.plain.zpopmax("z:pop"), null);
      assert.deepEqual(await s.plain.zpopmax("z:pop", 2), []);
    });

    it("bzpopmin() / bzpopmax() return key, member and score, null on timeout", async () => {
      await board("z:bpop");
      assert.deepEqual(await s.plain.bzpopmin(["z:bpop0", "z:bpop"], 1), {
        key: "z:bpop",
        member: "a",
        score: 1,
      });
      assert.deepEqual(await s.plain.bzpopmax("z:bpop", 1), {
        key: "z:bpop",
        member: "d",
        score: 4,
      });
      const start = performance.now();
      assert.equal(await s.plain.bzpopmin("z:bpop-empty", 0.2), null);
      assert.ok(since(start) >= 150, `returned after ${since(start)} ms`);
      assert.throws(() => s.plain.bzpopmax("z:bpop", -1), RangeError);
    });

    it("bzpopmin() under a namespace returns the key without it", async () => {
      await s.ns.zadd("z:nsb", 7, "m");
      assert.deepEqual(await s.ns.bzpopmin("z:nsb", 1), { key: "z:nsb", member: "m", score: 7 });
    });

    it("zunion() / zinter() with weights and aggregate", async () => {
      await s.plain.zadd("z:u1", { a: 1, b: 2 });
      await s.plain.zadd("z:u2", { b: 3, c: 4 });
      assert.deepEqual(await s.plain.zunion(["z:u1", "z:u2"]), ["a", "c", "b"]);
      assert.deepEqual(await s.plain.zunionWithScores(["z:u1", "z:u2"]), [
        { member: "a", score: 1 },
        { member: "c", score: 4 },
        { member: "b", score: 5 },
      ]);
      assert.deepEqual(
        await s.plain.zunionWithScores(["z:u1", "z:u2"], { weights: [10, 1], aggregate: "max" }),
        [{ member: "c", score: 4 }, { member: "a", score: 10 }, { member: "b", score: 20 }],
      );
      assert.deepEqual(await s.plain.zinter(["z:u1", "z:u2"]), ["b"]);
      assert.deepEqual(await s.plain.zinterWithScores(["z:u1", "z:u2"], { aggregate: "min" }), [
        { member: "b", score: 2 },
      ]);
      assert.throws(
        () => s.plain.zunion(["z:u1"], { aggregate: "avg" as "sum" }),
        TypeError,
      );
    });

    it("zunionstore() / zinterstore() / zintercard()", async () => {
      await s.plain.zadd("z:s1", { a: 1, b: 2 });
      await s.plain.zadd("z:s2", { b: 3, c: 4 });
      assert.equal(await s.plain.zunionstore("z:sout", ["z:s1", "z:s2"], { weights: [2, 1] }), 3);
      assert.deepEqual(await s.plain.zrangeWithScores("z:sout", 0, -1), [
        { member: "a", score: 2 },
        { member: "c", score: 4 },
        { member: "b", score: 7 },
      ]);
      assert.equal(await s.plain.zinterstore("z:iout", ["z:s1", "z:s2"]), 1);
      assert.equal(await s.plain.zscore("z:iout", "b"), 5);
      assert.equal(await s.plain.zintercard(["z:s1", "z:s2"]), 1);
      assert.equal(await s.plain.zintercard(["z:s1", "z:sout"], { limit: 1 }), 1);
    });

    it("zdiff() / zdiffWithScores() / zdiffstore()", async () => {
      await s.plain.zadd("z:d1", { a: 1, b: 2, c: 3 });
      await s.plain.zadd("z:d2", { b: 9 });
      assert.deepEqual(await s.plain.zdiff(["z:d1", "z:d2"]), ["a", "c"]);
      assert.deepEqual(await s.plain.zdiffWithScores(["z:d1", "z:d2"]), [
        { member: "a", score: 1 },
        { member: "c", score: 3 },
      ]);
      assert.equal(await s.plain.zdiffstore("z:dout", ["z:d1", "z:d2"]), 2);
      assert.deepEqual(await s.plain.zrange("z:dout", 0, -1), ["a", "c"]);
    });

    it("zrandmember() / zrandmemberWithScores()", async () => {
      await s.plain.zadd("z:rand", 2.5, "only");
      assert.equal(await s.plain.zrandmember("z:rand"), "only");
      assert.equal(await s.plain.zrandmember("z:missing"), null);
      assert.deepEqual(await s.plain.zrandmember("z:rand", 3), ["only"]);
      assert.deepEqual(await s.plain.zrandmember("z:rand", -2), ["only", "only"]);
      assert.deepEqual(await s.plain.zrandmemberWithScores("z:rand", 1), [
        { member: "only", score: 2.5 },
      ]);
    });

    it("zmpop() / bzmpop() pop from the first non-empty sorted set", async () => {
      await board("z:mp");
      assert.deepEqual(await s.plain.zmpop(["z:mp0", "z:mp"], "min"), {
        key: "z:mp",
        members: [{ member: "a", score: 1 }],
      });
      assert.deepEqual(await s.plain.zmpop("z:mp", "max", { count: 2 }), {
        key: "z:mp",
        members: [{ member: "d", score: 4 }, { member: "c", score: 3 }],
      });
      assert.deepEqual(await s.plain.bzmpop("z:mp", "min", 1, { count: 5 }), {
        key: "z:mp",
        members: [{ member: "b", score: 2 }],
      });
      assert.equal(await s.plain.zmpop("z:mp", "min"), null);
      assert.equal(await s.plain.bzmpop("z:mp", "max", 0.1), null);
    });

    it("the namespace applies to every key of multi-key commands", async () => {
      await s.ns.zadd("z:n1", { a: 1 });
      await s.ns.zadd("z:n2", { a: 2 });
      assert.equal(await s.ns.zunionstore("z:nout", ["z:n1", "z:n2"]), 1);
      assert.equal(await s.plain.zscore("ns:z:nout", "a"), 3);
      assert.deepEqual(await s.ns.zmpop(["z:n0", "z:n1"], "min"), {
        key: "z:n1",
        members: [{ member: "a", score: 1 }],
      });
    });
  });
}
