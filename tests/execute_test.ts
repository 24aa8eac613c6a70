/**
 * `execute()` decodes replies like the typed methods, to one shape under
 * RESP2 and RESP3; `executeBytes()` returns the RESP value.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { CommandArg, RedisStore, ReplyValue } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";

/** Command lines whose replies `execute()` must give alike under both protocols. */
const lines: { args: CommandArg[]; expected?: ReplyValue }[] = [
  { args: ["SET", "x:s", "héllo"], expected: "OK" },
  { args: ["GET", "x:s"], expected: "héllo" },
  { args: ["GET", "x:missing"], expected: null },
  { args: ["INCR", "x:n"], expected: 1 },
  { args: ["HSET", "x:h", "a", "1", "b", "2"], expected: 2 },
  { args: ["HGETALL", "x:h"], expected: { a: "1", b: "2" } },
  { args: ["HGETALL", "x:none"], expected: {} },
  { args: ["HSET", "x:h1", "f", "v"], expected: 1 },
  { args: ["HRANDFIELD", "x:h1", "-1", "WITHVALUES"], expected: [["f", "v"]] },
  { args: ["SADD", "x:set", "only"], expected: 1 },
  { args: ["SMEMBERS", "x:set"], expected: ["only"] },
  { args: ["ZADD", "x:z", "1.5", "a", "2", "b"], expected: 2 },
  { args: ["ZADD", "x:z", "INCR", "1", "a"], expected: 2.5 },
  { args: ["ZSCORE", "x:z", "b"], expected: 2 },
  { args: ["ZINCRBY", "x:z", "0.25", "b"], expected: 2.25 },
  { args: ["ZMSCORE", "x:z", "a", "nope"], expected: [2.5, null] },
  { args: ["ZRANGE", "x:z", "0", "-1"], expected: ["b", "a"] },
  { args: ["ZRANGE", "x:z", "0", "-1", "WITHSCORES"], expected: [["b", 2.25], ["a", 2.5]] },
  {
    args: ["ZRANGEBYSCORE", "x:z", "-inf", "+inf", "withscores"],
    expected: [["b", 2.25], [
      "a",
      2.5,
    ]],
  },
  { args: ["ZPOPMIN", "x:z"], expected: ["b", 2.25] },
  { args: ["ZADD", "x:z", "3", "c", "4", "d"], expected: 2 },
  { args: ["ZPOPMAX", "x:z", "2"], expected: [["d", 4], ["c", 3]] },
  { args: ["ZADD", "x:z", "inf", "top"], expected: 1 },
  { args: ["ZSCORE", "x:z", "top"], expected: Infinity },
  { args: ["RPUSH", "x:l", "a", "b"], expected: 2 },
  { args: ["LRANGE", "x:l", "0", "-1"], expected: ["a", "b"] },
  { args: ["CONFIG", "GET", "maxmemory"], expected: { maxmemory: "0" } },
  { args: ["EXISTS", "x:s", "x:missing"], expected: 1 },
  { args: ["TYPE", "x:h"], expected: "hash" },
  { args: ["ECHO", "ok"], expected: "ok" },
];

forEachTarget("execute()", (target) => {
  it("execute() decodes replies to the same shape under RESP2 and RESP3", async () => {
    const replies: ReplyValue[][] = [];
    for (const protocol of [2, 3] as const) {
      const store: RedisStore = target().store({ protocol, db: 4 });
      await store.flushdb();
      const out: ReplyValue[] = [];
      for (const { args, expected } of lines) {
        const reply = await store.execute(String(args[0]), ...args.slice(1));
        if (expected !== undefined) {
          assert.deepEqual(reply, expected, `RESP${protocol} ${args.join(" ")}`);
        }
        out.push(reply);
      }
      replies.push(out);
    }
    assert.deepEqual(replies[0], replies[1]);
  });

  it("execute() decodes text in the store's encoding; executeBytes() keeps bytes", async () => {
    const store = target().store({ db: 4 });
    await store.set("x:bin", new Uint8Array([0xff, 0x00]));
    assert.deepEqual(await store.executeBytes("GET", "x:bin"), new Uint8Array([0xff, 0x00]));
    assert.equal(typeof await store.execute("GET", "x:bin"), "string");
    const latin = target().store({ db: 4, encoding: "latin1" });
    await latin.executeBytes("SET", "x:latin", new Uint8Array([0xe9]));
    assert.equal(await latin.execute("GET", "x:latin"), "é");
  });

  it("execute() in a pipeline decodes like on the store", async () => {
    const store = target().store({ protocol: 2, db: 4 });
    await store.execute("HSET", "x:ph", "f", "v");
    const [hash, raw] = await store.pipeline()
      .execute("HGETALL", "x:ph")
      .executeBytes("HGET", "x:ph", "f")
      .commit();
    assert.deepEqual(hash, { f: "v" });
    assert.deepEqual(raw, new TextEncoder().encode("v"));
  });

  it("execute() returns INFO as text", async () => {
    for (const protocol of [2, 3] as const) {
      const info = await target().store({ protocol, db: 4 }).execute("INFO", "server");
      assert.equal(typeof info, "string");
      assert.match(info as string, /redis_version:/);
    }
  });
});

forEachTarget("execute() on streams", (target) => {
  it("execute() gives XREAD and XINFO maps as objects under RESP2 and RESP3", async () => {
    const replies: ReplyValue[][] = [];
    for (const protocol of [2, 3] as const) {
      const store = target().store({ protocol, db: 4 });
      await store.flushdb();
      await store.execute("XADD", "x:st", "1-1", "f", "v");
      await store.execute("XGROUP", "CREATE", "x:st", "g", "0");
      const read = await store.execute("XREAD", "STREAMS", "x:st", "0");
      assert.deepEqual(read, { "x:st": [["1-1", ["f", "v"]]] }, `RESP${protocol}`);
      const groups = await store.execute("XINFO", "GROUPS", "x:st") as ReplyValue[];
      assert.equal((groups[0] as Record<string, ReplyValue>).name, "g");
      const info = await store.execute("XINFO", "STREAM", "x:st") as Record<string, ReplyValue>;
      assert.equal(info.length, 1);
      assert.deepEqual(info["first-entry"], ["1-1", ["f", "v"]]);
      replies.push([read, groups, info]);
    }
    assert.deepEqual(replies[0], replies[1]);
  });
}, ["redis"]); // The embedded server has no streams yet.
