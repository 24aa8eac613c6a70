/**
 * The embedded server's client connections under hostile use: command flags
 * as Redis 7.0 has them (and enforced: no_multi, admin/skip_monitor for
 * MONITOR), MONITOR lines built in bytes with secrets redacted, output-buffer
 * limits per client class, honest input accounting with back-pressure
 * (`Conn.pause`), and blocking timeouts longer than the runtime's timers.
 *
 * Each case sends the hostile input, then checks that another client gets
 * PING answered within a deadline, that memory stays bounded (the process's
 * RSS, with generous margins), and that replies match redis-server's.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serve } from "../server.ts";
import type { ServerCore } from "../src/server/server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { closeAllRaw, exchange, Raw, resp } from "./_raw_socket.ts";
import { eventually, sleep } from "./_wait.ts";
import { processRss, settledRss } from "./_memory.ts";
import { ARGUMENT_COST, RequestParser } from "../src/protocol/request_parser.ts";
import { clearLongTimeout, MAX_TIMER_DELAY, setLongTimeout } from "../src/server/long_timer.ts";

/** A parsed RESP2 reply; errors are `{ error }`. */
type Reply = string | number | null | { error: string } | Reply[];

/** Parses one RESP2 reply at `pos`; null when `data` holds only part of it. */
function parse(data: string, pos: number): [Reply, number] | null {
  const end = data.indexOf("\r\n", pos);
  if (end < 0) return null;
  const type = data[pos];
  const line = data.slice(pos + 1, end);
  const next = end + 2;
  if (type === "+") return [line, next];
  if (type === "-") return [{ error: line }, next];
  if (type === ":") return [Number(line), next];
  if (type === "$") {
    const length = Number(line);
    if (length < 0) return [null, next];
    if (data.length < next + length + 2) return null;
    return [data.slice(next, next + length), next + length + 2];
  }
  const count = Number(line);
  if (count < 0) return [null, next];
  const items: Reply[] = [];
  let at = next;
  for (let i = 0; i < count; i++) {
    const item = parse(data, at);
    if (item === null) return null;
    items.push(item[0]);
    at = item[1];
  }
  return [items, at];
}

/** Sends one command on a fresh connection and returns its parsed reply. */
async function call(port: number, ...args: string[]): Promise<Reply> {
  const raw = await Raw.connect(port, 64 << 20);
  try {
    raw.send(resp(...args));
    let parsed: [Reply, number] | null = null;
    await raw.until((data) => (parsed = parse(data, 0)) !== null, 10_000);
    return parsed![0];
  } finally {
    raw.destroy();
    await raw.closeWait();
  }
}

/** The process's resident set size, in MiB. */
function rssMiB(): number {
  return settledRss() / (1024 * 1024);
}

/** A server in a child process of this runtime (`cli.ts`), whose RSS is its own. */
async function startChildServer(): Promise<
  { port: number; rssMiB(): number; stop(): Promise<void> }
