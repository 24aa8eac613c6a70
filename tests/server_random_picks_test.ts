/**
 * Random picks of the embedded server (SRANDMEMBER, SPOP, HRANDFIELD,
 * ZRANDMEMBER, RANDOMKEY) cost O(1) or O(log n), not a walk of the
 * container: 20k picks on a million-member collection are answered within a
 * deadline (a walk per pick needs over 30 s), another client's PING is
 * answered meanwhile, memory stays bounded, and the picks are uniform, stay
 * correct across deletes, and have the shape redis-server gives them.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { closeAllRaw, Raw, resp } from "./_raw_socket.ts";
import { RandomMap, RandomSet, SlottedMap } from "../src/server/random_access.ts";

/** A RESP2 reply: bulk/simple string, integer, error, null or array. */
type Reply = string | number | null | { error: string } | Reply[];

/** Parses the complete RESP2 replies in `data`; returns them and the bytes used. */
function parseReplies(data: string): { replies: Reply[]; used: number } {
  const replies: Reply[] = [];
  let pos = 0;
  const one = (): Reply | undefined => {
    const eol = data.indexOf("\r\n", pos);
    if (eol < 0) return undefined;
    const kind = data[pos];
    const line = data.slice(pos + 1, eol);
    pos = eol + 2;
    if (kind === "+") return line;
    if (kind === "-") return { error: line };
    if (kind === ":") return Number(line);
    const n = Number(line);
    if (kind === "$") {
      if (n < 0) return null;
      if (pos + n + 2 > data.length) return undefined;
      const value = data.slice(pos, pos + n);
      pos += n + 2;
      return value;
    }
    if (n < 0) return null;
    const items: Reply[] = [];
    for (let i = 0; i < n; i++) {
      const item = one();
      if (item === undefined) return undefined;
      items.push(item);
    }
    return items;
  };
  for (;;) {
    const start = pos;
    const reply = one();
    if (reply === undefined) return { replies, used: start };
    replies.push(reply);
  }
}

/** Sends `requests` and collects `count` replies within `timeoutMs`. */
async function exchangeAll(
  raw: Raw,
  requests: string,
  count: number,
  timeoutMs: number,
): Promise<Reply[]> {
  const replies: Reply[] = [];
  raw.take();
  raw.send(requests);
  await raw.until((data) => {
    const parsed = parseReplies(data);
    replies.push(...parsed.replies);
    raw.data = data.slice(parsed.used);
    return replies.length >= count;
  }, timeoutMs);
  return replies;
}

/** Sends `head` (e.g. `SADD key`) followed by `items(i)` for `i < n`, in batches. */
async function fill(
  raw: Raw,
  head: string[],
  n: number,
  items: (i: number) => string[],
): Promise<void> {
  let requests = "";
  let batches = 0;
  for (let start = 0; start < n; start += 10_000) {
    const args = [...head];
    for (let i = start; i < Math.min(n, start + 10_000); i++) args.push(...items(i));
    requests += resp(...args);
    batches++;
  }
  const replies = await exchangeAll(raw, requests, batches, 120_000);
  for (const reply of replies) {
    assert.ok(
      !Array.isArray(reply) && reply !== null && typeof reply !== "object",
      JSON.stringify(reply),
    );
  }
}

const MEMBERS = 1_000_000;
const ZMEMBERS = 200_000;
const PICKS = 20_000;
/** Far above 20k O(1) picks, far below 20k walks of a million-member container. */
const PICKS_DEADLINE_MS = 15_000;
/** RSS growth allowed while picking: the dense index of a million keys is ~50 MB. */
const RSS_MARGIN = 400 * 1024 * 1024;

