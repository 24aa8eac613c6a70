/**
 * Behaviour of the data-type families that a byte-for-byte comparison with
 * redis-server cannot check: random sampling, incremental SCAN over large
 * containers, Redis 7.2's ZRANK WITHSCORE, and the exact `long double`
 * arithmetic behind HINCRBYFLOAT.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RawConn } from "./differential_harness.ts";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { RespDecoder } from "../src/protocol/decoder.ts";
import type { RespValue } from "../src/protocol/types.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  parseLongDoubleExact,
} from "../src/server/commands/_long_double.ts";
import { parseDouble, strtod } from "../src/server/commands/_collections.ts";

const encoder = new TextEncoder();

/** Decoded reply with bulk strings as latin1 JS strings. */
type Plain = string | number | bigint | boolean | null | Error | Plain[];

function plain(value: RespValue): Plain {
  if (value instanceof Uint8Array) {
    let s = "";
    for (const b of value) s += String.fromCharCode(b);
    return s;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Set) return [...value].map(plain);
  if (value instanceof Map) return [...value].flatMap(([k, v]) => [plain(k), plain(v)]);
  if (value instanceof Error) return value;
  return value as Plain;
}

async function query(conn: RawConn, ...args: string[]): Promise<Plain> {
  const frame = await conn.command(...args);
  let result: RespValue | undefined;
  new RespDecoder((value) => (result = value)).push(frame);
  return plain(result!);
}

describe("data types on pulsards", () => {
  let server: PulsarServer;
  let conn: RawConn;

  before(async () => {
    server = await serve({ port: 0 });
    conn = await RawConn.connect(server.addr.port);
  });

  after(async () => {
    await conn.close();
    await server.shutdown();
  });

  it("ZRANK and ZREVRANK accept WITHSCORE (Redis 7.2)", async () => {
    await query(conn, "FLUSHALL");
    await query(conn, "ZADD", "z", "1.5", "a", "2", "b");
    assert.deepEqual(await query(conn, "ZRANK", "z", "b", "WITHSCORE"), [1, "2"]);
    assert.deepEqual(await query(conn, "ZREVRANK", "z", "b", "withscore"), [0, "2"]);
    assert.equal(await query(conn, "ZRANK", "z", "nope", "WITHSCORE"), null);
    assert.match(String(await query(conn, "ZRANK", "z", "a", "FOO")), /syntax error/);
    assert.match(String(await query(conn, "ZRANK", "z", "a", "b", "c")), /wrong number/);
    await query(conn, "HELLO", "3");
    assert.deepEqual(await query(conn, "ZRANK", "z", "a", "WITHSCORE"), [0, 1.5]);
    await query(conn, "HELLO", "2");
  });

  it("HRANDFIELD, SRANDMEMBER and ZRANDMEMBER sample like Redis", async () => {
    await query(conn, "FLUSHALL");
    const fields: string[] = [];
    for (let i = 0; i < 20; i++) fields.push(`f${i}`, `v${i}`);
    await query(conn, "HSET", "h", ...fields);
    await query(conn, "SADD", "s", ...fields.filter((_, i) => i % 2 === 0));
    await query(conn, "ZADD", "z", ...fields.flatMap((f, i) => i % 2 ? [] : [String(i), f]));
    for (const [cmd, key] of [["HRANDFIELD", "h"], ["SRANDMEMBER", "s"], ["ZRANDMEMBER", "z"]]) {
      const distinct = (await query(conn, cmd, key, "7")) as string[];
      assert.equal(distinct.length, 7, `${cmd} 7`);
      assert.equal(new Set(distinct).size, 7, `${cmd} 7 is distinct`);
      for (const item of distinct) assert.match(item, /^f\d+$/);
      const repeated = (await query(conn, cmd, key, "-50")) as string[];
      assert.equal(repeated.length, 50, `${cmd} -50`);
      const single = await query(conn, cmd, key);
      assert.match(String(single), /^f\d+$/);
    }
    const withValues = (await query(conn, "HRANDFIELD", "h", "3", "WITHVALUES")) as string[];
    assert.equal(withValues.length, 6);
    for (let i = 0; i < 6; i += 2) assert.equal(withValues[i + 1], `v${withValues[i].slice(1)}`);
  });

  it("SPOP with a count removes distinct random members", async () => {
    await query(conn, "FLUSHALL");
    const members: string[] = [];
    for (let i = 0; i < 100; i++) members.push(`m${i}`);
    await query(conn, "SADD", "s", ...members);
    const popped = (await query(conn, "SPOP", "s", "30")) as string[];
    assert.equal(new Set(popped).size, 30);
    assert.equal(await query(conn, "SCARD", "s"), 70);
    for (const member of popped) assert.equal(await query(conn, "SISMEMBER", "s", member), 0);
  });

  for (
    const [type, fill, scan] of [
      ["hash", "HSET", "HSCAN"],
      ["set", "SADD", "SSCAN"],
      ["zset", "ZADD", "ZSCAN"],
    ] as const
  ) {
    it(`${scan} walks a large ${type} incrementally and returns every stable element`, async () => {
      await query(conn, "FLUSHALL");
      const n = 1000;
      const args: string[] = [];
      for (let i = 0; i < n; i++) {
        if (fill === "SADD") args.push(`e${i}`);
        else if (fill === "HSET") args.push(`e${i}`, "v");
        else args.push(String(i), `e${i}`);
      }
      await query(conn, fill, "k", ...args);
      const seen = new Set<string>();
      let cursor = "0";
      let calls = 0;
      do {
        const [next, items] = (await query(conn, scan, "k", cursor, "COUNT", "50")) as [
          string,
          string[],
        ];
        cursor = next;
        const step = type === "set" ? 1 : 2;
        for (let i = 0; i < items.length; i += step) seen.add(items[i]);
        calls++;
        if (calls === 3) {
          // Writes during the scan: the elements present throughout are still all returned.
          await query(conn, type === "hash" ? "HDEL" : type === "set" ? "SREM" : "ZREM", "k", "e0");
          if (fill === "SADD") await query(conn, "SADD", "k", "late");
          else if (fill === "HSET") await query(conn, "HSET", "k", "late", "v");
          else await query(conn, "ZADD", "k", "5", "late");
        }
      } while (cursor !== "0" && calls < 1000);
      assert.ok(calls > 5, `expected several calls, got ${calls}`);
      for (let i = 1; i < n; i++) assert.ok(seen.has(`e${i}`), `e${i} missing`);
      const matched = (await query(conn, scan, "k", "0", "MATCH", "e99*", "COUNT", "5000")) as [
        string,
        string[],
      ];
      assert.equal(matched[0], "0");
      assert.equal(matched[1].length / (type === "set" ? 1 : 2), 11);
    });
  }

  it("a list keeps working as a queue across ring-buffer growth", async () => {
    await query(conn, "FLUSHALL");
    for (let round = 0; round < 5; round++) {
      const items: string[] = [];
      for (let i = 0; i < 40; i++) items.push(`${round}:${i}`);
      await query(conn, "RPUSH", "q", ...items);
      await query(conn, "LPUSH", "q", `head${round}`);
      assert.equal(await query(conn, "LPOP", "q"), `head${round}`);
      const popped = (await query(conn, "LPOP", "q", "20")) as string[];
      assert.equal(popped.length, 20);
    }
    assert.equal(await query(conn, "LLEN", "q"), 100);
    assert.deepEqual(await query(conn, "LRANGE", "q", "0", "1"), ["2:20", "2:21"]);
  });
});

