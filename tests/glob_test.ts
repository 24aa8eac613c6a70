/**
 * Glob matching (`src/server/glob.ts`) has Redis's exact semantics and
 * polynomial time everywhere a pattern is matched: a table of edge cases
 * (checked against redis-server too, so the expectations are Redis's), a
 * seeded differential of random patterns x random strings through KEYS,
 * SCAN/HSCAN/SSCAN/ZSCAN MATCH and PUBSUB CHANNELS, and the hostile patterns
 * that used to wedge the server, sent to a CLI server in a child process so a
 * wedge fails at a deadline instead of hanging the test runner.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { globMatch, stringMatch } from "../src/server/glob.ts";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { encodeCommand, RawConn } from "./differential_harness.ts";
import { bytesOf, latin1 } from "./_raw_socket.ts";

const A40 = "a".repeat(40);
/** 20 stars between `a`s: exponential for a naive backtracking matcher. */
const EVIL = "a*".repeat(20) + "b";

const A5000 = "a".repeat(5000);
/** More patterns that take exponential time, or quadratic per star, when matched naively. */
const HOSTILE = [
  "*a".repeat(500) + "*b",
  "*?".repeat(500) + "*b",
  "*[a]".repeat(500) + "*b",
  "*a*" + "?".repeat(4000),
  "*a".repeat(1200), // over the nesting limit
];

/** [pattern, text, Redis's answer]; texts and patterns are latin1. */
const CASES: readonly (readonly [string, string, boolean])[] = [
  ["", "", true],
  ["*", "", false], // the empty text matches only the empty pattern
  ["**", "", false],
  ["?", "", false],
  ["*", "x", true],
  ["a*", "a", true],
  ["a**", "a", true],
  ["*a", "a", true],
  ["a*b", "ab", true],
  ["a*b", "acb", true],
  ["a*b", "acbd", false],
  ["*b*", "abc", true],
  ["?", "x", true],
  ["??", "x", false],
  ["[abc]", "b", true],
  ["[^abc]", "b", false],
  ["[^abc]", "d", true],
  ["[a-c]", "b", true],
  ["[c-a]", "b", true], // reversed range
  ["[a-c]", "d", false],
  ["[a-", "a", true], // unterminated: "a" and "-" are members
  ["[a-", "-", true],
  ["[a-", "b", false],
  ["[", "[", false], // empty unterminated class matches nothing
  ["[^", "x", true], // ... and its negation everything
  ["[]", "]", false],
  ["[]]", "]", false], // `]` closes at once; the second `]` is a literal
  ["[]]", "]]", false],
  ["[\\]]", "]", true],
  ["[a\\", "\\", true], // a trailing backslash in a class is literal
  ["[\\-a]", "-", true],
  ["[!a]", "!", true], // only `^` negates
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?x", "?x", true],
  ["a\\", "a\\", true], // a trailing backslash is literal
  ["[\x00-\x90]", "\xa0", true], // range bounds compare as signed chars
  ["[\x00-\x90]", "A", false],
  ["[\x00-\x90]", "\x00", true],
  ["h[ae]llo", "hallo", true],
  ["h[^e]llo", "hello", false],
  ["h*llo", "heeeello", true],
  [EVIL, A40, false],
  [EVIL, A40 + "b", true],
  ["*a".repeat(1000), "a".repeat(1000), true],
  ["*a".repeat(1001), "a".repeat(1001), false], // over Redis's nesting limit
  ["*a*" + "?".repeat(30), "a".repeat(200), true],
];

describe("stringMatch()", () => {
  it("stringMatch() decides every table case as Redis does", () => {
    for (const [pattern, text, expected] of CASES) {
      assert.equal(
        stringMatch(pattern, text),
        expected,
        `${JSON.stringify(pattern.slice(0, 40))} vs ${JSON.stringify(text.slice(0, 40))}`,
      );
    }
  });

  it("stringMatch() with nocase folds ASCII letters, in ranges too", () => {
    assert.equal(stringMatch("MAX*", "maxmemory", true), true);
    assert.equal(stringMatch("[M-N]ax", "max", true), true);
    assert.equal(stringMatch("MAX*", "maxmemory"), false);
    assert.equal(stringMatch("\xc9", "\xe9", true), false); // only ASCII folds
  });

  it("globMatch() lets a lone * match every key, the empty one too", () => {
    assert.equal(globMatch("*", ""), true);
    assert.equal(globMatch("**", ""), false);
    assert.equal(globMatch("user:*", "user:1"), true);
  });
});

/** A seeded PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A decoded RESP2 reply: bulk/simple strings as latin1, arrays as arrays. */
type Reply = string | number | null | Reply[] | { error: string };

