/**
 * Compact storage of collections in the embedded server: lists keep small
 * elements packed in chunks (ByteList), so millions of small elements cost a
 * few bytes each instead of a `Uint8Array` each; hashes keep short values as
 * latin1 strings (BytesMap); sorted-set nodes keep level 0 in fields
 * (SortedSet). Checks the list and the sorted set against simple models
 * under random operations, memory under a flood of empty RPUSH elements
 * (another client is answered meanwhile), and list and hash replies (binary
 * values of every size) byte for byte against redis-server.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { settledRss } from "./_memory.ts";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { closeAllRaw, Raw, resp } from "./_raw_socket.ts";
import { ByteList, CHUNK_ELEMENTS, SHARED_MAX } from "../src/server/byte_list.ts";
import { BytesMap, PACKED_MAX } from "../src/server/bytes_map.ts";
import { SortedSet } from "../src/server/sorted_set.ts";

/** A seeded PRNG (mulberry32): the same run every time. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("ByteList", () => {
  it("ByteList behaves like an array under random operations", () => {
    const random = prng(9);
    const sizes = [0, 1, 3, 16, 17, 100, SHARED_MAX, SHARED_MAX + 1, 2000];
    let serial = 0;
    const element = (): Uint8Array => {
      const n = sizes[Math.floor(random() * sizes.length)];
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (serial + i) & 255;
      serial++;
      return bytes;
    };
    const list = new ByteList();
    let model: Uint8Array[] = [];
    const check = (): void => {
      assert.equal(list.length, model.length);
      assert.deepEqual([...list], model);
      for (let i = 0; i < model.length; i += 1 + Math.floor(random() * 7)) {
        assert.deepEqual(list.at(i), model[i]);
        assert.deepEqual(list.at(i - model.length), model[i]);
        assert.ok(list.equalsAt(i, model[i]));
      }
    };
    for (let step = 0; step < 4000; step++) {
      const op = random();
      if (op < 0.3) {
        const item = element();
        list.pushBack(item);
        model.push(item);
      } else if (op < 0.6) {
        const item = element();
        list.pushFront(item);
        model.unshift(item);
      } else if (op < 0.72) {
        assert.deepEqual(list.popFront(), model.shift());
      } else if (op < 0.84) {
        assert.deepEqual(list.popBack(), model.pop());
      } else if (op < 0.9 && model.length > 0) {
        const index = Math.floor(random() * model.length);
        const item = element();
        list.set(index, item);
        model[index] = item;
      } else if (op < 0.93) {
        const index = Math.floor(random() * (model.length + 1));
        const item = element();
        list.insert(index, item);
        model.splice(index, 0, item);
      } else if (op < 0.95 && model.length > 0) {
        const target = model[Math.floor(random() * model.length)];
        const from = Math.floor(random() * model.length);
        const limit = 1 + Math.floor(random() * 3);
        let removed = 0;
        model = model.filter((item, i) => {
          if (i < from || removed >= limit || item.length !== target.length) return true;
          if (!item.every((byte, j) => byte === target[j])) return true;
          removed++;
          return false;
        });
        assert.equal(list.removeEqual(target, from, limit), removed);
      } else if (op < 0.96 && model.length > 0) {
        const start = Math.floor(random() * model.length);
        const end = start + Math.floor(random() * (model.length - start));
        list.trim(start, end);
        model = model.slice(start, end + 1);
      } else if (op < 0.97) {
        // Grow big enough for interior chunks.
        for (let i = 0; i < CHUNK_ELEMENTS * 3; i++) {
          const item = element();
          if (i % 2 === 0) {
            list.pushBack(item);
            model.push(item);
          } else {
            list.pushFront(item);
            model.unshift(item);
          }
        }
      }
      if (step % 50 === 0) check();
    }
    check();
    assert.equal(list.at(model.length), undefined);
    assert.equal(list.at(-model.length - 1), undefined);
  });

  it("ByteList reads are copies: writing one never changes the list", () => {
    const list = ByteList.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
    list.at(0)![0] = 9;
    list.popBack()![0] = 9;
    assert.deepEqual([...list], [new Uint8Array([1, 2])]);
  });
});

describe("BytesMap", () => {
  it("BytesMap keeps short values as strings and long ones in buffers of their own", () => {
    const slab = new Uint8Array(8192).map((_, i) => i & 255);
    const short = slab.subarray(250, 260);
    const long = slab.subarray(0, PACKED_MAX + 1);
    const map = new BytesMap([["s", short], ["l", long]]);
    assert.equal(typeof map.getStored("s"), "string");
    const stored = map.getStored("l") as Uint8Array;
    // A view would keep the whole 8 KiB slab alive.
    assert.equal(stored.buffer.byteLength, PACKED_MAX + 1);
    assert.deepEqual(map.get("s"), short.slice());
    assert.deepEqual(map.get("l"), long.slice());
    assert.equal(map.valueLength("s"), 10);
    map.get("s")![0] = 0;
    assert.deepEqual(map.get("s"), short.slice());
    const copy = new BytesMap(map);
    assert.deepEqual([...copy.keys()], ["s", "l"]);
    assert.deepEqual(copy.get("s"), short.slice());
    assert.equal(copy.randomKey().length, 1);
  });
});

describe("SortedSet", () => {
  it("SortedSet ranks, ranges and counts like a sorted array under random operations", () => {
    const random = prng(5);
    const zset = new SortedSet();
    const model = new Map<string, number>();
    const sorted = (): [string, number][] =>
      [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let step = 0; step < 3000; step++) {
      const member = `m${Math.floor(random() * 400)}`;
      const score = Math.floor(random() * 50);
      if (random() < 0.7) {
        assert.equal(zset.add(member, score), !model.has(member));
        model.set(member, score);
      } else {
        assert.equal(zset.delete(member), model.delete(member));
      }
      if (step % 100 !== 0) continue;
      const expected = sorted();
      assert.equal(zset.size, expected.length);
      assert.deepEqual([...zset], expected);
      assert.deepEqual(zset.range(0, expected.length - 1, true), [...expected].reverse());
      for (let rank = 0; rank < expected.length; rank += 7) {
        assert.deepEqual(zset.at(rank), expected[rank]);
        assert.equal(zset.rank(expected[rank][0]), rank);
      }
      const below = expected.filter(([, s]) => s < score).length;
      assert.equal(zset.countScoreBelow(score, false), below);
      assert.equal(
        zset.countScoreBelow(score, true),
        expected.filter(([, s]) => s <= score).length,
      );
      assert.deepEqual(zset.first(), expected[0]);
      assert.deepEqual(zset.last(), expected.at(-1));
    }
    assert.deepEqual([...zset.clone()], sorted());
  });

  it("SortedSet matches a sorted array through growth past many leaves and back to empty", () => {
    const random = prng(11);
    const zset = new SortedSet();
    const model = new Map<string, number>();
    const sorted = (): [string, number][] =>
      [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const check = (): void => {
      const expected = sorted();
      assert.equal(zset.size, expected.length);
      assert.deepEqual([...zset], expected);
      for (let k = 0; k < 40 && expected.length > 0; k++) {
        const rank = Math.floor(random() * expected.length);
        assert.deepEqual(zset.at(rank), expected[rank]);
        assert.equal(zset.rank(expected[rank][0]), rank);
        const stop = Math.min(expected.length - 1, rank + Math.floor(random() * 150));
        assert.deepEqual(zset.range(rank, stop), expected.slice(rank, stop + 1));
        assert.deepEqual(zset.range(rank, stop, true), expected.slice(rank, stop + 1).reverse());
        const score = Math.floor(random() * 60);
        assert.equal(
          zset.countScoreBelow(score, false),
          expected.filter(([, s]) => s < score).length,
        );
        assert.equal(
          zset.countScoreBelow(score, true),
          expected.filter(([, s]) => s <= score).length,
        );
      }
      assert.deepEqual(zset.first(), expected[0]);
      assert.deepEqual(zset.last(), expected.at(-1));
    };
    // Grow (duplicate scores, members re-scored), shrink to empty, grow again.
    for (const [steps, addShare] of [[30000, 0.85], [60000, 0.2], [20000, 0.9]] as const) {
      for (let step = 0; step < steps; step++) {
        const member = `m${Math.floor(random() * 20000)}`;
        const score = Math.floor(random() * 60);
        if (random() < addShare) {
          assert.equal(zset.add(member, score), !model.has(member));
          model.set(member, score);
        } else {
          assert.equal(zset.delete(member), model.delete(member));
        }
        if (step % 5000 === 0) check();
      }
      check();
    }
    for (const member of [...model.keys()]) {
      zset.delete(member);
      model.delete(member);
    }
    check();
    // Equal scores: lex counts follow member bytes.
    for (let i = 0; i < 5000; i++) zset.add(`k${Math.floor(random() * 100000)}`, 0);
    const members = [...zset].map(([member]) => member);
    for (let k = 0; k < 200; k++) {
      const probe = `k${Math.floor(random() * 100000)}`;
      assert.equal(zset.countLexBelow(probe, false), members.filter((m) => m < probe).length);
      assert.equal(zset.countLexBelow(probe, true), members.filter((m) => m <= probe).length);
    }
    // Ascending scores (appends) and a clone.
    for (let i = 0; i < 3000; i++) zset.add(`z${i}`, 1 + i);
    assert.deepEqual([...zset.clone()], [...zset]);
  });
});

/** The process's resident set size in bytes (after a full collection on Bun). */
function rss(): number {
  return settledRss();
}

