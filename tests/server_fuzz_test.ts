/**
 * A seeded fuzz of whole commands against the embedded server over TCP.
 *
 * Command names come from the server's own command table
 * (`new CommandTable()`); arguments follow each command's syntax as
 * redis-server 7.0 describes it in `COMMAND DOCS` (tokens, optional and
 * repeated groups, one-of choices), filled with values chosen to collide and
 * to sit on edges: keys from a small pool (so types clash), numbers at
 * 0/±1/2^31/2^32/2^53/2^63 and beyond, NaN, inf, malformed numbers, glob
 * patterns, and a few mutations (a dropped, extra or swapped argument).
 *
 * After every command: another client gets PING answered within a deadline,
 * the process's RSS stays under a bound, and the server logged no internal
 * error ("... threw"). On failure the seed and the last commands are printed;
 * replay with `FUZZ_SEED=<seed>`. `FUZZ_SECONDS` (default 20) sets the
 * duration per runtime; `FUZZ_HUGE=1` lets offsets and counts be huge (see
 * {@linkcode SIZED}); `FUZZ_VERBOSE=1` prints which commands got past
 * validation and the most frequent errors (to keep the grammar productive).
 *
 * The grammar needs redis-server (started only to read `COMMAND DOCS`); the
 * suite is skipped without it, like the other suites against real Redis.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { CommandTable, FLAG_BLOCKING } from "../src/server/commands/mod.ts";
import type { Command } from "../src/server/commands/mod.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { bytesOf, Raw, resp } from "./_raw_socket.ts";
import { encodeCommand, frameEnd } from "./differential_harness.ts";

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** RSS may grow this much over the baseline (the server runs in this process). */
const RSS_MARGIN = Number(process.env.FUZZ_RSS_MB ?? 768) * 1024 * 1024;
/** How long a healthy server may take to answer PING (a generous deadline, not a timing test). */
const PING_DEADLINE_MS = 10_000;
/** How long a non-blocking command may take to answer before it counts as wedged. */
const REPLY_DEADLINE_MS = 10_000;
/** A blocking command that has not answered by then is abandoned (its client reconnects). */
const BLOCKED_GIVE_UP_MS = 200;

/**
 * Commands left out, each because it legitimately stops or silences things:
 * SHUTDOWN stops the server; DEBUG (SLEEP, SEGFAULT...) exists to stall or
 * crash it; CLIENT KILL may drop the health-check client; CLIENT REPLY OFF
 * silences the fuzzing client.
 */
const EXCLUDED = new Set(["shutdown", "debug", "client|kill", "client|reply"]);

/**
 * CONFIG SET parameters left out, each because it disconnects or locks out
 * other clients by design (requirepass, maxclients, timeout,
 * client-output-buffer-limit down to 1 byte, bind, port) or writes files
 * (dir, dbfilename, save, appendonly). A maxmemory the fuzz sets is reset
 * every few hundred commands so writes are not refused for the rest of a run.
 */
const CONFIG_EXCLUDED = new Set([
  "requirepass",
  "maxclients",
  "timeout",
  "client-output-buffer-limit",
  "bind",
  "port",
  "dir",
  "dbfilename",
  "save",
  "appendonly",
]);

/** A seeded PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------
// COMMAND DOCS from redis-server: the argument grammar of every command.

/** One argument of a command's syntax, as COMMAND DOCS describes it. */
interface ArgSpec {
  name: string;
  type: string;
  token?: string;
  optional: boolean;
  multiple: boolean;
  multipleToken: boolean;
  arguments: ArgSpec[];
}

/** A decoded RESP2 reply (strings latin1). */
type Reply = string | number | null | Reply[];

/** Decodes one RESP2 reply; errors become their text. */
function decode(text: string): Reply {
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
    if (head[0] === "+" || head[0] === "-") return rest;
    if (head[0] === ":") return Number(rest);
    if (head[0] === "$") {
      const n = Number(rest);
      if (n < 0) return null;
      pos += n + 2;
      return text.slice(pos - n - 2, pos - 2);
    }
    if (head[0] === "*") {
      const n = Number(rest);
      const out: Reply[] = [];
      for (let i = 0; i < n; i++) out.push(value());
      return out;
    }
    throw new Error(`Cannot decode reply: ${JSON.stringify(head)}`);
  };
  return value();
}

/** Sends a command and decodes its whole reply (at most 10 s). */
async function request(raw: Raw, ...args: string[]): Promise<Reply> {
  raw.take();
  raw.send(resp(...args));
  await raw.until((data) => frameEnd(bytesOf(data), 0) !== -1, 10_000);
  return decode(raw.take());
}

