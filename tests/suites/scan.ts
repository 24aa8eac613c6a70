/** Behaviour suite of the SCAN family: pages and async iterators. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RedisStore } from "../../mod.ts";
import type { Target } from "../_targets.ts";

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

const unique = (items: string[]): string[] => [...new Set(items)].sort();

/**
 * Declares the SCAN-family tests. Uses database 7 of its own, so key counts
 * are exact.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function scanSuite(target: () => Target, protocol: 2 | 3): void {
  let plain: RedisStore;
  let ns: RedisStore;

  describe("scan", () => {
    it("scan() visits every key", async () => {
      plain = target().store({ db: 7, protocol });
      ns = target().store({ db: 7, protocol, namespace: "ns:" });
      await plain.flushdb();
      const keys = Array.from({ length: 120 }, (_, i) => `k:${i}`);
      await plain.mset(keys.map((key) => [key, 1] as const));
      await plain.rpush("list:1", "x");
      const seen = await collect(plain.scan({ count: 7 }));
      assert.deepEqual(unique(seen), [...keys, "list:1"].sort());
    });

    it("scan() filters by match and type", async () => {
      assert.deepEqual(unique(await collect(plain.scan({ match: "k:1?" }))), [
        "k:10",
        "k:11",
        "k:12",
        "k:13",
        "k:14",
        "k:15",
        "k:16",
        "k:17",
        "k:18",
        "k:19",
      ]);
      assert.deepEqual(await collect(plain.scan({ type: "list", count: 1000 })), ["list:1"]);
      assert.deepEqual(await collect(plain.scan({ match: "nothing:*", count: 1000 })), []);
    });

    it("scan() with a namespace only visits the namespace and strips it", async () => {
      await ns.mset({ a: 1, b: 2, "k:1": 3 });
      assert.deepEqual(unique(await collect(ns.scan())), ["a", "b", "k:1"]);
      assert.deepEqual(unique(await collect(ns.scan({ match: "k:*" }))), ["k:1"]);
      assert.deepEqual(unique(await collect(plain.scan({ match: "ns:*" }))), [
        "ns:a",
        "ns:b",
        "ns:k:1",
      ]);
    });

    it("scanPage() returns a text cursor and the page's keys", async () => {
      let cursor: string = "0";
      const seen: string[] = [];
      let pages = 0;
      do {
        const page = await plain.scanPage(cursor, { match: "k:*", count: 50 });
        assert.equal(typeof page.cursor, "string");
        cursor = page.cursor;
        seen.push(...page.items);
        pages++;
      } while (cursor !== "0");
      assert.ok(pages > 1, `${pages} pages`);
      assert.equal(unique(seen).length, 120);
      assert.throws(() => plain.scanPage("abc"), RangeError);
      assert.throws(() => plain.scanPage(-1), RangeError);
      assert.throws(() => plain.scanPage(0, { count: 0 }), RangeError);
    });

    it("hscan() yields [field, value] pairs", async () => {
      const entries = Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]),
      );
      await plain.hset("hash:big", entries);
      const pairs = await collect(plain.hscan("hash:big", { count: 20 }));
      assert.deepEqual(Object.fromEntries(pairs), entries);
      await plain.hset("hash:small", { a: "1", b: "2", c: "3" });
      assert.deepEqual(
        (await collect(plain.hscan("hash:small", { match: "[ab]" }))).sort(),
        [["a", "1"], ["b", "2"]],
      );
      assert.deepEqual(await collect(plain.hscan("hash:missing")), []);
      const page = await plain.hscanPage("hash:small", 0);
      assert.equal(page.cursor, "0");
      assert.equal(page.items.length, 3);
    });

    it("sscan() yields members", async () => {
      const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
      await plain.sadd("set:big", ...members);
      assert.deepEqual(
        unique(await collect(plain.sscan("set:big", { count: 15 }))),
        [
          ...members,
        ].sort(),
      );
      assert.deepEqual(await collect(plain.sscan("set:big", { match: "m19?" })).then(unique), [
        "m190",
        "m191",
        "m192",
        "m193",
        "m194",
        "m195",
        "m196",
        "m197",
        "m198",
        "m199",
      ]);
    });

    it("zscan() yields { member, score }", async () => {
      const members = Array.from({ length: 200 }, (_, i) => ({ member: `z${i}`, score: i / 2 }));
      await plain.zadd("zset:big", members);
      const seen = await collect(plain.zscan("zset:big", { count: 15 }));
      const byMember = new Map(seen.map((item) => [item.member, item.score]));
      assert.equal(byMember.size, 200);
      for (const { member, score } of members) assert.equal(byMember.get(member), score);
      await plain.zadd("zset:small", { a: 1.5, b: Infinity });
      assert.deepEqual(
        (await collect(plain.zscan("zset:small"))).sort((x, y) => x.score - y.score),
        [{ member: "a", score: 1.5 }, { member: "b", score: Infinity }],
      );
    });

    it("hscan() / sscan() / zscan() namespace the key, not the match", async () => {
      await ns.hset("nh", { x: "1" });
      await ns.sadd("nset", "y");
      await ns.zadd("nz", 2, "z");
      assert.deepEqual(await collect(ns.hscan("nh", { match: "x" })), [["x", "1"]]);
      assert.deepEqual(await collect(ns.sscan("nset")), ["y"]);
      assert.deepEqual(await collect(ns.zscan("nz")), [{ member: "z", score: 2 }]);
    });

    it("breaking out of scan() stops iterating", async () => {
      let n = 0;
      for await (const _key of plain.scan({ count: 5 })) {
        if (++n === 3) break;
      }
      assert.equal(n, 3);
    });
  });
}
