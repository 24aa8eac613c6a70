/**
 * Blocking list and sorted-set commands against both redis-server and
 * pulsards over TCP: wake-ups, timeouts, FIFO fairness, pipelined input
 * after a block, and clean-up when a blocked client disconnects. Each
 * scenario runs on both servers; the transcripts must match each other and
 * the expected replies.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeCommand, RawConn } from "./differential_harness.ts";
import { hasRedisServer, type RedisServer, startRedisServer } from "./_redis_server.ts";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { sleep } from "./_wait.ts";

const text = (bytes: Uint8Array): string => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};

/** A scenario: gets a connection factory, returns a transcript of replies. */
type Scenario = (open: () => Promise<RawConn>) => Promise<string[]>;

const required = (globalThis as { process?: { env: Record<string, string | undefined> } })
  .process?.env.REQUIRE_REDIS === "1";
const available = hasRedisServer();

describe("blocking commands (redis-server and pulsards)", () => {
  let redis: RedisServer | undefined;
  let server: PulsarServer | undefined;
  const opened: RawConn[] = [];

  before(async () => {
    server = await serve({ port: 0 });
    if (available) redis = await startRedisServer();
  });

  after(async () => {
    for (const conn of opened) await conn.close();
    await server?.shutdown();
    await redis?.stop();
  });

  /** Runs `scenario` on each available server and checks the transcripts. */
  async function check(scenario: Scenario, expected: string[]): Promise<void> {
    if (!available && required) assert.fail("redis-server is not installed but REQUIRE_REDIS=1");
    const ports = [server!.addr.port];
    if (redis !== undefined) ports.push(redis.port);
    for (const port of ports) {
      const open = async () => {
        const conn = await RawConn.connect(port);
        opened.push(conn);
        return conn;
      };
      const flush = await open();
      assert.equal(text(await flush.command("FLUSHALL")), "+OK\r\n");
      const transcript = await scenario(open);
      const who = port === redis?.port ? "redis-server" : "pulsards";
      assert.deepEqual(transcript, expected, `${who} transcript`);
    }
  }

  it("BLPOP is woken by a push from another client", async () => {
    await check(async (open) => {
      const a = await open();
      const b = await open();
      a.send(encodeCommand(["BLPOP", "q", "0"]));
      await sleep(50);
      const pushed = text(await b.command("RPUSH", "q", "x"));
      return [pushed, text(await a.readFrame()), text(await b.command("EXISTS", "q"))];
    }, [":1\r\n", "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", ":0\r\n"]);
  });

  it("BLPOP times out with a null array after roughly its timeout", async () => {
    await check(async (open) => {
      const a = await open();
      const started = Date.now();
      const reply = text(await a.command("BLPOP", "q", "0.2"));
      const elapsed = Date.now() - started;
      return [reply, elapsed >= 150 && elapsed < 2000 ? "timely" : `took ${elapsed} ms`];
    }, ["*-1\r\n", "timely"]);
  });

  it("BZPOPMIN times out with a null in RESP3", async () => {
    await check(async (open) => {
      const a = await open();
      await a.command("HELLO", "3");
      return [text(await a.command("BZPOPMIN", "z", "0.05"))];
    }, ["_\r\n"]);
  });

  it("three blocked clients are served in the order they blocked", async () => {
    await check(async (open) => {
      const clients = [await open(), await open(), await open()];
      for (const client of clients) {
        client.send(encodeCommand(["BRPOP", "q", "0"]));
        await sleep(30);
      }
      const pusher = await open();
      const pushed = text(await pusher.command("RPUSH", "q", "1", "2", "3"));
      const out = [pushed];
      for (const client of clients) out.push(text(await client.readFrame()));
      return out;
    }, [
      ":3\r\n",
      "*2\r\n$1\r\nq\r\n$1\r\n3\r\n",
      "*2\r\n$1\r\nq\r\n$1\r\n2\r\n",
      "*2\r\n$1\r\nq\r\n$1\r\n1\r\n",
    ]);
  });

  it("a client blocked on several keys keeps its place in each queue", async () => {
    await check(async (open) => {
      const a = await open();
      const b = await open();
      a.send(encodeCommand(["BLPOP", "k1", "k2", "0"]));
      await sleep(30);
      b.send(encodeCommand(["BLPOP", "k2", "0"]));
      await sleep(30);
      const pusher = await open();
      await pusher.command("RPUSH", "k2", "first");
      const first = text(await a.readFrame());
      await pusher.command("RPUSH", "k2", "second");
      return [first, text(await b.readFrame())];
    }, ["*2\r\n$2\r\nk2\r\n$5\r\nfirst\r\n", "*2\r\n$2\r\nk2\r\n$6\r\nsecond\r\n"]);
  });

  it("a blocked client that disconnects is forgotten", async () => {
    await check(async (open) => {
      const a = await open();
      const b = await open();
      a.send(encodeCommand(["BLPOP", "q", "0"]));
      await sleep(30);
      b.send(encodeCommand(["BLMOVE", "q", "d", "LEFT", "RIGHT", "0"]));
      await sleep(30);
      await a.close();
      await sleep(50);
      const pusher = await open();
      await pusher.command("RPUSH", "q", "v1");
      const moved = text(await b.readFrame());
      await b.close();
      await sleep(50);
      await pusher.command("RPUSH", "q", "v2");
      return [
        moved,
        text(await pusher.command("LRANGE", "q", "0", "-1")),
        text(await pusher.command("LRANGE", "d", "0", "-1")),
      ];
    }, ["$2\r\nv1\r\n", "*1\r\n$2\r\nv2\r\n", "*1\r\n$2\r\nv1\r\n"]);
  });

  it("a disconnect while blocked on a sorted set leaves the next client served", async () => {
    await check(async (open) => {
      const a = await open();
      const b = await open();
      a.send(encodeCommand(["BZPOPMAX", "z", "0"]));
      await sleep(30);
      b.send(encodeCommand(["BZPOPMAX", "z", "0"]));
      await sleep(30);
      await a.close();
      await sleep(50);
      const pusher = await open();
      await pusher.command("ZADD", "z", "1", "m", "2", "n");
      return [text(await b.readFrame()), text(await pusher.command("ZCARD", "z"))];
    }, ["*3\r\n$1\r\nz\r\n$1\r\nn\r\n$1\r\n2\r\n", ":1\r\n"]);
  });

  it("commands pipelined after a blocking command run after it is served", async () => {
    await check(async (open) => {
      const a = await open();
      a.send(encodeCommand(["BLPOP", "q", "0"]));
      a.send(encodeCommand(["RPUSH", "q", "own"]));
      a.send(encodeCommand(["LPOP", "q"]));
      await sleep(50);
      const pusher = await open();
      await pusher.command("RPUSH", "q", "other");
      return [text(await a.readFrame()), text(await a.readFrame()), text(await a.readFrame())];
    }, ["*2\r\n$1\r\nq\r\n$5\r\nother\r\n", ":1\r\n", "$3\r\nown\r\n"]);
  });

  it("BLMPOP and BZMPOP serve COUNT elements on wake-up", async () => {
    await check(async (open) => {
      const a = await open();
      const b = await open();
      a.send(encodeCommand(["BLMPOP", "0", "2", "l1", "l2", "LEFT", "COUNT", "2"]));
      b.send(encodeCommand(["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"]));
      await sleep(50);
      const pusher = await open();
      await pusher.command("RPUSH", "l2", "a", "b", "c");
      await pusher.command("ZADD", "z", "3", "c", "1", "a", "2", "b");
      return [text(await a.readFrame()), text(await b.readFrame())];
    }, [
      "*2\r\n$2\r\nl2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
      "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    ]);
  });

  it("BLMOVE replies WRONGTYPE when its destination changed type while blocked", async () => {
    await check(async (open) => {
      const a = await open();
      a.send(encodeCommand(["BLMOVE", "src", "dst", "LEFT", "LEFT", "0"]));
      await sleep(50);
      const other = await open();
      await other.command("SET", "dst", "string");
      await other.command("RPUSH", "src", "v");
      return [text(await a.readFrame()), text(await other.command("LLEN", "src"))];
    }, ["-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ":1\r\n"]);
  });
});
