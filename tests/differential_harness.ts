/**
 * Differential testing: the same command scripts run against a real
 * `redis-server` (the oracle) and against pulsards; raw reply bytes must be
 * identical, except where a step says how they legitimately differ.
 *
 * Add a family's scripts in their own file:
 *
 * ```ts
 * import { runDifferential } from "./differential_harness.ts";
 * runDifferential("hashes", [
 *   { name: "HSET/HGET", steps: [["HSET", "h", "f", "v"], ["HGET", "h", "f"]] },
 * ]);
 * ```
 *
 * Each script runs on fresh connections after FLUSHALL on both servers, in
 * RESP2, and again in RESP3 (after `HELLO 3`) unless `resp3: false`.
 * If `redis-server` is missing the suite is skipped with a notice, unless
 * `REQUIRE_REDIS=1` (then it fails).
 *
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { serve } from "../server.ts";
import { hasRedisServer, type RedisServer, startRedisServer } from "./_redis_server.ts";
import type { PulsarServer } from "../server.ts";

/** How replies of a step are compared. */
export type CompareMode =
  | "exact" // raw bytes identical (default)
  | "sorted" // an array reply whose element order may differ
  | "scan" // a [cursor, [elements]] reply: cursors "0" on both, elements sorted
  | "cursor" // a [cursor, [elements]] reply: only the cursors must match (the elements depend on Redis's random hash seed, e.g. SCAN -1)
  | "unordered" // the frames read by one step may come in any order
  | "type" // only the RESP type byte must match (e.g. TIME, CLIENT ID)
  | "skip"; // reply read but not compared

/** One step: a command (sent on client 0 unless `client` is set), or a read. */
export type Step =
  | (string | Uint8Array)[]
  | {
    /** The command; omit to only read a frame (pub/sub messages, blocked replies). */
    cmd?: (string | Uint8Array)[];
    /** Which connection (0..3); default 0. */
    client?: number;
    /** Send without waiting for a reply (BLPOP, SUBSCRIBE read later...). */
    noReply?: boolean;
    /** How many frames to read (default 1 when cmd is set and noReply is not). */
    read?: number;
    /** How to compare. */
    compare?: CompareMode;
    /** Wait this many ms before the step (timing-dependent scripts, e.g. TTL). */
    sleep?: number;
  };

/** A named sequence of steps. */
export interface Script {
  /** Test name. */
  name: string;
  /** The steps. */
  steps: Step[];
  /** Also run in RESP3 (default true). */
  resp3?: boolean;
  /** Also run in RESP2 (default true). */
  resp2?: boolean;
}

const encoder = new TextEncoder();
const decoderLatin1 = (bytes: Uint8Array) => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** The end offset of the RESP frame starting at `from`, or -1 when incomplete. */
export function frameEnd(buf: Uint8Array, from: number): number {
  if (from >= buf.length) return -1;
  const type = buf[from];
  const eol = lineEnd(buf, from);
  if (eol === -1) return -1;
  const line = decoderLatin1(buf.subarray(from + 1, eol));
  let pos = eol + 2;
  switch (String.fromCharCode(type)) {
    case "$":
    case "!":
    case "=": {
      const n = Number(line);
      if (n < 0) return pos;
      return pos + n + 2 <= buf.length ? pos + n + 2 : -1;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      let n = Number(line);
      if (n < 0) return pos;
      if (type === 37 || type === 124) n *= 2;
      for (let i = 0; i < n; i++) {
        pos = frameEnd(buf, pos);
        if (pos === -1) return -1;
      }
      if (type === 124) return frameEnd(buf, pos); // attribute precedes a value
      return pos;
    }
    default:
      return pos;
  }
}