describe("random picks on large collections", () => {
  let server: PulsarServer;
  let attacker: Raw;
  let healthy: Raw;

  before(async () => {
    server = await serve({ port: 0 });
    attacker = await Raw.connect(server.addr.port, 64 << 20);
    healthy = await Raw.connect(server.addr.port);
    await fill(attacker, ["SADD", "s"], MEMBERS, (i) => [`m${i}`]);
    await fill(attacker, ["HSET", "h"], MEMBERS, (i) => [`f${i}`, "v"]);
    await fill(attacker, ["ZADD", "z"], ZMEMBERS, (i) => [String(i), `m${i}`]);
    await exchangeAll(attacker, resp("SELECT", "1"), 1, 5000);
    await fill(attacker, ["MSET"], MEMBERS, (i) => [`key:${i}`, "x"]);
    await exchangeAll(attacker, resp("SELECT", "0"), 1, 5000);
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
  });

  /**
   * Sends PICKS copies of `request`; meanwhile another client's PING is
   * answered; all replies arrive within the deadline and RSS stays bounded.
   */
  async function picks(request: string): Promise<Reply[]> {
    const rss = process.memoryUsage().rss;
    const pending = exchangeAll(attacker, request.repeat(PICKS), PICKS, PICKS_DEADLINE_MS);
    assert.equal(await healthy.command("PING\r\n", 7), "+PONG\r\n");
    const replies = await pending;
    assert.ok(
      process.memoryUsage().rss - rss < RSS_MARGIN,
      `RSS grew by ${process.memoryUsage().rss - rss} bytes`,
    );
    return replies;
  }

  it("SRANDMEMBER picks from a million members within the deadline", async () => {
    for (const reply of await picks(resp("SRANDMEMBER", "s"))) {
      assert.match(reply as string, /^m\d+$/);
    }
    const [distinct] = await picks(resp("SRANDMEMBER", "s", "5"));
    assert.equal(new Set(distinct as string[]).size, 5);
    const [repeated] = await picks(resp("SRANDMEMBER", "s", "-5"));
    assert.equal((repeated as string[]).length, 5);
  });

  it("HRANDFIELD picks from a million fields within the deadline", async () => {
    for (const reply of await picks(resp("HRANDFIELD", "h"))) {
      assert.match(reply as string, /^f\d+$/);
    }
    const [pairs] = await picks(resp("HRANDFIELD", "h", "-3", "WITHVALUES"));
    assert.equal((pairs as string[]).length, 6);
    assert.deepEqual([1, 3, 5].map((i) => (pairs as string[])[i]), ["v", "v", "v"]);
    const [distinct] = await picks(resp("HRANDFIELD", "h", "4"));
    assert.equal(new Set(distinct as string[]).size, 4);
  });

  it("ZRANDMEMBER with a count picks by rank within the deadline", async () => {
    const [pairs] = await picks(resp("ZRANDMEMBER", "z", "-2", "WITHSCORES"));
    const [member, score] = pairs as string[];
    assert.equal(member, `m${score}`);
    const [distinct] = await picks(resp("ZRANDMEMBER", "z", "3"));
    assert.equal(new Set(distinct as string[]).size, 3);
  });

  it("RANDOMKEY picks from a million keys within the deadline", async () => {
    await exchangeAll(attacker, resp("SELECT", "1"), 1, 5000);
    try {
      for (const reply of await picks(resp("RANDOMKEY"))) assert.match(reply as string, /^key:/);
    } finally {
      await exchangeAll(attacker, resp("SELECT", "0"), 1, 5000);
    }
  });

  it("SPOP removes random members within the deadline", async () => {
    const popped = await picks(resp("SPOP", "s"));
    assert.equal(new Set(popped).size, PICKS);
    const counted = await picks(resp("SPOP", "s", "3"));
    assert.equal(new Set(counted.flat()).size, PICKS * 3);
    const [card] = await exchangeAll(attacker, resp("SCARD", "s"), 1, 5000);
    assert.equal(card, MEMBERS - PICKS * 4);
    const [gone] = await exchangeAll(
      attacker,
      resp("SISMEMBER", "s", popped[0] as string),
      1,
      5000,
    );
    assert.equal(gone, 0);
  });
});

describe("RandomSet and RandomMap", () => {
  /** Counts `picks` random picks; every count must lie within 25% of the mean. */
  function assertUniform(pick: () => string, expected: readonly string[], picks: number): void {
    const counts = new Map<string, number>();
    for (let i = 0; i < picks; i++) {
      const key = pick();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [...expected].sort());
    const mean = picks / expected.length;
    for (const [key, count] of counts) {
      assert.ok(Math.abs(count - mean) < mean / 4, `${key} picked ${count} times, mean ${mean}`);
    }
  }

  it("randomKey() is uniform and follows adds and deletes", () => {
    const names = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const set = new RandomSet(names);
    assertUniform(() => set.randomKey(), names, 40_000);
    // Deletes after the index exists: swap-removes must keep it exact.
    for (let i = 0; i < 20; i += 2) set.delete(`m${i}`);
    set.delete("absent");
    set.add("m1");
    set.add("new");
    set.delete("m3");
    set.add("m3");
    const left = [...set];
    assert.equal(left.length, 11);
    assertUniform(() => set.randomKey(), left, 44_000);
    set.clear();
    set.add("only");
    assert.equal(set.randomKey(), "only");
  });

  it("SlottedMap picks stay exact when an entry moves between maps", () => {
    type Value = { slot?: number };
    const a = new SlottedMap<Value>();
    const b = new SlottedMap<Value>();
    const shared: Value = {};
    for (let i = 0; i < 10; i++) a.set(`k${i}`, i === 3 ? shared : {});
    b.set("x", {});
    a.randomKey();
    b.randomKey();
    // MOVE-like: stored in b first (its slot overwritten), then deleted from a.
    b.set("k3", shared);
    a.delete("k3");
    a.delete("k7");
    a.set("k3", {});
    const expectA = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k8", "k9"];
    assertUniform(() => a.randomKey(), expectA, 27_000);
    assertUniform(() => b.randomKey(), ["x", "k3"], 10_000);
    assert.deepEqual(Array.from({ length: a.size }, (_, i) => a.keyAt(i)).sort(), expectA);
  });

  it("keyAt() covers every key once and keeps iteration order", () => {
    const map = new RandomMap<number>([["a", 1], ["b", 2], ["c", 3], ["d", 4]]);
    map.keyAt(0);
    map.delete("b");
    map.set("e", 5);
    map.set("a", 9);
    assert.deepEqual([...map.keys()], ["a", "c", "d", "e"]);
    const positions = Array.from({ length: map.size }, (_, i) => map.keyAt(i));
    assert.deepEqual(positions.sort(), ["a", "c", "d", "e"]);
    assertUniform(() => map.randomKey(), ["a", "c", "d", "e"], 20_000);
  });
});