/** A flat `[key, value, ...]` array as a record. */
function record(flat: Reply): Record<string, Reply> {
  const out: Record<string, Reply> = {};
  const items = flat as Reply[];
  for (let i = 0; i + 1 < items.length; i += 2) out[items[i] as string] = items[i + 1];
  return out;
}

function argSpec(flat: Reply): ArgSpec {
  const r = record(flat);
  const flags = (r.flags ?? []) as string[];
  return {
    name: r.name as string,
    type: r.type as string,
    token: r.token as string | undefined,
    optional: flags.includes("optional"),
    multiple: flags.includes("multiple"),
    multipleToken: flags.includes("multiple_token"),
    arguments: ((r.arguments ?? []) as Reply[]).map(argSpec),
  };
}

/** `name` (`get`, `config|get`) -> its arguments, from a COMMAND DOCS reply. */
function grammar(docs: Reply): Map<string, ArgSpec[]> {
  const out = new Map<string, ArgSpec[]>();
  const add = (flat: Reply) => {
    const items = flat as Reply[];
    for (let i = 0; i + 1 < items.length; i += 2) {
      const doc = record(items[i + 1]);
      out.set((items[i] as string).toLowerCase(), ((doc.arguments ?? []) as Reply[]).map(argSpec));
      if (doc.subcommands) add(doc.subcommands);
    }
  };
  add(docs);
  return out;
}

// ---------------------------------------------------------------------------
// Values.

/** Few keys, so types collide; a 40-char one for the glob patterns below. */
const KEYS = ["a", "b", "c", "k:1", "{t}x", "12", "", "a".repeat(40)];
const CHANNELS = ["ch", "ch.1", "news.x", "a"];
const INTEGERS = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "7",
  "10",
  "100",
  "-100",
  "1000",
  "65535",
  "2147483647",
  "2147483648",
  "-2147483648",
  "-2147483649",
  "4294967295",
  "4294967296",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "-9223372036854775809",
  "18446744073709551616",
  "99999999999999999999999999",
  "00",
  "+1",
  "-0",
  " 1",
  "1 ",
  "1e3",
  "0x10",
  "1.5",
  "",
  "abc",
];
const DOUBLES = [
  "0",
  "1.5",
  "-2.5",
  "1e308",
  "1e309",
  "-1e309",
  "4.9e-324",
  "1e-400",
  "inf",
  "+inf",
  "-inf",
  "infinity",
  "nan",
  "NaN",
  "-nan",
  "(1",
  "(inf",
  "0x1p3",
  "1e",
  "9007199254740993",
  "3.14159265358979323846264338327950288",
];
/**
 * Arguments that size something (a string by its offset, a reply by its
 * count): a valid huge one makes Redis allocate or loop that much too, so
 * they stay under 2^16 unless FUZZ_HUGE=1. Counts stay small even then:
 * `HRANDFIELD h -2147483649` (SRANDMEMBER, ZRANDMEMBER alike) loops 2^31
 * times in redis-server 7.0.15 as well. Invalid ones (over 2^63, NaN) always
 * come through to exercise validation.
 */
const SIZED = /offset|count|numkeys|len|^end$|^stop$|^index$/;
const REPLY_SIZED = /count/;
const HUGE_SIZES = process.env.FUZZ_HUGE === "1";

function hugeButValid(value: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(value)) return false;
  const n = BigInt(value);
  const abs = n < 0n ? -n : n;
  return abs > 65536n && abs < 2n ** 63n;
}
const LEX = ["-", "+", "[a", "(a", "[b", "(", "[", "a", "[\xff"];
const BITFIELD_TYPES = ["u1", "i1", "u8", "i8", "i16", "u63", "i64", "u64", "i65", "x8", "u"];
const MEMORY_VALUES = ["0", "1", "1mb", "100kb", "1gb", "-1", "yes", "no", "allkeys-lru", "5 10"];

class Values {
  readonly #random: () => number;
  configParams: string[] = [];

  constructor(random: () => number) {
    this.#random = random;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)];
  }

  chance(p: number): boolean {
    return this.#random() < p;
  }

  int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  /** A number as text for the argument `name` (see {@linkcode SIZED}). */
  integer(name: string): string {
    if (this.chance(0.5)) return String(this.int(12) - 3);
    const value = this.pick(INTEGERS);
    const sized = HUGE_SIZES ? REPLY_SIZED : SIZED;
    if (!sized.test(name) || !hugeButValid(value)) return value;
    return String((this.int(2) * 2 - 1) * this.int(64));
  }

