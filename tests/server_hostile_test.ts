/**
 * Hostile or broken clients cannot crash or wedge the embedded server:
 * malformed RESP, huge declared lengths, deep nesting, disconnects in the
 * middle of a command, of MULTI and of BLPOP, a pub/sub subscriber that stops
 * reading, bad inline commands, and a seeded fuzz of mutated request frames.
 *
 * Every case checks what the offending client gets (compared byte for byte
 * with a real redis-server where Redis answers), then that a well-behaved
 * client still gets PING/SET/GET right. Raw sockets come from `node:net`.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { bytesOf, closeAllRaw, exchange, latin1, Raw, resp } from "./_raw_socket.ts";
import { sleep } from "./_wait.ts";

/** Reads `field` (an integer) from INFO on the server at `port`. */
async function infoField(port: number, field: string): Promise<number> {
  const raw = await Raw.connect(port);
  try {
    raw.send("INFO everything\r\n");
    await raw.until((data) => {
      const header = /^\$(\d+)\r\n/.exec(data);
      return header !== null && data.length >= header[0].length + Number(header[1]) + 2;
    });
    const match = new RegExp(`\\r\\n${field}:(\\d+)\\r\\n`).exec(raw.data);
    assert.ok(match, `INFO has no ${field}`);
    return Number(match[1]);
  } finally {
    raw.destroy();
    await raw.closeWait();
  }
}

/** Polls INFO until `field` equals `value` (at most `timeoutMs`). */
async function waitInfo(port: number, field: string, value: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    // INFO's own connection counts as a client.
    last = await infoField(port, field) - (field === "connected_clients" ? 1 : 0);
    if (last === value) return;
    await sleep(10);
  }
  assert.fail(`INFO ${field} stayed ${last}, expected ${value}`);
}