describe("random picks against redis-server", { skip: skipWithoutRedis() }, () => {
  let server: PulsarServer;
  let redis: RedisServer;

  before(async () => {
    server = await serve({ port: 0 });
    redis = await startRedisServer();
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /**
   * What is deterministic about a reply: errors, integers and nulls as they
   * are; for strings, whether they belong to `members`; for arrays, the
   * length, the distinct count (unless repeats are allowed) and the shape
   * of each item.
   */
  function shape(reply: Reply, members: ReadonlySet<string>, repeats: boolean): unknown {
    if (typeof reply === "string") return members.has(reply) ? "member" : reply;
    if (!Array.isArray(reply)) return reply;
    return {
      length: reply.length,
      distinct: repeats ? "random" : new Set(reply.map((r) => JSON.stringify(r))).size,
      items: [...new Set(reply.map((r) => JSON.stringify(shape(r, members, repeats))))].sort(),
    };
  }

  it("RANDOMKEY skips and deletes expired keys like Redis", async () => {
    const setup = [resp("SELECT", "2"), resp("SET", "live", "1")];
    for (let i = 0; i < 300; i++) setup.push(resp("SET", `gone${i}`, "x", "PX", "1"));
    const replies = await Promise.all(
      [server.addr.port, redis.port].map(async (port) => {
        const raw = await Raw.connect(port);
        await exchangeAll(raw, setup.join(""), setup.length, 10_000);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const picks = await exchangeAll(raw, resp("RANDOMKEY").repeat(20), 20, 10_000);
        raw.destroy();
        return picks;
      }),
    );
    // Giving up after a fixed number of tries would answer nil here.
    for (const picks of replies) assert.deepEqual(picks, new Array(20).fill("live"));
  });

  it("every count form has Redis's shape on hashtable-sized collections", async () => {
    const members = new Set<string>();
    const sadd = ["SADD", "s"];
    const hset = ["HSET", "h"];
    const zadd = ["ZADD", "z"];
    for (let i = 0; i < 300; i++) {
      members.add(`m${i}`);
      sadd.push(`m${i}`);
      hset.push(`m${i}`, "v");
      zadd.push("1", `m${i}`);
    }
    for (const name of ["v", "1", "s", "h", "z", "k"]) members.add(name);
    const steps: string[][] = [sadd, hset, zadd, ["SET", "k", "x"]];
    for (const count of ["0", "1", "5", "-5", "200", "299", "300", "301", "-400"]) {
      steps.push(["SRANDMEMBER", "s", count], ["HRANDFIELD", "h", count]);
      steps.push(["HRANDFIELD", "h", count, "WITHVALUES"], ["ZRANDMEMBER", "z", count]);
      steps.push(["ZRANDMEMBER", "z", count, "WITHSCORES"]);
    }
    steps.push(["SRANDMEMBER", "s"], ["HRANDFIELD", "h"], ["ZRANDMEMBER", "z"], ["RANDOMKEY"]);
    steps.push(["SRANDMEMBER", "k"], ["HRANDFIELD", "k", "2"], ["ZRANDMEMBER", "nokey", "-2"]);
    steps.push(["SPOP", "s"], ["SPOP", "s", "10"], ["SPOP", "s", "250"], ["SCARD", "s"]);
    steps.push(["SPOP", "s", "100"], ["EXISTS", "s"], ["SPOP", "k"], ["SPOP", "s", "-1"]);
    const request = steps.map((step) => resp(...step)).join("");
    const [ours, theirs] = await Promise.all(
      [server.addr.port, redis.port].map(async (port) => {
        const raw = await Raw.connect(port, 64 << 20);
        const replies = await exchangeAll(raw, request, steps.length, 10_000);
        raw.destroy();
        return replies.map((reply, i) => shape(reply, members, steps[i][2]?.startsWith("-")));
      }),
    );
    for (let i = 0; i < steps.length; i++) {
      assert.deepEqual(ours[i], theirs[i], steps[i].slice(0, 4).join(" "));
    }
  });
});