function decode(bytes: Uint8Array): Reply {
  const text = latin1(bytes);
  let pos = 0;
  const line = (): string => {
    const end = text.indexOf("\r\n", pos);
    const out = text.slice(pos, end);
    pos = end + 2;
    return out;
  };
  const value = (): Reply => {
    const head = line();
    const rest = head.slice(1);
    switch (head[0]) {
      case "+":
        return rest;
      case "-":
        return { error: rest };
      case ":":
        return Number(rest);
      case "$": {
        const n = Number(rest);
        if (n < 0) return null;
        const out = text.slice(pos, pos + n);
        pos += n + 2;
        return out;
      }
      case "*": {
        const n = Number(rest);
        if (n < 0) return null;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) out.push(value());
        return out;
      }
      default:
        throw new Error(`Cannot decode reply: ${JSON.stringify(head)}`);
    }
  };
  return value();
}

function command(conn: RawConn, ...args: string[]): Promise<Reply> {
  return conn.command(...args.map(bytesOf)).then(decode);
}

/** Every element a SCAN-family command returns with MATCH, all pages, sorted. */
async function scanAll(conn: RawConn, prefix: string[], pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const reply = await command(conn, ...prefix, cursor, "MATCH", pattern, "COUNT", "1000");
    assert.ok(Array.isArray(reply), `${prefix[0]} replied ${JSON.stringify(reply)}`);
    cursor = reply[0] as string;
    out.push(...(reply[1] as string[]));
  } while (cursor !== "0");
  // ZSCAN/HSCAN pair elements with scores/values; keep the members.
  const members = prefix[0] === "ZSCAN" || prefix[0] === "HSCAN"
    ? out.filter((_, i) => i % 2 === 0)
    : out;
  return members.sort();
}

const TEXT_CHARS = ["a", "a", "a", "b", "b", "c", "A", "-", "]", "[", "^", "\\", "\x00", "\xe9"];
const PATTERN_CHARS = [...TEXT_CHARS, "*", "?"];

function randomText(random: () => number): string {
  const pick = () => TEXT_CHARS[Math.floor(random() * TEXT_CHARS.length)];
  let s = "";
  const n = Math.floor(random() * 9);
  for (let i = 0; i < n; i++) s += pick();
  return s;
}

function randomPattern(random: () => number): string {
  const char = () => PATTERN_CHARS[Math.floor(random() * PATTERN_CHARS.length)];
  let p = "";
  const tokens = 1 + Math.floor(random() * 7);
  for (let t = 0; t < tokens; t++) {
    const r = random();
    if (r < 0.3) p += "*";
    else if (r < 0.4) p += "?";
    else if (r < 0.5) p += "\\" + char();
    else if (r < 0.7) {
      p += "[";
      if (random() < 0.3) p += "^";
      const items = Math.floor(random() * 4);
      for (let i = 0; i < items; i++) {
        const k = random();
        if (k < 0.4) p += char();
        else if (k < 0.8) p += char() + "-" + char();
        else p += "\\" + char();
      }
      if (random() < 0.85) p += "]";
    } else p += char();
  }
  return p;
}

describe("glob matching against redis-server", { skip: skipWithoutRedis() }, () => {
  let redis: RedisServer;
  let server: PulsarServer;
  const conns: RawConn[] = [];
  let ours: RawConn;
  let theirs: RawConn;

  before(async () => {
    redis = await startRedisServer();
    server = await serve({ port: 0 });
    ours = await RawConn.connect(server.addr.port);
    theirs = await RawConn.connect(redis.port);
    conns.push(ours, theirs);
  });

  after(async () => {
    for (const conn of conns) await conn.close();
    await server?.shutdown();
    await redis?.stop();
  });

  it("the table of edge cases holds on redis-server (PUBSUB CHANNELS)", async () => {
    const subscriber = await RawConn.connect(redis.port);
    conns.push(subscriber);
    const texts = [...new Set(CASES.map(([, text]) => text))];
    subscriber.send(encodeCommand(["SUBSCRIBE", ...texts.map(bytesOf)]));
    for (let i = 0; i < texts.length; i++) await subscriber.readFrame();
    for (const [pattern, text, expected] of CASES) {
      const channels = await command(theirs, "PUBSUB", "CHANNELS", pattern) as string[];
      assert.equal(channels.includes(text), expected, JSON.stringify([pattern, text]));
    }
    await subscriber.close();
  });

  it("random patterns select the same keys, members and channels as Redis", async () => {
    const seed = Number(process.env.GLOB_SEED ?? 0x5eed);
    const random = mulberry32(seed);
    const texts = new Set<string>([""]);
    while (texts.size < 150) texts.add(randomText(random));
    const all = [...texts];
    const patterns = Array.from({ length: 400 }, () => randomPattern(random));
    patterns.push("*", "**", "?*", "*?");
    const subscribers: RawConn[] = [];
    for (const conn of [ours, theirs]) {
      await command(conn, "FLUSHALL");
      for (const text of all) {
        await command(conn, "SET", text, "v");
        await command(conn, "HSET", "{h}", text, "v");
        await command(conn, "SADD", "{s}", text);
        await command(conn, "ZADD", "{z}", "1", text);
      }
      const subscriber = await RawConn.connect(conn === ours ? server.addr.port : redis.port);
      conns.push(subscriber);
      subscribers.push(subscriber);
      subscriber.send(encodeCommand(["SUBSCRIBE", ...all.map(bytesOf)]));
      for (let i = 0; i < all.length; i++) await subscriber.readFrame();
    }
    for (const [i, pattern] of patterns.entries()) {
      const label = `seed ${seed}, pattern ${JSON.stringify(pattern)}`;
      const keys = await Promise.all(
        [ours, theirs].map((c) => command(c, "KEYS", pattern).then((r) => (r as string[]).sort())),
      );
      assert.deepEqual(keys[0], keys[1], `KEYS, ${label}`);
      const channels = await Promise.all(
        [ours, theirs].map((c) =>
          command(c, "PUBSUB", "CHANNELS", pattern).then((r) => (r as string[]).sort())
        ),
      );
      assert.deepEqual(channels[0], channels[1], `PUBSUB CHANNELS, ${label}`);
      // The embedded server's answer is stringMatch's: check it directly too.
      assert.deepEqual(channels[0], all.filter((t) => stringMatch(pattern, t)).sort(), label);
      if (i % 4 !== 0) continue;
      for (const prefix of [["SCAN"], ["HSCAN", "{h}"], ["SSCAN", "{s}"], ["ZSCAN", "{z}"]]) {
        const found = await Promise.all([ours, theirs].map((c) => scanAll(c, prefix, pattern)));
        assert.deepEqual(found[0], found[1], `${prefix[0]}, ${label}`);
      }
    }
    for (const subscriber of subscribers) await subscriber.close();
  });
});