/** A raw TCP connection that reads whole RESP frames. */
export class RawConn {
  #socket: net.Socket;
  #buf: Uint8Array = new Uint8Array(0);
  #waiter: (() => void) | null = null;
  #closed = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#buf = concat([this.#buf, new Uint8Array(chunk)]);
      this.#waiter?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#waiter?.();
    });
    socket.on("error", () => {});
  }

  /** Connects to `port` on 127.0.0.1. */
  static connect(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.off("error", reject);
        resolve(new RawConn(socket));
      });
      socket.once("error", reject);
      socket.setNoDelay(true);
    });
  }

  /** Sends raw bytes. */
  send(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Reads one complete frame; rejects after `timeoutMs`. */
  async readFrame(timeoutMs = 3000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const end = frameEnd(this.#buf, 0);
      if (end !== -1) {
        const frame = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end);
        return frame;
      }
      if (this.#closed) throw new Error("Cannot read reply: the connection closed");
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Cannot read reply: timed out, buffered ${JSON.stringify(decoderLatin1(this.#buf))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waiter = null;
          resolve();
        }, left);
        this.#waiter = () => {
          clearTimeout(timer);
          this.#waiter = null;
          resolve();
        };
      });
    }
  }

  /** Resolves when the peer closed the connection (or after `timeoutMs`). */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.#closed;
  }

  /** The bytes received but not read as frames. */
  get pending(): Uint8Array {
    return this.#buf;
  }

  /** Sends a command and reads its reply. */
  async command(...args: (string | Uint8Array)[]): Promise<Uint8Array> {
    this.send(encodeCommand(args));
    return await this.readFrame();
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve();
      this.#socket.once("close", () => resolve());
      this.#socket.destroy();
    });
  }
}

interface DecodedFrame {
  type: string;
  value: unknown;
}

/** Parses a frame into a comparable structure (for "sorted"/"scan"). */
function parseFrame(buf: Uint8Array, from = 0): [DecodedFrame, number] {
  const type = String.fromCharCode(buf[from]);
  const eol = lineEnd(buf, from);
  const line = decoderLatin1(buf.subarray(from + 1, eol));
  let pos = eol + 2;
  if (type === "$" || type === "=" || type === "!") {
    const n = Number(line);
    if (n < 0) return [{ type, value: null }, pos];
    return [{ type, value: decoderLatin1(buf.subarray(pos, pos + n)) }, pos + n + 2];
  }
  if ("*~>%".includes(type)) {
    let n = Number(line);
    if (n < 0) return [{ type, value: null }, pos];
    if (type === "%") n *= 2;
    const items: DecodedFrame[] = [];
    for (let i = 0; i < n; i++) {
      const [item, next] = parseFrame(buf, pos);
      items.push(item);
      pos = next;
    }
    return [{ type, value: items }, pos];
  }
  return [{ type, value: line }, pos];
}

function sortItems(frame: DecodedFrame, pairs: boolean): DecodedFrame {
  if (!Array.isArray(frame.value)) return frame;
  const items = frame.value as DecodedFrame[];
  if (pairs) {
    const grouped: string[] = [];
    for (let i = 0; i < items.length; i += 2) {
      grouped.push(JSON.stringify([items[i], items[i + 1]]));
    }
    return { type: frame.type, value: grouped.sort() };
  }
  return { type: frame.type, value: items.map((i) => JSON.stringify(i)).sort() };
}

const show = (bytes: Uint8Array) => JSON.stringify(decoderLatin1(bytes));

function compare(mode: CompareMode, ours: Uint8Array, theirs: Uint8Array, label: string): void {
  switch (mode) {
    case "skip":
      return;
    case "type":
      assert.equal(
        String.fromCharCode(ours[0]),
        String.fromCharCode(theirs[0]),
        `${label}: reply types differ: ours ${show(ours)}, redis ${show(theirs)}`,
      );
      return;
    case "sorted": {
      const a = sortItems(parseFrame(ours)[0], ours[0] === 37);
      const b = sortItems(parseFrame(theirs)[0], theirs[0] === 37);
      assert.deepEqual(a, b, `${label}: ours ${show(ours)}, redis ${show(theirs)}`);
      return;
    }
    case "scan":
    case "cursor": {
      const a = parseFrame(ours)[0].value as DecodedFrame[];
      const b = parseFrame(theirs)[0].value as DecodedFrame[];
      assert.ok(
        Array.isArray(a) && Array.isArray(b),
        `${label}: not arrays: ours ${show(ours)}, redis ${show(theirs)}`,
      );
      assert.deepEqual(
        a[0],
        b[0],
        `${label}: cursors differ: ours ${show(ours)}, redis ${show(theirs)}`,
      );
      if (mode === "cursor") return;
      assert.deepEqual(
        sortItems(a[1], false),
        sortItems(b[1], false),
        `${label}: ours ${show(ours)}, redis ${show(theirs)}`,
      );
      return;
    }
    default:
      assert.equal(show(ours), show(theirs), `${label}: ours ${show(ours)}, redis ${show(theirs)}`);
  }
}