describe("compact lists under a flood of small elements", () => {
  let server: PulsarServer;

  before(async () => {
    server = await serve({ port: 0 });
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
  });

  it("10M empty RPUSH elements stay within 60 bytes each while others are answered", async () => {
    const elements = 10_000_000;
    const batch = resp("RPUSH", "flood", ...new Array<string>(10_000).fill(""));
    const attacker = await Raw.connect(server.addr.port);
    const healthy = await Raw.connect(server.addr.port);
    const before = rss();
    let replies = 0;
    for (let sent = 0; sent < elements; sent += 10_000 * 40) {
      attacker.take();
      attacker.send(batch.repeat(40));
      replies += 40;
      const expected = `:${replies * 10_000}\r\n`;
      await attacker.until((data) => data.endsWith(expected), 60_000);
      assert.equal(await healthy.command("PING\r\n", 7), "+PONG\r\n");
    }
    // Redis keeps this in ~40 MB; a Uint8Array per element cost 1.07 GB. The
    // margin covers the garbage of parsing 10M arguments (RSS, not live heap).
    const grown = rss() - before;
    assert.ok(grown < elements * 60, `RSS grew by ${grown} bytes for ${elements} elements`);
    const tail = await healthy.command(resp("LRANGE", "flood", "-2", "-1"), 14);
    assert.equal(tail, "*2\r\n$0\r\n\r\n$0\r\n\r\n");
    assert.equal(await healthy.command(resp("LLEN", "flood"), 10), `:${elements}\r\n`);
  });
});