/** Starts the CLI server in a child process; resolves with its port once it listens. */
function startCli(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const args = "Bun" in globalThis
    ? [cli, "--port", "0"]
    : ["run", "--allow-net", "--allow-read", "--allow-env", cli, "--port", "0"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Cannot start the CLI server: ${output}`));
    }, 20_000);
    const onData = (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const match = output.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start the CLI server: exited with ${code}: ${output}`));
    });
  });
}

describe("hostile glob patterns", { skip: skipWithoutRedis() }, () => {
  let redis: RedisServer;
  let cli: { child: ChildProcess; port: number; output: () => string };
  const conns: RawConn[] = [];

  before(async () => {
    redis = await startRedisServer();
    cli = await startCli();
  });

  after(async () => {
    for (const conn of conns) await conn.close();
    if (cli !== undefined && cli.child.exitCode === null) {
      const exited = new Promise((resolve) => cli.child.once("exit", resolve));
      cli.child.kill("SIGKILL");
      await exited;
    }
    await redis?.stop();
  });

  async function connect(port: number): Promise<RawConn> {
    const conn = await RawConn.connect(port);
    conns.push(conn);
    return conn;
  }

  it("KEYS, SCAN MATCH, PUBSUB CHANNELS and PSUBSCRIBE answer at once, as Redis does", async () => {
    const replies: string[][] = [];
    for (const port of [cli.port, redis.port]) {
      const conn = await connect(port);
      const watcher = await connect(port);
      const subscriber = await connect(port);
      const psubscriber = await connect(port);
      const out: string[] = [];
      // Every reply is awaited with a deadline; then a second client must get PONG.
      const step = async (...args: string[]) => {
        const reply = latin1(await conn.command(...args.map(bytesOf)));
        // SCAN cursors are implementation details; keep the elements.
        out.push(
          args[0].endsWith("SCAN") ? JSON.stringify((decode(bytesOf(reply)) as Reply[])[1]) : reply,
        );
        assert.equal(latin1(await watcher.command("PING")), "+PONG\r\n", `after ${args[0]}`);
      };
      await step("SET", A40, "v");
      await step("HSET", "h", A40, "v");
      await step("SADD", "s", A40);
      await step("ZADD", "z", "1", A40);
      await step("KEYS", EVIL);
      await step("SCAN", "0", "MATCH", EVIL, "COUNT", "100");
      await step("HSCAN", "h", "0", "MATCH", EVIL);
      await step("SSCAN", "s", "0", "MATCH", EVIL);
      await step("ZSCAN", "z", "0", "MATCH", EVIL);
      // Other shapes that backtrack: many stars before `?`, classes, literals.
      await step("SET", A5000, "v");
      for (const pattern of HOSTILE) await step("KEYS", pattern);
      subscriber.send(encodeCommand(["SUBSCRIBE", A40]));
      await subscriber.readFrame();
      await step("PUBSUB", "CHANNELS", EVIL);
      psubscriber.send(encodeCommand(["PSUBSCRIBE", EVIL]));
      await psubscriber.readFrame();
      await step("PUBLISH", A40, "m"); // the stored pattern is tried, does not match
      await step("PUBLISH", A40 + "b", "m"); // matches the pattern
      out.push(latin1(await psubscriber.readFrame()));
      replies.push(out);
    }
    assert.deepEqual(replies[0], replies[1]);
    assert.doesNotMatch(cli.output(), /threw/);
  });
});