  double(): string {
    return this.chance(0.4) ? String(this.int(20) - 5) : this.pick(DOUBLES);
  }

  text(): string {
    const r = this.#random();
    if (r < 0.3) return this.pick(["v", "x", "hello", "1", "-1", "3.5", "", "\x00\xff"]);
    if (r < 0.5) return this.pick(INTEGERS);
    let s = "";
    const n = this.int(12);
    for (let i = 0; i < n; i++) {
      s += String.fromCharCode(this.chance(0.8) ? 97 + this.int(4) : this.int(256));
    }
    return s;
  }

  pattern(): string {
    // The last part is exponential for a backtracking matcher.
    const parts = ["*", "?", "a", "b", "[a-c]", "[^a]", "\\*", "[", "k:*", "*a*", "a*".repeat(20)];
    let p = "";
    const n = 1 + this.int(6);
    for (let i = 0; i < n; i++) p += this.pick(parts);
    return p;
  }

  /** A value for a `string`-typed argument, by its name. */
  named(name: string, command: string): string {
    if (name === "pattern") return this.pattern();
    if (name === "encoding") return this.pick(BITFIELD_TYPES);
    if (/channel/.test(name)) return this.pick(CHANNELS);
    if (name === "parameter") {
      return this.chance(0.9) && this.configParams.length > 0
        ? this.pick(this.configParams)
        : this.text();
    }
    if (command === "config|set" && name === "value") return this.pick(MEMORY_VALUES);
    if (/^(key|source|destination|newkey)$/.test(name)) return this.pick(KEYS);
    // ZRANGE-style bounds: ranks, scores or lex items, whichever the options pick.
    if (/^(start|stop|min|max)$/.test(name)) {
      const r = this.int(3);
      return r === 0 ? this.integer(name) : r === 1 ? this.double() : this.pick(LEX);
    }
    return this.text();
  }
}

/** Generates one command's arguments from its grammar. */
function generate(values: Values, command: string, specs: ArgSpec[]): string[] {
  const out: string[] = [];
  const blocking = BLOCKING.has(command.split("|")[0]);
  const emit = (spec: ArgSpec, forced: boolean) => {
    if (!forced && spec.optional && values.chance(0.5)) return;
    const times = spec.multiple ? 1 + values.int(3) : 1;
    for (let i = 0; i < times; i++) {
      if (
        spec.token !== undefined && spec.type !== "pure-token" && (i === 0 || spec.multipleToken)
      ) {
        out.push(values.chance(0.1) ? spec.token.toLowerCase() : spec.token);
      }
      switch (spec.type) {
        case "pure-token":
          out.push(spec.token ?? "");
          break;
        case "key":
          out.push(values.pick(KEYS));
          break;
        case "integer":
        case "unix-time":
          out.push(values.integer(spec.name));
          break;
        case "double":
          // Blocking timeouts stay short; 0 (forever) is abandoned by the fuzzer.
          out.push(
            blocking && spec.name === "timeout"
              ? values.pick(["0.01", "0.05", "0", "-1", "nan", "inf", "2147484", "1e300"])
              : values.double(),
          );
          break;
        case "pattern":
          out.push(values.pattern());
          break;
        case "oneof":
          if (spec.arguments.length > 0) emit(values.pick(spec.arguments), true);
          break;
        case "block":
          for (const sub of spec.arguments) emit(sub, false);
          break;
        default:
          out.push(values.named(spec.name, command));
      }
    }
  };
  for (const spec of specs) emit(spec, false);
  return out;
}

/** Occasionally breaks the syntax: drops, adds, duplicates or swaps an argument. */
function mutate(values: Values, args: string[]): string[] {
  const out = [...args];
  const r = values.int(25); // about one command in six is mutated
  if (r === 0 && out.length > 0) out.splice(values.int(out.length), 1);
  else if (r === 1) out.splice(values.int(out.length + 1), 0, values.text());
  else if (r === 2 && out.length > 0) out.push(out[values.int(out.length)]);
  else if (r === 3 && out.length > 0) out[values.int(out.length)] = values.integer("count");
  return out;
}

const BLOCKING = new Set<string>();
/** Commands after which the client is in a mode (subscribed, monitoring) for a few commands. */
const MODES = new Set(["subscribe", "psubscribe", "ssubscribe", "monitor"]);

// ---------------------------------------------------------------------------
// Connections.