> {
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  const isDeno = "Deno" in globalThis;
  const args = isDeno ? ["run", "-A", cli, "--port", "0"] : [cli, "--port", "0"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port from cli.ts: ${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const match = /listening on [^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return {
    port,
    rssMiB: () => processRss(child.pid!) / (1024 * 1024),
    stop: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Flags Redis 7.0 reports that our `CommandFlag` vocabulary has. */
const FLAG_VOCABULARY = new Set([
  "write",
  "readonly",
  "denyoom",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "fast",
  "no_auth",
  "no_multi",
  "allow_busy",
]);

describe("embedded server client connections", () => {
  let server: ServerCore;
  let port = 0;
  let redis: RedisServer | undefined;
  const logs: string[] = [];

  before(async () => {
    server = await serve({ port: 0, log: (line) => logs.push(line) }) as ServerCore;
    port = server.addr.port;
    if (!skipWithoutRedis()) redis = await startRedisServer();
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /** A fresh client gets PING answered within a deadline, and no command threw. */
  async function assertHealthy(): Promise<void> {
    const fresh = await Raw.connect(port);
    try {
      assert.equal(await fresh.command("PING\r\n", 7), "+PONG\r\n");
    } finally {
      fresh.destroy();
      await fresh.closeWait();
    }
    assert.deepEqual(logs.filter((line) => line.includes("threw")), []);
  }

  /** Sends `payload` on a fresh connection to both servers; the answers must be equal. */
  async function sameAsRedis(payload: string, expected: string): Promise<void> {
    const ours = await exchange(port, payload);
    assert.equal(ours.data, expected);
    if (redis !== undefined) {
      const theirs = await exchange(redis.port, payload);
      assert.deepEqual(ours, theirs, "redis-server answers differently");
    }
  }

  it("COMMAND INFO flags equal redis-server's for every command both have", async (t) => {
    if (redis === undefined) return t.skip("redis-server is not installed");
    const flagsOf = (reply: Reply): Map<string, string[]> => {
      const flags = new Map<string, string[]>();
      const walk = (entry: Reply) => {
        if (!Array.isArray(entry)) return;
        flags.set(entry[0] as string, entry[2] as string[]);
        for (const sub of (entry[9] as Reply[] | undefined) ?? []) walk(sub);
      };
      for (const entry of reply as Reply[]) walk(entry);
      return flags;
    };
    const ours = flagsOf(await call(port, "COMMAND", "INFO"));
    const names = [...ours.keys()].filter((name) => !name.includes("|"));
    const theirs = flagsOf(await call(redis.port, "COMMAND", "INFO", ...names));
    const differences: string[] = [];
    let compared = 0;
    for (const [name, flags] of ours) {
      const expected = theirs.get(name);
      if (expected === undefined) continue; // ours only (pulsar.* commands)
      compared++;
      const a = flags.filter((f) => FLAG_VOCABULARY.has(f)).sort().join(",");
      const b = expected.filter((f) => FLAG_VOCABULARY.has(f)).sort().join(",");
      for (const flag of flags) {
        assert.ok(FLAG_VOCABULARY.has(flag), `${name}: unknown flag ${flag}`);
      }
      if (a !== b) differences.push(`${name}: ours ${a} | redis ${b}`);
    }
    assert.ok(compared > 200, `compared only ${compared} commands`);
    assert.deepEqual(differences, []);
  });

  it("SHUTDOWN and SAVE inside MULTI are refused and EXEC aborts, like Redis", async () => {
    const abort = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    const refused = "-ERR Command not allowed inside a transaction\r\n";
    await sameAsRedis(
      resp("MULTI") + resp("SET", "foo", "bar") + resp("SHUTDOWN") + resp("EXEC"),
      `+OK\r\n+QUEUED\r\n${refused}${abort}`,
    );
    await sameAsRedis(
      resp("MULTI") + resp("SAVE") + resp("SHUTDOWN", "NOSAVE") + resp("EXEC") +
        resp("EXISTS", "foo"),
      `+OK\r\n${refused}${refused}${abort}:0\r\n`,
    );
    await assertHealthy();
  });

  /** What a monitor sees while another client sends `commands`, timestamps and ports cut. */
  async function monitorSees(p: number, commands: string[]): Promise<string[]> {
    const monitor = await Raw.connect(p);
    const client = await Raw.connect(p);
    try {
      monitor.send("MONITOR\r\n");
      await monitor.until((data) => data === "+OK\r\n");
      monitor.take();
      for (const command of commands) {
        client.send(command);
        await client.settle(30);
      }
      client.send(resp("ECHO", "done"));
      await monitor.until((data) => data.includes('"ECHO" "done"'));
      return monitor.data.split("\r\n").filter((line) => line !== "").map((line) =>
        line.replace(/^\+\d+\.\d+ \[(\d+) [^\]]+\]/, "[$1]")
      );
    } finally {
      for (const raw of [monitor, client]) {
        raw.destroy();
        await raw.closeWait();
      }
    }
  }

  it("MONITOR shows what Redis shows: secrets redacted, admin commands hidden, EXEC last", async () => {
    const commands = [
      resp("AUTH", "secret"),
      resp("AUTH", "user", "secret"),
      resp("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "x"),
      resp("CONFIG", "GET", "maxmemory"),
      resp("CLIENT", "LIST"),
      resp("CLIENT", "ID"),
      resp("SET", "mon", 'x\u0000\u00ff"\\\n'),
      resp("MULTI") + resp("GET", "mon") + resp("EXEC"),
      resp("SELECT", "1") + resp("PING"),
    ];
    const expected = [
      '[0] "AUTH" "(redacted)"',
      '[0] "AUTH" "(redacted)" "(redacted)"',
      '[0] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"',
      '[0] "CLIENT" "ID"',
      '[0] "SET" "mon" "x\\x00\\xff\\"\\\\\\n"',
      '[0] "MULTI"',
      '[0] "GET" "mon"',
      '[0] "EXEC"',
      '[1] "SELECT" "1"',
      '[1] "PING"',
      '[1] "ECHO" "done"',
    ];
    assert.deepEqual(await monitorSees(port, commands), expected);
    if (redis !== undefined) assert.deepEqual(await monitorSees(redis.port, commands), expected);
    await assertHealthy();
  });

  it("a 20 MB SET seen by a monitor costs about the line once, not gigabytes", async () => {
    const monitor = await Raw.connect(port, 0);
    const client = await Raw.connect(port);
    try {
      monitor.send("MONITOR\r\n");
      await monitor.until(() => monitor.received === 5);
      const size = 20 * 1024 * 1024;
      const request = new TextEncoder().encode(resp("SET", "big", "v".repeat(size)));
      const before = rssMiB();
      client.send(request);
      await client.until((data) => data === "+OK\r\n", 20_000);
      // The line: a header, "SET" "big" and the quoted 20 MiB value.
      await monitor.until(() => monitor.received > 5 + size, 20_000);
      const grown = rssMiB() - before;
      // The request, the stored value and the line once each (a string built one
      // character at a time took 780 MiB and 7 s here).
      assert.ok(grown < 300, `RSS grew by ${grown.toFixed(0)} MiB`);
      await assertHealthy();
    } finally {
      for (const raw of [monitor, client]) {
        raw.destroy();
        await raw.closeWait();
      }
      await call(port, "DEL", "big");
    }
  });

  it("an unread MONITOR is closed at the pubsub output limit; others carry on", async () => {
    const limits = server.config.outputBufferLimits;
    const saved = { ...limits.pubsub };
    limits.pubsub = { hard: 4 * 1024 * 1024, soft: 0, softSeconds: 0 };
    const monitor = await Raw.connect(port, 0);
    const publisher = await Raw.connect(port, 0);
    try {
      monitor.send("MONITOR\r\n");
      await monitor.until(() => monitor.received === 5);
      monitor.socket.pause();
      const before = rssMiB();
      const batch = resp("PUBLISH", "nobody", "x".repeat(10 * 1024)).repeat(100); // ~1 MiB
      const closedByServer = () => server.monitors.size === 0;
      // Bounded: 256 MiB at most, far over the kernel buffers plus the 4 MiB limit.
      for (let round = 0; round < 256 && !closedByServer(); round++) {
        const expected = publisher.received + 4 * 100;
        publisher.send(batch);
        await publisher.until(() => publisher.received >= expected, 10_000);
      }
      const grown = rssMiB() - before;
      assert.ok(closedByServer(), "the monitor was not closed");
      assert.ok(logs.some((line) => line.includes("client-output-buffer-limit (pubsub)")));
      // A paused socket sees the close once it reads what the kernel holds.
      monitor.socket.resume();
      assert.ok(await monitor.closeWait(10_000), "the monitor's connection stayed open");
      assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MiB`);
      await assertHealthy();
    } finally {
      limits.pubsub = saved;
      for (const raw of [monitor, publisher]) {
        raw.destroy();
        await raw.closeWait();
      }
    }
  });

  it("a normal client over the hard output limit is closed; the soft limit waits its seconds", async () => {
    const limits = server.config.outputBufferLimits;
    await call(port, "SET", "chunk", "c".repeat(100 * 1024));
    /** Sends GETs and never reads; returns when the server closed it, and how long that took. */
    const unreadUntilClosed = async (requests: number): Promise<number> => {
      const raw = await Raw.connect(port, 0);
      raw.socket.pause(); // never reads: the output stays in the server
      const closes = () => logs.filter((line) => line.includes("buffer-limit (normal)")).length;
      const seen = closes();
      const started = Date.now();
      raw.send(resp("GET", "chunk").repeat(requests));
      await eventually(() => closes() > seen, 15_000);
      const took = Date.now() - started;
      raw.socket.resume();
      assert.ok(await raw.closeWait(10_000), "the connection stayed open");
      return took;
    };
    try {
      // Under 1 MiB: above that a client's own commands wait for it to read.
      limits.normal = { hard: 512 * 1024, soft: 0, softSeconds: 0 };
      await unreadUntilClosed(400); // 40 MiB of replies
      limits.normal = { hard: 0, soft: 512 * 1024, softSeconds: 1 };
      // Redis closes only after the soft limit held for its seconds.
      assert.ok(await unreadUntilClosed(400) >= 1000, "closed before the soft limit's seconds");
      await assertHealthy();
    } finally {
      limits.normal = { hard: 0, soft: 0, softSeconds: 0 };
      await call(port, "DEL", "chunk");
    }
  });

  it("client-output-buffer-limit 'pubsub 0 0 0' means no limit for subscribers, like Redis", async () => {
    const subscriber = await Raw.connect(port, 0); // counts bytes, keeps none
    const publisher = await Raw.connect(port);
    try {
      assert.equal(
        await publisher.command(
          resp("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0"),
          5,
        ),
        "+OK\r\n",
      );
      const confirmation = "*3\r\n$9\r\nsubscribe\r\n$9\r\nunlimited\r\n:1\r\n".length;
      subscriber.send(resp("SUBSCRIBE", "unlimited"));
      await subscriber.until(() => subscriber.received === confirmation);
      const message = "m".repeat(64 * 1024);
      publisher.send(resp("PUBLISH", "unlimited", message).repeat(50));
      await publisher.until((data) => data.length >= 4 * 50);
      assert.equal(publisher.data, ":1\r\n".repeat(50), "the subscriber was dropped");
      const delivered = confirmation + 50 * resp("message", "unlimited", message).length;
      await subscriber.until(() => subscriber.received === delivered, 10_000);
      assert.equal(subscriber.closed, false);
      await assertHealthy();
    } finally {
      await call(port, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
      for (const raw of [subscriber, publisher]) {
        raw.destroy();
        await raw.closeWait();
      }
    }
  });

  /**
   * Writes `chunk` repeatedly (at most `maxBytes`) until the socket stays
   * back-pressured for `stallMs`; returns the bytes the kernel accepted.
   */
  async function floodUntilStalled(
    raw: Raw,
    chunk: Uint8Array,
    maxBytes: number,
    stallMs = 1500,
  ): Promise<number> {
    let sent = 0;
    while (sent < maxBytes && !raw.closed) {
      const more = raw.socket.write(chunk);
      sent += chunk.length;
      if (more) continue;
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          raw.socket.off("drain", onDrain);
          resolve(false);
        }, stallMs);
        const onDrain = () => {
          clearTimeout(timer);
          resolve(true);
        };
        raw.socket.once("drain", onDrain);
      });
      if (!drained) break;
    }
    return sent - raw.socket.writableLength;
  }

  it("pipelined requests never read are held back by TCP, not by server memory", async () => {
    await call(port, "SET", "hundred", "h".repeat(100 * 1024));
    const hostile = await Raw.connect(port, 0);
    hostile.socket.pause(); // never reads its replies
    try {
      const before = rssMiB();
      hostile.send(resp("GET", "hundred").repeat(100)); // 10 MiB of replies, unread
      const exists = "*1001\r\n$6\r\nEXISTS\r\n" + "$0\r\n\r\n".repeat(1000);
      const chunk = new TextEncoder().encode(exists.repeat(64)); // 384 KiB, 64k arguments
      // 1 GiB would cost gigabytes if the server read it all.
      const accepted = await floodUntilStalled(hostile, chunk, 1024 * 1024 * 1024);
      const grown = rssMiB() - before;
      assert.ok(accepted < 512 * 1024 * 1024, `the server read ${accepted} bytes`);
      assert.ok(grown < 300, `RSS grew by ${grown.toFixed(0)} MiB after ${accepted} bytes`);
      await assertHealthy();
    } finally {
      hostile.destroy();
      await hostile.closeWait();
      await call(port, "DEL", "hundred");
    }
  });

  it("a pipeline whose replies pass the high-water mark is answered in full", async () => {
    const value = "p".repeat(100 * 1024);
    await call(port, "SET", "piped", value);
    const reply = `$${value.length}\r\n${value}\r\n`;
    const expected = reply.length * 60 + 7;
    // Over TCP, and in memory (where a write may be taken at once, with no promise).
    const tcp = await Raw.connect(port, 16 << 20);
    try {
      tcp.send(resp("GET", "piped").repeat(60) + "PING\r\n");
      await tcp.until((data) => data.length >= expected, 10_000);
      assert.ok(tcp.data === reply.repeat(60) + "+PONG\r\n");
    } finally {
      tcp.destroy();
      await tcp.closeWait();
    }
    const memory = server.connectMemory();
    let received = 0;
    let last = "";
    memory.read({
      data: (chunk) => {
        received += chunk.length;
        last = new TextDecoder().decode(chunk.subarray(-7));
      },
      end: () => {},
    });
    await memory.write(new TextEncoder().encode(resp("GET", "piped").repeat(60) + "PING\r\n"));
    await eventually(() => received >= expected, 10_000);
    assert.equal(received, expected);
    assert.equal(last, "+PONG\r\n");
    memory.close();
    await call(port, "DEL", "piped");
  });

  it("a blocked client's pipelined input pauses reading, and all of it runs after the unblock", async () => {
    const ids = new Set(server.clients.keys());
    const blocked = await Raw.connect(port, 0);
    try {
      blocked.send(resp("BLPOP", "wake:list", "0"));
      await eventually(() => server.blockedClients === 1, 5000);
      const client = [...server.clients.values()].find((c) => !ids.has(c.id))!;
      // 2M PINGs (12 MiB): far more than the queue holds before reading pauses.
      const pings = 2_000_000;
      const chunk = new TextEncoder().encode("PING\r\n".repeat(100_000));
      for (let i = 0; i < pings / 100_000; i++) blocked.socket.write(chunk);
      await eventually(() => client.pendingInput > 0, 5000);
      await sleep(300);
      // Queued while blocked: bounded by the pause, not by what was sent.
      assert.ok(client.pendingInput < 8 * 1024 * 1024, `queued ${client.pendingInput} bytes`);
      assert.ok(blocked.socket.writableLength > 0 || client.inputBytes < pings * 6);
      assert.equal(await call(port, "LPUSH", "wake:list", "x"), 1);
      const expected = "*2\r\n$9\r\nwake:list\r\n$1\r\nx\r\n".length + pings * 7;
      await blocked.until(() => blocked.received >= expected, 60_000);
      assert.equal(blocked.received, expected);
      await assertHealthy();
    } finally {
      blocked.destroy();
      await blocked.closeWait();
    }
  });

  it("plain PINGs never read stay bounded", async () => {
    const ids = new Set(server.clients.keys());
    const hostile = await Raw.connect(port, 0);
    hostile.socket.pause();
    try {
      const before = rssMiB();
      const chunk = new TextEncoder().encode("PING\r\n".repeat(64 * 1024));
      // 64 MiB of PINGs would be 75 MiB of replies.
      const accepted = await floodUntilStalled(hostile, chunk, 64 * 1024 * 1024);
      const client = [...server.clients.values()].find((c) => !ids.has(c.id))!;
      // Let the server run what it has read, then look at what it holds.
      let input = -1;
      await eventually(async () => {
        const last = input;
        input = client.inputBytes;
        await sleep(200);
        return input === last;
      }, 20_000);
      const held = client.pendingOutput + client.pendingInput;
      const grown = rssMiB() - before;
      assert.ok(held < 8 * 1024 * 1024, `the client holds ${held} bytes after ${input} read`);
      assert.ok(grown < 300, `RSS grew by ${grown.toFixed(0)} MiB after ${accepted} bytes`);
      await assertHealthy();
    } finally {
      hostile.destroy();
      await hostile.closeWait();
    }
  });

  it("one *2000000000 request of empty arguments is counted as it grows and closed at the limit", async () => {
    const saved = server.config.maxQueryBuffer;
    server.config.maxQueryBuffer = 64 * 1024 * 1024;
    const hostile = await Raw.connect(port, 0);
    try {
      const before = rssMiB();
      hostile.send("*2000000000\r\n");
      const chunk = new TextEncoder().encode("$0\r\n\r\n".repeat(64 * 1024));
      // 64 MiB of real cost is about 640k arguments (4 MiB on the wire).
      const accepted = await floodUntilStalled(hostile, chunk, 256 * 1024 * 1024);
      assert.ok(await hostile.closeWait(10_000), `not closed after ${accepted} bytes`);
      assert.ok(logs.some((line) => line.includes("client-query-buffer-limit")));
      const grown = rssMiB() - before;
      assert.ok(grown < 300, `RSS grew by ${grown.toFixed(0)} MiB`);
      await assertHealthy();
    } finally {
      server.config.maxQueryBuffer = saved;
      hostile.destroy();
      await hostile.closeWait();
    }
  });

  it("MULTI keeps queued arguments intact (binary, empty, large) and EXEC answers like Redis", async () => {
    const binary = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const large = "L".repeat(70_000);
    const payload = resp("MULTI") + resp("SET", "q:bin", binary) + resp("SET", "q:empty", "") +
      resp("SET", "q:large", large) + resp("MSET", "q:a", "1", "q:b", "2") +
      resp("MGET", "q:bin", "q:empty", "q:a", "q:b") + resp("STRLEN", "q:large") + resp("EXEC") +
      resp("DEL", "q:bin", "q:empty", "q:large", "q:a", "q:b");
    const queued = "+QUEUED\r\n".repeat(6);
    await sameAsRedis(
      payload,
      `+OK\r\n${queued}*6\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n` +
        `*4\r\n$256\r\n${binary}\r\n$0\r\n\r\n$1\r\n1\r\n$1\r\n2\r\n:70000\r\n:5\r\n`,
    );
    await assertHealthy();
  });

  it("MULTI with 1M queued SETs costs about what Redis's queue costs", async (t) => {
    if (process.platform !== "linux") return t.skip("reads the RSS of a child process with ps");
    // Its own process: the RSS of the test's process mixes in the test's garbage.
    const child = await startChildServer();
    const raw = await Raw.connect(child.port, 0);
    try {
      raw.send(resp("MULTI"));
      await raw.until(() => raw.received === 5);
      const before = child.rssMiB();
      const count = 1_000_000;
      for (let sent = 0; sent < count; sent += 10_000) {
        let batch = "";
        for (let i = sent; i < sent + 10_000; i++) batch += resp("SET", `q${i}`, "v");
        raw.send(batch);
        await raw.until(() => raw.received >= 5 + 9 * (sent + 10_000), 20_000);
      }
      const grown = child.rssMiB() - before;
      // Kept as parsed requests: 490 MiB on Deno, 270 MiB on Bun; redis-server: 150 MiB.
      assert.ok(grown < 220, `RSS grew by ${grown.toFixed(0)} MiB for ${count} queued commands`);
      const execReply = `*${count}\r\n` + "+OK\r\n".repeat(count);
      const expected = raw.received + execReply.length;
      raw.send(resp("EXEC"));
      await raw.until(() => raw.received >= expected, 60_000);
      assert.equal(raw.received, expected);
      assert.equal(await call(child.port, "GET", `q${count - 1}`), "v");
    } finally {
      raw.destroy();
      await raw.closeWait();
      await child.stop();
    }
  });

  it("BLPOP with a timeout over 24.8 days blocks, like Redis", async () => {
    for (const p of redis ? [port, redis.port] : [port]) {
      const blocked = await Raw.connect(p);
      try {
        blocked.send(resp("BLPOP", "far:list", "2147484"));
        const quiet = await blocked.settle(300, 1000);
        assert.equal(quiet.data, "", p === port ? "ours" : "redis");
        assert.equal(await call(p, "LPUSH", "far:list", "x"), 1);
        await blocked.until((data) => data.length > 0);
        assert.equal(blocked.take(), "*2\r\n$8\r\nfar:list\r\n$1\r\nx\r\n");
      } finally {
        blocked.destroy();
        await blocked.closeWait();
      }
    }
    await assertHealthy();
  });
});

describe("RequestParser.buffered", () => {
  it("counts every argument of an incomplete request, whatever the chunk splits", () => {
    const args = 3000; // over the fast path's 1024, so the general decoder holds them
    const request = `*${args}\r\n` + "$3\r\nabc\r\n".repeat(args);
    const bytes = new TextEncoder().encode(request + "*1\r\n$4\r\nPING\r\n");
    const header = `*${args}\r\n`.length;
    for (const step of [1, 7, 100, 4096]) {
      const seen: number[] = [];
      const parser = new RequestParser((value) => seen.push(value.length));
      let checked = 0;
      for (let at = 0; at < bytes.length; at += step) {
        parser.push(bytes.subarray(at, at + step));
        const pushed = Math.min(at + step, bytes.length);
        // Up to 16 KiB a partial request is kept as bytes; past that, arguments count.
        if (seen.length !== 0 || pushed <= 17 * 1024) continue;
        const held = Math.floor((pushed - header) / 9);
        const buffered = parser.buffered;
        assert.ok(buffered >= held * ARGUMENT_COST, `step ${step}: ${buffered} for ${held}`);
        assert.ok(buffered <= held * ARGUMENT_COST + pushed, `step ${step}: ${buffered}`);
        checked++;
      }
      assert.ok(checked > 0);
      assert.deepEqual(seen, [args, 1], `step ${step}`);
      assert.equal(parser.buffered, 0, `step ${step}`);
    }
  });
});

describe("setLongTimeout()", () => {
  it("does not fire early for delays over the runtime's timer range", async () => {
    let fired = false;
    const timer = setLongTimeout(() => (fired = true), MAX_TIMER_DELAY + 1);
    await sleep(50);
    clearLongTimeout(timer);
    assert.equal(fired, false);
  });

  it("fires short delays and can be cleared", async () => {
    let fired = 0;
    setLongTimeout(() => fired++, 1);
    const cleared = setLongTimeout(() => fired++, 5);
    clearLongTimeout(cleared);
    await sleep(50);
    assert.equal(fired, 1);
  });
});