describe("embedded server against hostile clients", () => {
  let server: PulsarServer;
  let port = 0;
  let redis: RedisServer | undefined;
  let healthy: Raw;
  let healthChecks = 0;
  const logs: string[] = [];

  before(async () => {
    server = await serve({
      port: 0,
      pubsubOutputLimit: 256 * 1024,
      log: (line) => logs.push(line),
    });
    port = server.addr.port;
    if (!skipWithoutRedis()) redis = await startRedisServer();
    healthy = await Raw.connect(port);
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /**
   * A long-lived client and a fresh one both still get PING/SET/GET right, and
   * no command threw inside the server.
   */
  async function assertHealthy(): Promise<void> {
    const value = `v${++healthChecks}`;
    const request = "PING\r\n" + resp("SET", "health", value) + resp("GET", "health");
    const expected = `+PONG\r\n+OK\r\n$${value.length}\r\n${value}\r\n`;
    assert.equal(await healthy.command(request, expected.length), expected);
    const fresh = await Raw.connect(port);
    try {
      assert.equal(await fresh.command(request, expected.length), expected);
    } finally {
      fresh.destroy();
      await fresh.closeWait();
    }
    assert.deepEqual(logs.filter((line) => line.includes("threw")), []);
  }

  /**
   * Sends `payload` on a fresh connection; checks our reply and close against
   * `expected`, and against redis-server when it is installed.
   */
  async function hostile(
    payload: string,
    expected: { reply: string; closed: boolean },
  ): Promise<void> {
    const ours = await exchange(port, payload);
    assert.deepEqual(ours, { data: expected.reply, closed: expected.closed });
    if (redis !== undefined) {
      const theirs = await exchange(redis.port, payload);
      assert.deepEqual(ours, theirs, "redis-server answers differently");
    }
    await assertHealthy();
  }

  const protocolError = (message: string) => ({
    reply: `-ERR Protocol error: ${message}\r\n`,
    closed: true,
  });

  const malformed: [string, string, { reply: string; closed: boolean }][] = [
    ["a non-bulk element in a multibulk", "*1\r\n:1\r\n", protocolError("expected '$', got ':'")],
    [
      "a simple string element",
      "*2\r\n$4\r\nECHO\r\n+hi\r\n",
      protocolError("expected '$', got '+'"),
    ],
    [
      "a type byte other than '*' (an inline command)",
      "+PING\r\n",
      { reply: "-ERR unknown command '+PING', with args beginning with: \r\n", closed: false },
    ],
    ["a non-digit array length", "*abc\r\n", protocolError("invalid multibulk length")],
    [
      "a trailing junk array length",
      "*1x\r\n$4\r\nPING\r\n",
      protocolError("invalid multibulk length"),
    ],
    [
      "a zero-padded array length",
      "*01\r\n$4\r\nPING\r\n",
      protocolError("invalid multibulk length"),
    ],
    [
      "a space in an array length",
      "*1 \r\n$4\r\nPING\r\n",
      protocolError("invalid multibulk length"),
    ],
    ["a non-digit bulk length", "*1\r\n$abc\r\n", protocolError("invalid bulk length")],
    ["a signed bulk length", "*1\r\n$+3\r\nfoo\r\n", protocolError("invalid bulk length")],
    ["a negative bulk length", "*1\r\n$-1\r\n", protocolError("invalid bulk length")],
    ["a '-0' bulk length", "*1\r\n$-0\r\nx\r\n", protocolError("invalid bulk length")],
    [
      "negative and zero array lengths (skipped)",
      "*-5\r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n",
      { reply: "+PONG\r\n", closed: false },
    ],
    [
      "junk instead of the CRLF after bulk data (skipped like Redis)",
      "*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n",
      { reply: "+PONG\r\n+PONG\r\n", closed: false },
    ],
    ["a huge declared bulk length", "*1\r\n$2147483648\r\n", protocolError("invalid bulk length")],
    [
      "a bulk length above proto-max-bulk-len",
      "*1\r\n$536870913\r\n",
      protocolError("invalid bulk length"),
    ],
    ["a huge declared array length", "*2147483648\r\n", protocolError("invalid multibulk length")],
    [
      "a 23-digit array length",
      "*99999999999999999999999\r\n",
      protocolError("invalid multibulk length"),
    ],
    [
      "INT_MAX elements declared, none sent (nothing is allocated up front)",
      "*2147483647\r\n$4\r\nPING\r\n",
      { reply: "", closed: false },
    ],
    [
      "512 MiB declared, a few bytes sent",
      "*1\r\n$536870912\r\nabc",
      { reply: "", closed: false },
    ],
    ["deep nesting", "*1\r\n".repeat(1000), protocolError("expected '$', got '*'")],
    [
      "an array length line without CR, over 64 KiB",
      "*" + "1".repeat(70_000),
      protocolError("too big mbulk count string"),
    ],
    [
      "a bulk length line without CR, over 64 KiB",
      "*1\r\n$" + "1".repeat(70_000),
      protocolError("too big bulk count string"),
    ],
    [
      "inline command with an unbalanced double quote",
      'SET a "b\r\n',
      protocolError("unbalanced quotes in request"),
    ],
    [
      "inline command with an unbalanced single quote",
      "SET a 'b\r\nPING\r\n",
      protocolError("unbalanced quotes in request"),
    ],
    [
      "inline command with a closing quote followed by a character",
      'ECHO "a"b\r\n',
      protocolError("unbalanced quotes in request"),
    ],
    [
      "a 1 MiB inline line",
      "A".repeat(1 << 20) + "\r\n",
      protocolError("too big inline request"),
    ],
    [
      "an inline line over 64 KiB without newline",
      "GET " + "k".repeat(70_000),
      protocolError("too big inline request"),
    ],
  ];

  for (const [name, payload, expected] of malformed) {
    it(`request with ${name} is answered like redis-server; others carry on`, async () => {
      await hostile(payload, expected);
    });
  }

  it("an inline command with a NUL byte runs (Redis waits for 64 KiB instead)", async () => {
    // Redis looks for the newline with strchr(), which stops at the NUL: it
    // answers nothing until 64 KiB have arrived. We split the whole line.
    const ours = await exchange(port, "ECHO a\u0000b\r\nPING\r\n");
    assert.deepEqual(ours, { data: "$3\r\na\u0000b\r\n+PONG\r\n", closed: false });
    await assertHealthy();
  });

  it("a half-sent command followed by a disconnect never runs", async () => {
    for (const p of redis ? [port, redis.port] : [port]) {
      const raw = await Raw.connect(p);
      raw.send("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nva");
      await raw.settle(50);
      raw.destroy();
      await raw.closeWait();
      assert.equal(
        (await exchange(p, resp("EXISTS", "half"))).data,
        ":0\r\n",
        p === port ? "pulsards" : "redis",
      );
    }
    await waitInfo(port, "connected_clients", 1);
    await assertHealthy();
  });

  it("a disconnect in the middle of MULTI discards the queued commands", async () => {
    for (const p of redis ? [port, redis.port] : [port]) {
      const raw = await Raw.connect(p);
      raw.send("MULTI\r\nSET multi:k v\r\nINCR multi:n\r\n");
      await raw.until((data) => data === "+OK\r\n+QUEUED\r\n+QUEUED\r\n");
      raw.destroy();
      await raw.closeWait();
      await waitInfo(p, "connected_clients", p === port ? 1 : 0);
      const after = await exchange(p, "EXISTS multi:k multi:n\r\nEXEC\r\n");
      assert.equal(after.data, ":0\r\n-ERR EXEC without MULTI\r\n", p === port ? "ours" : "redis");
    }
    await assertHealthy();
  });

  it("a disconnect while blocked in BLPOP leaves a later LPUSH in the list", async () => {
    for (const p of redis ? [port, redis.port] : [port]) {
      const raw = await Raw.connect(p);
      raw.send(resp("BLPOP", "blocked:list", "0"));
      await waitInfo(p, "blocked_clients", 1);
      raw.destroy();
      await raw.closeWait();
      await waitInfo(p, "blocked_clients", 0);
      const reply = await exchange(
        p,
        resp("LPUSH", "blocked:list", "x") + resp("LRANGE", "blocked:list", "0", "-1") +
          resp("DEL", "blocked:list"),
      );
      assert.equal(reply.data, ":1\r\n*1\r\n$1\r\nx\r\n:1\r\n", p === port ? "ours" : "redis");
    }
    await assertHealthy();
  });

  it("a subscriber that stops reading is disconnected over the output limit; others carry on", async () => {
    const slow = await Raw.connect(port, 4096);
    const reader = await Raw.connect(port, 0);
    const publisher = await Raw.connect(port);
    try {
      slow.send(resp("SUBSCRIBE", "flood"));
      await slow.until((data) => data.endsWith(":1\r\n"));
      // Stop reading: the kernel buffers fill, then the server's output buffer.
      slow.socket.pause();
      reader.send(resp("SUBSCRIBE", "flood"));
      const subscribed = "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:2\r\n".length;
      await reader.until(() => reader.received >= subscribed);
      const payload = "x".repeat(4096);
      const batch = resp("PUBLISH", "flood", payload).repeat(16); // 64 KiB, below the 256 KiB limit
      let receivers = 2;
      let sent = 0;
      // Bounded: at most 128 MiB, far above the kernel buffers plus the limit.
      for (let round = 0; round < 2048 && receivers === 2; round++) {
        const replies = await publisher.command(batch, 16 * 4);
        sent += 16;
        receivers = Number(/:(\d)\r\n$/.exec(replies)?.[1]);
      }
      assert.equal(receivers, 1, `after ${sent} messages`);
      assert.ok(
        logs.some((line) => line.includes("over client-output-buffer-limit (pubsub)")),
        logs.join("\n"),
      );
      // The subscriber that reads got every message.
      const perMessage = resp("message", "flood", payload).length;
      await reader.until(() => reader.received >= subscribed + sent * perMessage, 20_000);
      assert.equal(reader.received, subscribed + sent * perMessage);
      await assertHealthy();
    } finally {
      for (const raw of [slow, reader, publisher]) {
        raw.destroy();
        await raw.closeWait();
      }
    }
    await waitInfo(port, "connected_clients", 1);
  });

  it("survives 2000 seeded random and mutated frames on fresh connections", async () => {
    const random = mulberry32(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const int = (n: number) => Math.floor(random() * n);
    const corpus = [
      resp("SET", "fz:a", "hello"),
      resp("GET", "fz:a"),
      resp("MSET", "fz:b", "1", "fz:c", "2"),
      resp("INCRBY", "fz:b", "10"),
      resp("APPEND", "fz:a", "xyz"),
      resp("LPUSH", "fz:l", "a", "b", "c"),
      resp("LRANGE", "fz:l", "0", "-1"),
      resp("HSET", "fz:h", "f", "v", "g", "w"),
      resp("HGETALL", "fz:h"),
      resp("SADD", "fz:s", "a", "b"),
      resp("ZADD", "fz:z", "1", "a", "2.5", "b"),
      resp("ZRANGE", "fz:z", "0", "-1", "WITHSCORES"),
      resp("EXPIRE", "fz:a", "100"),
      resp("SCAN", "0", "MATCH", "fz:*", "COUNT", "10"),
      resp("BLPOP", "fz:empty", "0"),
      resp("SUBSCRIBE", "fz:ch"),
      resp("PSUBSCRIBE", "fz:*"),
      resp("PUBLISH", "fz:ch", "m"),
      resp("MULTI") + resp("SET", "fz:m", "1") + resp("EXEC"),
      resp("WATCH", "fz:a") + resp("MULTI") + resp("INCR", "fz:b"),
      resp("HELLO", "3"),
      resp("CLIENT", "SETNAME", "fuzz"),
      resp("ECHO", "x".repeat(300)),
      resp("EVAL", "return 1", "0"),
      "PING\r\n",
      "SET fz:i 'a b' \"c\\x41\"\r\n",
      "GET fz:i\n",
      'ECHO "\\n\\t\\\\"\r\n',
    ];
    const bytes = (text: string) => bytesOf(text);
    const mutate = (frame: Uint8Array): Uint8Array => {
      let out = frame;
      for (let n = 1 + int(3); n > 0; n--) {
        switch (int(7)) {
          case 0: { // flip bytes
            out = out.slice();
            for (let k = 1 + int(4); k > 0 && out.length > 0; k--) {
              out[int(out.length)] ^= 1 << int(8);
            }
            break;
          }
          case 1: // truncate
            out = out.subarray(0, int(out.length + 1));
            break;
          case 2: { // duplicate a CRLF
            const text = latin1(out);
            const at = text.indexOf("\r\n", int(text.length));
            if (at !== -1) out = bytes(text.slice(0, at) + "\r\n" + text.slice(at));
            break;
          }
          case 3: { // replace a length with a random one
            const text = latin1(out);
            const lengths = [...text.matchAll(/[*$](-?\d+)\r\n/g)];
            if (lengths.length === 0) break;
            const m = pick(lengths);
            const value = pick([
              "-1",
              "-2",
              "0",
              String(int(20)),
              String(int(1 << 20)),
              "2147483648",
              "536870912",
              "99999999999999999999",
              "1a",
              "",
              " 3",
            ]);
            out = bytes(
              text.slice(0, m.index! + 1) + value + text.slice(m.index! + 1 + m[1].length),
            );
            break;
          }
          case 4: { // insert random bytes
            const junk = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
            const at = int(out.length + 1);
            const next = new Uint8Array(out.length + junk.length);
            next.set(out.subarray(0, at));
            next.set(junk, at);
            next.set(out.subarray(at), at + junk.length);
            out = next;
            break;
          }
          case 5: { // glue another frame
            const other = bytes(pick(corpus));
            const next = new Uint8Array(out.length + other.length);
            next.set(out);
            next.set(other, out.length);
            out = next;
            break;
          }
          default: // swap the type byte
            if (out.length > 0) {
              out = out.slice();
              out[0] = pick([42, 36, 43, 45, 58, 95, 44, 35, 33, 61, 40, 37, 126, 62, 124, 0]);
            }
        }
      }
      return out;
    };
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 4 === 0) {
        // Pure garbage, sometimes behind a plausible type byte.
        const junk = Uint8Array.from({ length: 1 + int(200) }, () => int(256));
        if (random() < 0.5) junk[0] = pick([42, 36, 43]);
        frames.push(junk);
      } else {
        frames.push(mutate(bytes(pick(corpus))));
      }
    }
    const baseline = await infoField(port, "used_memory");
    let next = 0;
    let wedged = 0;
    for (let done = 0; done < frames.length; done += 250) {
      const stop = Math.min(frames.length, done + 250);
      const workers: Promise<void>[] = [];
      const run = async () => {
        while (next < stop) {
          const frame = frames[next++];
          const raw = await Raw.connect(port, 0);
          raw.send(frame);
          raw.socket.end();
          if (!(await raw.closeWait(5000))) {
            wedged++;
            raw.destroy();
            await raw.closeWait();
          }
        }
      };
      for (let w = 0; w < 16; w++) workers.push(run());
      await Promise.all(workers);
      await assertHealthy();
    }
    assert.equal(wedged, 0, "connections the server did not close after the client's FIN");
    await waitInfo(port, "connected_clients", 1);
    await waitInfo(port, "blocked_clients", 0);
    const used = await infoField(port, "used_memory");
    assert.ok(used < baseline + 256 * 1024 * 1024, `used_memory grew from ${baseline} to ${used}`);
  });
});

/** A small seeded PRNG (mulberry32): the same seed gives the same frames. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