/** Shared fixture: one redis-server and one pulsards per file. */
export interface Targets {
  /** The oracle's port. */
  redisPort: number;
  /** Our port. */
  oursPort: number;
  /** Our server. */
  server: PulsarServer;
}

async function runScript(targets: Targets, script: Script, resp3: boolean): Promise<void> {
  const conns: RawConn[][] = [[], []]; // [ours[], redis[]]
  const ports = [targets.oursPort, targets.redisPort];
  const get = async (side: number, index: number): Promise<RawConn> => {
    while (conns[side].length <= index) {
      const conn = await RawConn.connect(ports[side]);
      if (resp3) await conn.command("HELLO", "3");
      conns[side].push(conn);
    }
    return conns[side][index];
  };
  try {
    for (const side of [0, 1]) {
      const conn = await get(side, 0);
      const reply = decoderLatin1(await conn.command("FLUSHALL"));
      assert.equal(reply, "+OK\r\n", `FLUSHALL failed on ${side === 0 ? "pulsards" : "redis"}`);
    }
    for (let s = 0; s < script.steps.length; s++) {
      const raw = script.steps[s];
      const step = Array.isArray(raw) ? { cmd: raw } : raw;
      if (step.sleep) await new Promise((resolve) => setTimeout(resolve, step.sleep));
      const client = step.client ?? 0;
      const reads = step.read ?? (step.cmd !== undefined && !step.noReply ? 1 : 0);
      const label = `${script.name} [RESP${resp3 ? 3 : 2}] step ${s} ${
        step.cmd ? step.cmd.map((a) => typeof a === "string" ? a : "<bytes>").join(" ") : "(read)"
      }`;
      const replies: Uint8Array[][] = [[], []];
      for (const side of [0, 1]) {
        const conn = await get(side, client);
        if (step.cmd !== undefined) conn.send(encodeCommand(step.cmd));
      }
      for (const side of [0, 1]) {
        const conn = await get(side, client);
        for (let r = 0; r < reads; r++) {
          try {
            replies[side].push(await conn.readFrame());
          } catch (error) {
            throw new Error(
              `${label}: ${side === 0 ? "pulsards" : "redis"}: ${(error as Error).message}`,
            );
          }
        }
      }
      if (step.compare === "unordered") {
        const a = replies[0].map(show).sort();
        const b = replies[1].map(show).sort();
        assert.deepEqual(a, b, `${label}: ours ${a.join(" ")}, redis ${b.join(" ")}`);
        continue;
      }
      for (let r = 0; r < reads; r++) {
        compare(step.compare ?? "exact", replies[0][r], replies[1][r], label);
      }
    }
  } finally {
    for (const side of conns) for (const conn of side) await conn.close();
  }
}

/**
 * Registers a `describe` block that runs every script against redis-server
 * and pulsards and compares replies.
 *
 * @param name Suite name (the family).
 * @param scripts The scripts.
 */
export function runDifferential(name: string, scripts: Script[]): void {
  const available = hasRedisServer();
  const required = (globalThis as { process?: { env: Record<string, string | undefined> } })
    .process?.env.REQUIRE_REDIS === "1";
  describe(`differential ${name}`, () => {
    if (!available) {
      if (required) {
        it("redis-server is required (REQUIRE_REDIS=1)", () => {
          assert.fail("redis-server is not installed but REQUIRE_REDIS=1");
        });
      } else {
        console.log(`[differential ${name}] skipped: redis-server is not installed`);
      }
      return;
    }
    let redis: RedisServer;
    const targets = {} as Targets;
    before(async () => {
      redis = await startRedisServer();
      targets.redisPort = redis.port;
      targets.server = await serve({ port: 0 });
      targets.oursPort = targets.server.addr.port;
    });
    after(async () => {
      await targets.server?.shutdown();
      await redis?.stop();
    });
    for (const script of scripts) {
      if (script.resp2 !== false) {
        it(`${script.name} (RESP2)`, async () => await runScript(targets, script, false));
      }
      if (script.resp3 !== false) {
        it(`${script.name} (RESP3)`, async () => await runScript(targets, script, true));
      }
    }
  });
}