describe("long double emulation", () => {
  const ld = (text: string) => {
    const value = parseLongDoubleExact(encoder.encode(text));
    assert.ok(value !== null, `${text} parses`);
    return value;
  };

  it("formatLongDoubleHuman() prints %.17Lf without trailing zeros", () => {
    assert.equal(formatLongDoubleHuman(ld("1.5")), "1.5");
    assert.equal(formatLongDoubleHuman(ld("-0")), "0");
    assert.equal(formatLongDoubleHuman(ld("-0.0000000000000000001")), "0");
    assert.equal(formatLongDoubleHuman(ld("123456789.123456789")), "123456789.12345678899873747");
    assert.equal(formatLongDoubleHuman(ld("1e25")), "10000000000000000000000000");
    assert.equal(formatLongDoubleHuman(ld("0x1p3")), "8");
  });

  it("addLongDouble() rounds to a 64-bit significand like x87", () => {
    assert.equal(formatLongDoubleHuman(addLongDouble(ld("1.1"), ld("0.2"))), "1.3");
    assert.equal(formatLongDoubleHuman(addLongDouble(ld("0.1"), ld("0.2"))), "0.3");
    assert.equal(formatLongDoubleHuman(addLongDouble(ld("10.5"), ld("-0.1"))), "10.4");
    assert.equal(formatLongDoubleHuman(addLongDouble(ld("1"), ld("-1"))), "0");
  });

  it("parseLongDoubleExact() rejects what strtold-based parsing rejects", () => {
    for (const bad of ["", " 1", "1 ", "abc", "nan", "1e", ".", "1e-5000", "1e5000", "0x"]) {
      assert.equal(parseLongDoubleExact(encoder.encode(bad)), null, JSON.stringify(bad));
    }
  });

  it("parseDouble() and strtod() follow getDoubleFromObject and zslParseRange", () => {
    assert.equal(parseDouble(encoder.encode("1.5")), 1.5);
    assert.equal(parseDouble(encoder.encode("-inf")), -Infinity);
    assert.equal(parseDouble(encoder.encode("1e400")), null);
    assert.equal(parseDouble(encoder.encode("1e-400")), null);
    assert.equal(parseDouble(encoder.encode("")), null);
    assert.equal(parseDouble(encoder.encode("nan")), null);
    assert.equal(strtod(encoder.encode("")), 0);
    assert.equal(strtod(encoder.encode(" 2")), 2);
    assert.equal(strtod(encoder.encode("1e400")), Infinity);
    assert.equal(strtod(encoder.encode("2x")), null);
  });
});