/** A raw client that only needs to know that something came back. */
class FuzzConn {
  readonly socket: net.Socket;
  received = 0;
  /** The first line received after {@linkcode expectReply} (`-ERR ...` for an error). */
  firstLine = "";
  #mark = -1;
  closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      if (this.received === this.#mark) {
        const head = chunk.subarray(0, 80);
        const end = head.indexOf(13);
        this.firstLine = String.fromCharCode(...head.subarray(0, end < 0 ? head.length : end));
      }
      this.received += chunk.length;
      this.#wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.#wake?.();
    });
    socket.on("error", () => {});
  }

  static connect(port: number): Promise<FuzzConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.off("error", reject);
        resolve(new FuzzConn(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Notes where the next reply starts; returns the byte count so far. */
  expectReply(): number {
    this.#mark = this.received;
    this.firstLine = "";
    return this.received;
  }

  /** Waits until bytes beyond `seen` arrive: "reply", "closed", or "timeout". */
  async replyAfter(seen: number, ms: number): Promise<"reply" | "closed" | "timeout"> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.received > seen) return "reply";
      if (this.closed) return "closed";
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  destroy(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }
}

// ---------------------------------------------------------------------------

describe("embedded server under a seeded command fuzz", { skip: skipWithoutRedis() }, () => {
  let server: PulsarServer;
  let redis: RedisServer;
  const logs: string[] = [];
  let docs: Map<string, ArgSpec[]>;

  before(async () => {
    server = await serve({ port: 0, log: (line) => logs.push(line) });
    // Only the grammar comes from redis-server; it is stopped before the fuzz.
    redis = await startRedisServer();
    const raw = await Raw.connect(redis.port, 1 << 24);
    docs = grammar(await request(raw, "COMMAND", "DOCS"));
    raw.destroy();
    await raw.closeWait();
    await redis.stop();
  });

  after(async () => {
    await server?.shutdown();
  });

  it(
    "no command wedges, crashes or bloats the server",
    { timeout: (SECONDS + 120) * 1000 },
    async () => {
      const random = mulberry32(SEED);
      const values = new Values(random);
      const table = new CommandTable();
      const port = server.addr.port;
      const names: { name: string; command: Command }[] = [];
      for (const [name, command] of table.byName) {
        if (command.bits & FLAG_BLOCKING) BLOCKING.add(name);
        if (command.subcommands === null) {
          if (!EXCLUDED.has(name)) names.push({ name, command });
          continue;
        }
        for (const [sub, subcommand] of command.subcommands) {
          if (!EXCLUDED.has(`${name}|${sub}`)) {
            names.push({ name: `${name}|${sub}`, command: subcommand });
          }
        }
      }
      const health = await Raw.connect(port);
      const configNames = await request(health, "CONFIG", "GET", "*");
      values.configParams = (Array.isArray(configNames) ? configNames : [])
        .filter((_, i) => i % 2 === 0)
        .map(String)
        .filter((name) => !CONFIG_EXCLUDED.has(name));

      const baseline = process.memoryUsage().rss;
      const recent: string[] = [];
      const stats = { commands: 0, reconnects: 0, abandoned: 0, maxRss: baseline };
      /** Command name -> [replies, error replies]: how much of the fuzz gets past validation. */
      const replies = new Map<string, [number, number]>();
      const errorKinds = new Map<string, number>();
      let fuzz = await FuzzConn.connect(port);
      let subscribedFor = -1;
      /** Clients left blocked (BLPOP k 0...), woken or dropped later. */
      const parked: FuzzConn[] = [];
      const deadline = Date.now() + SECONDS * 1000;
      const fail = (why: string): never => {
        assert.fail(
          `${why}\nseed: FUZZ_SEED=${SEED}\nlast commands (newest last):\n${recent.join("\n")}`,
        );
      };
      console.log(`server fuzz: FUZZ_SEED=${SEED} FUZZ_SECONDS=${SECONDS}`);
      try {
        while (Date.now() < deadline) {
          // A fresh connection now and then, and a few commands after a
          // SUBSCRIBE (in RESP2 subscribed mode nearly everything is refused)
          // or a MONITOR (which then sees every command, the health PINGs too).
          if (stats.commands % 300 === 299) {
            await request(health, "CONFIG", "SET", "maxmemory", "0");
            for (const conn of parked.splice(0)) await conn.destroy();
          }
          if (
            fuzz.closed || stats.commands % 300 === 299 ||
            (subscribedFor >= 0 && ++subscribedFor > 3)
          ) {
            await fuzz.destroy();
            fuzz = await FuzzConn.connect(port);
            stats.reconnects++;
            subscribedFor = -1;
          }
          const { name, command } = values.pick(names);
          if (subscribedFor < 0 && MODES.has(name)) subscribedFor = 0;
          const specs = docs.get(name);
          const words = name.split("|");
          const args = [
            ...words.map((w) => values.chance(0.2) ? w.toUpperCase() : w),
            ...mutate(
              values,
              specs !== undefined ? generate(values, name, specs) : randomArgs(values),
            ),
          ];
          const shown = JSON.stringify(args.map((a) => a.length > 60 ? `${a.slice(0, 60)}...` : a));
          recent.push(shown);
          if (recent.length > 8) recent.shift();
          stats.commands++;

          const seen = fuzz.expectReply();
          fuzz.socket.write(encodeCommand(args.map(bytesOf)));
          const blocking = (command.bits & FLAG_BLOCKING) !== 0;
          const outcome = await fuzz.replyAfter(
            seen,
            blocking ? BLOCKED_GIVE_UP_MS : REPLY_DEADLINE_MS,
          );
          if (outcome === "reply") {
            const counts = replies.get(name) ?? [0, 0];
            const error = fuzz.firstLine.startsWith("-");
            counts[error ? 1 : 0]++;
            replies.set(name, counts);
            if (error) {
              const kind = fuzz.firstLine.slice(0, 40);
              errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
            }
          }
          if (outcome === "timeout") {
            // A blocked client (BLPOP k 0, or a blocking command queued after one) gives up.
            if (!blocking && !recentlyBlocked(recent)) {
              fail(`no reply within ${REPLY_DEADLINE_MS} ms`);
            }
            // Parked, it stays blocked while later commands may wake it; the
            // oldest parked client disconnects while still blocked.
            stats.abandoned++;
            parked.push(fuzz);
            if (parked.length > 4) await parked.shift()!.destroy();
            fuzz = await FuzzConn.connect(port);
            subscribedFor = -1;
          }

          health.take();
          health.send(resp("PING"));
          await health.until((data) => data.length >= 7, PING_DEADLINE_MS).catch(() => {});
          const pong = health.take();
          if (pong !== "+PONG\r\n") {
            fail(
              `a second client got ${JSON.stringify(pong)} for PING within ${PING_DEADLINE_MS} ms`,
            );
          }
          const rss = process.memoryUsage().rss;
          if (rss > stats.maxRss) stats.maxRss = rss;
          if (rss - baseline > RSS_MARGIN) {
            fail(`RSS grew by ${Math.round((rss - baseline) / 2 ** 20)} MB`);
          }
          const threw = logs.find((line) => line.includes("threw"));
          if (threw !== undefined) {
            fail(`the server logged an internal error: ${threw.slice(0, 2000)}`);
          }
        }
      } finally {
        for (const conn of parked) await conn.destroy();
        await fuzz.destroy();
        health.destroy();
        await health.closeWait();
      }
      console.log(
        `server fuzz: ${stats.commands} commands, ${stats.reconnects} reconnects, ` +
          `${stats.abandoned} left blocked, RSS ${Math.round(baseline / 2 ** 20)} -> ` +
          `max ${Math.round(stats.maxRss / 2 ** 20)} MB`,
      );
      let errors = 0;
      for (const [, failed] of replies.values()) errors += failed;
      console.log(`server fuzz: ${Math.round((100 * errors) / stats.commands)}% error replies`);
      if (process.env.FUZZ_VERBOSE) {
        const rows = [...replies].map(([name, [ok, failed]]) => `${name} ${ok}/${ok + failed}`);
        console.log(`server fuzz: non-error replies per command: ${rows.join(", ")}`);
        const kinds = [...errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 25);
        console.log(
          `server fuzz: frequent errors:\n${kinds.map(([k, n]) => `${n} ${k}`).join("\n")}`,
        );
      }
      assert.ok(stats.commands > 0);
    },
  );
});

/** Whether a blocking command was sent on this connection lately (later commands queue behind it). */
function recentlyBlocked(recent: string[]): boolean {
  return recent.some((shown) => BLOCKING.has(JSON.parse(shown)[0].toLowerCase()));
}

/** Arguments for a command Redis does not document (the server's own commands). */
function randomArgs(values: Values): string[] {
  const out: string[] = [];
  const n = values.int(5);
  for (let i = 0; i < n; i++) {
    const r = values.int(4);
    out.push(r === 0 ? values.pick(KEYS) : r === 1 ? values.integer("") : values.text());
  }
  return out;
}
