/**
 * The command table of the embedded server: merges every family and looks
 * commands up by their (case-insensitive) name bytes without allocating on
 * the hot path.
 *
 * To add a family: write `src/server/commands/<family>.ts` exporting a
 * `readonly CommandSpec[]` and list it in `FAMILIES` below.
 *
 * @module
 */

import type { CommandFlag, CommandSpec } from "../types.ts";
import { connectionCommands } from "./connection.ts";
import { keyCommands } from "./keys.ts";
import { stringCommands } from "./strings.ts";
import { pubsubCommands } from "./pubsub.ts";
import { transactionCommands } from "./transactions.ts";
import { scriptingCommands } from "./scripting.ts";
import { serverCommands } from "./server_admin.ts";
import { hashCommands } from "./hashes.ts";
import { listCommands } from "./lists.ts";
import { setCommands } from "./sets.ts";
import { sortedSetCommands } from "./sorted_sets.ts";

/** Every command family, in the order `COMMAND` lists them. */
export const FAMILIES: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  serverCommands,
  keyCommands,
  stringCommands,
  hashCommands,
  listCommands,
  setCommands,
  sortedSetCommands,
  pubsubCommands,
  transactionCommands,
  scriptingCommands,
];

/**
 * Flag bits, precomputed per command so dispatch tests a number. The flags
 * themselves are Redis 7.0's (`COMMAND INFO`); the dispatcher (`Client`)
 * enforces `no_auth`, `no_multi`, `admin` and `skip_monitor` (neither is fed
 * to MONITOR) and `blocking`. `loading`, `stale`, `allow_busy` and
 * `noscript` need states the embedded server never enters (an asynchronous
 * load, a replica link, a busy script, scripting), so they are informational.
 */
export const FLAG_WRITE = 1;
/** Runs before AUTH. */
export const FLAG_NO_AUTH = 2;
/** Allowed in RESP2 subscribed mode. */
export const FLAG_PUBSUB_CONTEXT = 4;
/** May block. */
export const FLAG_BLOCKING = 8;
/** Not queued by MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
export const FLAG_NO_QUEUE = 16;
/** Refused inside MULTI (SAVE, SHUTDOWN). */
export const FLAG_NO_MULTI = 32;
/** Not shown to MONITOR. */
export const FLAG_SKIP_MONITOR = 64;
/** An administrative command: not shown to MONITOR either. */
export const FLAG_ADMIN = 128;
/** May grow memory: refused over `maxmemory`. */
export const FLAG_DENYOOM = 256;

/** A command as the dispatcher sees it. */
export interface Command {
  /** The spec. */
  readonly spec: CommandSpec;
  /** Full lowercase name, `config|get` for subcommands. */
  readonly fullName: string;
  /** Flag bits (`FLAG_*`). */
  readonly bits: number;
  /** Subcommands by lowercase name. */
  readonly subcommands: Map<string, Command> | null;
  /** Calls made (INFO commandstats). */
  calls: number;
}

const PUBSUB_CONTEXT = new Set([
  "subscribe",
  "ssubscribe",
  "sunsubscribe",
  "psubscribe",
  "unsubscribe",
  "punsubscribe",
  "ping",
  "quit",
  "reset",
]);
const NO_QUEUE = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

function bitsOf(name: string, flags: readonly CommandFlag[]): number {
  let bits = 0;
  if (flags.includes("write")) bits |= FLAG_WRITE;
  if (flags.includes("no_auth")) bits |= FLAG_NO_AUTH;
  if (flags.includes("blocking")) bits |= FLAG_BLOCKING;
  if (flags.includes("no_multi")) bits |= FLAG_NO_MULTI;
  if (flags.includes("skip_monitor")) bits |= FLAG_SKIP_MONITOR;
  if (flags.includes("admin")) bits |= FLAG_ADMIN;
  if (flags.includes("denyoom")) bits |= FLAG_DENYOOM;
  if (PUBSUB_CONTEXT.has(name)) bits |= FLAG_PUBSUB_CONTEXT;
  if (NO_QUEUE.has(name)) bits |= FLAG_NO_QUEUE;
  return bits;
}

function compile(spec: CommandSpec, parent?: string): Command {
  const fullName = parent === undefined ? spec.name : `${parent}|${spec.name}`;
  let subcommands: Map<string, Command> | null = null;
  if (spec.subcommands !== undefined) {
    subcommands = new Map();
    for (const sub of spec.subcommands) subcommands.set(sub.name, compile(sub, spec.name));
  }
  return { spec, fullName, bits: bitsOf(spec.name, spec.flags), subcommands, calls: 0 };
}

/** Case-insensitive hash of a command name (ASCII letters folded to lowercase). */
function nameHash(bytes: Uint8Array, length: number): number {
  let h = length;
  for (let i = 0; i < length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h;
}

function sameName(bytes: Uint8Array, name: string): boolean {
  if (bytes.length !== name.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * All commands, looked up by name bytes.
 *
 * @example Look a command up
 * ```ts
 * import { CommandTable } from "./mod.ts";
 *
 * const table = new CommandTable();
 * console.log(table.lookup(new TextEncoder().encode("GET"))?.fullName); // "get"
 * ```
 */
export class CommandTable {
  /** Lowercase name -> command. */
  readonly byName: Map<string, Command> = new Map();
  readonly #byHash = new Map<number, Command[]>();

  /** @param families Command families; every family by default. */
  constructor(families: readonly (readonly CommandSpec[])[] = FAMILIES) {
    for (const family of families) {
      for (const spec of family) {
        if (this.byName.has(spec.name)) {
          throw new Error(`Cannot register command "${spec.name}": it is already registered`);
        }
        const command = compile(spec);
        this.byName.set(spec.name, command);
        const bytes = Uint8Array.from(spec.name, (c) => c.charCodeAt(0));
        const hash = nameHash(bytes, bytes.length);
        const bucket = this.#byHash.get(hash);
        if (bucket === undefined) this.#byHash.set(hash, [command]);
        else bucket.push(command);
      }
    }
  }

  /** The command named by `name` (any case), or `undefined`. Allocation-free. */
  lookup(name: Uint8Array): Command | undefined {
    if (name.length > 32) return undefined;
    const bucket = this.#byHash.get(nameHash(name, name.length));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      if (sameName(name, bucket[i].spec.name)) return bucket[i];
    }
    return undefined;
  }
}