describe("compact collections against redis-server", { skip: skipWithoutRedis() }, () => {
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
   * Sends `steps` to both servers; their replies must be identical bytes.
   * `redisSetup` goes to redis-server first, replies unchecked.
   */
  async function sameReplies(steps: string[][], redisSetup: string[][] = []): Promise<void> {
    const request = steps.map((step) => resp(...step)).join("") + resp("ECHO", "end-of-steps");
    const setup = redisSetup.map((step) => resp(...step)).join("");
    const [ours, theirs] = await Promise.all(
      [server.addr.port, redis.port].map(async (port) => {
        const raw = await Raw.connect(port, 64 << 20);
        if (port === redis.port && setup !== "") {
          await raw.command(setup, 5 * redisSetup.length);
        }
        raw.send(request);
        await raw.until((data) => data.endsWith("$12\r\nend-of-steps\r\n"), 30_000);
        raw.destroy();
        return raw.data;
      }),
    );
    let at = 0;
    while (at < ours.length && ours[at] === theirs[at]) at++;
    assert.equal(
      JSON.stringify(ours.slice(at - 80, at + 80)),
      JSON.stringify(theirs.slice(at - 80, at + 80)),
      `replies differ at byte ${at} of ${theirs.length}`,
    );
    assert.equal(ours.length, theirs.length);
  }

  it("hash commands over binary values of every size reply byte for byte like Redis", async () => {
    const sizes = [0, 1, 5, 64, 65, 200, PACKED_MAX, PACKED_MAX + 1, 3000];
    const value = (i: number): string => {
      const n = sizes[i % sizes.length];
      return String.fromCharCode(...Array.from({ length: n }, (_, j) => (i * 37 + j * 7) & 255));
    };
    const steps: string[][] = [];
    for (let i = 0; i < 200; i++) steps.push(["HSET", "h", `f${i % 150}`, value(i)]);
    for (const key of ["h", "small"]) {
      steps.push(["HSET", "small", "a", "\x80\xff", "b", "12"]);
      steps.push(["HGETALL", key], ["HVALS", key], ["HKEYS", key], ["HLEN", key]);
      steps.push(["HMGET", key, "f1", "nofield", "f7", "a", "b"], ["HGET", key, "f8"]);
      steps.push(["HSTRLEN", key, "f7"], ["HSTRLEN", key, "a"], ["HSETNX", key, "f2", "x"]);
      steps.push(["HINCRBY", key, "b", "-100"], ["HINCRBYFLOAT", key, "b", "0.5"], [
        "HGET",
        key,
        "b",
      ]);
      steps.push(["HINCRBY", key, "a", "1"], ["HRANDFIELD", key, "1000", "WITHVALUES"]);
      steps.push(["HRANDFIELD", key, "0"], ["HRANDFIELD", "nokey", "-5"]);
      steps.push(["COPY", key, `${key}2`], ["HGETALL", `${key}2`], ["HDEL", key, "f3", "a"]);
      steps.push(["SORT", "l", "BY", "nosort", "GET", `${key}->f4`]);
    }
    // Listpack encoding keeps insertion order in Redis, as the embedded server does.
    await sameReplies([["RPUSH", "l", "x"], ...steps], [
      ["CONFIG", "SET", "hash-max-listpack-value", "100000"],
      ["CONFIG", "SET", "hash-max-listpack-entries", "100000"],
    ]);
  });

  it("list commands over mixed element sizes reply byte for byte like Redis", async () => {
    const random = prng(3);
    const sizes = [0, 1, 7, 64, 255, 256, 257, 600, 5000];
    const value = (i: number): string => {
      const n = sizes[i % sizes.length];
      return String.fromCharCode(...Array.from({ length: n }, (_, j) => (i * 31 + j) & 255));
    };
    const steps: string[][] = [];
    for (let i = 0; i < 1500; i++) {
      const op = random();
      const element = value(i);
      if (op < 0.35) steps.push(["RPUSH", "l", element, value(i + 1)]);
      else if (op < 0.7) steps.push(["LPUSH", "l", element]);
      else if (op < 0.75) steps.push(["LPOP", "l", "2"]);
      else if (op < 0.8) steps.push(["RPOP", "l"]);
      else if (op < 0.84) {
        steps.push(["LSET", "l", String(Math.floor(random() * 400) - 200), element]);
      } else if (op < 0.87) steps.push(["LINSERT", "l", "BEFORE", value(i - 9), element]);
      else if (op < 0.89) {
        steps.push(["LREM", "l", String(Math.floor(random() * 5) - 2), value(i - 18)]);
      } else if (op < 0.91) steps.push(["LPOS", "l", value(i - 27), "RANK", "-1", "COUNT", "0"]);
      else if (op < 0.95) steps.push(["LINDEX", "l", String(Math.floor(random() * 600) - 300)]);
      else if (op < 0.97) steps.push(["LRANGE", "l", String(Math.floor(random() * 300)), "-1"]);
      else if (op < 0.98) steps.push(["LTRIM", "l", "3", "-4"]);
      else steps.push(["LMOVE", "l", "m", "LEFT", "RIGHT"]);
    }
    steps.push(["LRANGE", "l", "0", "-1"], ["LRANGE", "m", "0", "-1"], ["LLEN", "l"]);
    steps.push(["SORT", "l", "BY", "nosort", "STORE", "s"], ["LRANGE", "s", "0", "-1"]);
    steps.push(["COPY", "l", "c"], ["LRANGE", "c", "0", "-1"]);
    const request = steps.map((step) => resp(...step)).join("") + resp("ECHO", "end-of-steps");
    const [ours, theirs] = await Promise.all(
      [server.addr.port, redis.port].map(async (port) => {
        const raw = await Raw.connect(port, 64 << 20);
        raw.send(request);
        await raw.until((data) => data.endsWith("$12\r\nend-of-steps\r\n"), 30_000);
        raw.destroy();
        return raw.data;
      }),
    );
    let at = 0;
    while (at < ours.length && ours[at] === theirs[at]) at++;
    assert.equal(
      JSON.stringify(ours.slice(at - 80, at + 80)),
      JSON.stringify(theirs.slice(at - 80, at + 80)),
      `replies differ at byte ${at} of ${theirs.length}`,
    );
    assert.equal(ours.length, theirs.length);
  });
});
