/**
 * Core types of the embedded server: stored values, keyspace entries, command
 * specs and the context a command runs in.
 *
 * ## Adding a command family
 *
 * A family is one file `src/server/commands/<family>.ts` that exports a
 * `readonly CommandSpec[]` (name it `<family>Commands`, e.g. `hashCommands`)
 * and is listed once in `src/server/commands/mod.ts`. Each spec gives the
 * lowercase `name`, Redis's `arity` (counting the command name; negative means
 * "at least"), its `flags`, its key positions and `run(ctx)`.
 *
 * The server has already checked the arity, authentication, the pub/sub
 * context and MULTI queueing when `run` is called, so `run` only parses its
 * arguments (`ctx.args[0]` is the command name) and writes exactly ONE reply
 * to `ctx.reply` (a {@linkcode ReplyWriter}; use `ctx.reply.error(...)` with
 * the constants from `../args.ts`, e.g. `WRONGTYPE`, `SYNTAX_ERROR`). Keys are
 * latin1 "binary strings" (one char per byte): turn an argument into a key
 * with `toKey(ctx.args[i])` from `../args.ts`, and back with `fromKey(key)`.
 *
 * Reading and writing the keyspace goes through `ctx.db` (a
 * {@linkcode Database}): `db.get(key)` (expired keys vanish on read),
 * `db.set(key, entry)`, `db.delete(key)`. A command that mutates a stored
 * value in place (HSET on an existing hash, LPUSH on an existing list...) MUST
 * call `db.touch(key)` afterwards: that invalidates WATCH and wakes clients
 * blocked on the key. `db.set` and `db.delete` touch for you. When a container
 * becomes empty, delete the key (Redis never keeps empty hashes/lists/sets).
 *
 * ## Blocking commands (BLPOP, BLMOVE, BZPOPMIN...)
 *
 * A blocking command first tries to serve itself exactly like its
 * non-blocking form. When it cannot (all keys empty), it calls
 * `ctx.block({ keys, timeoutMs, retry, onTimeout })` and returns without
 * writing a reply:
 *
 * - `keys`: the keys (in `ctx.db`) whose writes should wake the client.
 * - `timeoutMs`: 0 blocks forever; otherwise milliseconds from now.
 * - `retry(ctx, readyKey)`: called (with a fresh context for the same client
 *   and database) after a command touched `readyKey`, one of the keys. Clients blocked on the
 *   same key are retried in the order they blocked (FIFO). `retry` returns
 *   `true` when it wrote the reply (served, or an error such as WRONGTYPE) and
 *   the client is unblocked; `false` keeps it blocked.
 * - `onTimeout(reply)`: writes the timeout reply; default `reply.nullArray()`
 *   (BLPOP, BZPOPMIN); BLMOVE/BRPOPLPUSH pass `(r) => r.nullBulk()`.
 *
 * Inside MULTI/EXEC a client cannot block: `ctx.block` then writes the timeout
 * reply at once, so commands need no special case. While a client is blocked
 * the server queues its further input and runs it after the unblock.
 *
 * @module
 */

import type { ReplyWriter } from "../protocol/reply_writer.ts";
import type { ByteList } from "./byte_list.ts";
import type { BytesMap } from "./bytes_map.ts";
import type { RandomSet } from "./random_access.ts";
import type { SortedSet } from "./sorted_set.ts";
import type { Database } from "./keyspace.ts";

/** The type names Redis reports (`TYPE key`). */
export type ValueType = "string" | "list" | "hash" | "set" | "zset";

/** Fields every keyspace entry has. */
export interface EntryBase {
  /** Absolute expiry, Unix epoch milliseconds; `0` when the key has no TTL. */
  expiresAt: number;
  /**
   * The LFU access counter, packed like Redis's `lru` field under an LFU
   * policy: `minutes * 256 + counter` (minutes of the last decrement, counter
   * 0..255). Maintained by {@linkcode Database} only while an LFU
   * maxmemory-policy is selected; `undefined` reads as a new key (counter 5).
   */
  lfu?: number;
  /**
   * The key's position in its database's random-pick index, kept by the key
   * map (`SlottedMap` in `./random_access.ts`) once RANDOMKEY or eviction
   * sampled it; `undefined` before.
   */
  slot?: number;
  /**
   * The LRU clock of the last access (epoch milliseconds of the database's
   * coarse `clock`), set by {@linkcode Database} on every access unless an
   * LFU policy is selected; eviction's idle time is `clock - lru`.
   */
  lru?: number;
  /**
   * The bytes this entry (key included) is accounted for in its database's
   * `usedMemory`; maintained by {@linkcode Database} (see `../memory.ts`).
   */
  mem?: number;
  /**
   * A large collection's sampled bytes per element, reused between samples
   * (see `../memory.ts`); absent on strings and small collections.
   */
  memUnit?: number;
}

/**
 * A string value: raw bytes (binary-safe). `value` may alias a request
 * argument or another key's bytes, so never write into it unless the entry
 * owns it (`room`, see `string_buffer.ts`); to keep it past the current
 * command, copy it when `room` is set.
 */
export interface StringEntry extends EntryBase {
  /** The type tag. */
  readonly type: "string";
  /** The bytes: exactly the string's length. */
  value: Uint8Array;
  /**
   * The buffer this entry owns when it was modified by offset (SETBIT,
   * SETRANGE, APPEND): `value` is then a prefix view of it, written in place,
   * and `room.length` is the capacity (count it for memory use).
   * `undefined` for values stored as given (immutable).
   */
  room?: Uint8Array;
}

/** A hash: field (binary string) -> value bytes. */
export interface HashEntry extends EntryBase {
  /** The type tag. */
  readonly type: "hash";
  /**
   * Fields are latin1 binary strings (a `Map` with O(1) random picks that
   * stores short values compactly).
   */
  value: BytesMap;
}

/** A list: a double-ended queue of byte strings. */
export interface ListEntry extends EntryBase {
  /** The type tag. */
  readonly type: "list";
  /** The elements, head first. */
  value: ByteList;
}

/** A set of binary strings. */
export interface SetEntry extends EntryBase {
  /** The type tag. */
  readonly type: "set";
  /** Members are latin1 binary strings (a `Set` with O(1) random picks). */
  value: RandomSet;
}

/** A sorted set: members (binary strings) ordered by score, then member. */
export interface ZSetEntry extends EntryBase {
  /** The type tag. */
  readonly type: "zset";
  /** The members and their scores. */
  value: SortedSet;
}

/** One value stored under a key. Narrow on `type`. */
export type Entry = StringEntry | HashEntry | ListEntry | SetEntry | ZSetEntry;

/**
 * Command flags, as Redis names them in `COMMAND INFO` (Redis 7 spelling).
 * `blocking` commands may call `ctx.block`; `noauth` commands run before AUTH;
 * `pubsub` commands are the ones allowed in RESP2 subscribed mode (together
 * with PING, QUIT and RESET); `noscript`/`loading`/`stale` are informational.
 */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "fast"
  | "no_auth"
  | "no_multi"
  | "allow_busy";

/** The description of one command. */
export interface CommandSpec {
  /** Lowercase name, e.g. `"hset"`. */
  readonly name: string;
  /** Redis arity, the command name included; `-N` means at least N. */
  readonly arity: number;
  /** Flags, e.g. `["write", "denyoom", "fast"]`. */
  readonly flags: readonly CommandFlag[];
  /** Position of the first key argument (0 = no keys). */
  readonly firstKey: number;
  /** Position of the last key (-1 = last argument, -2 = second last...). */
  readonly lastKey: number;
  /** Step between keys (1 for `DEL k1 k2`, 2 for `MSET k1 v1 k2 v2`). */
  readonly step: number;
  /** Runs the command: writes exactly one reply to `ctx.reply` (or blocks). */
  run(ctx: CommandContext): void;
  /**
   * For container commands (CONFIG, CLIENT, OBJECT...): the subcommands, each
   * with its own lowercase `name` (e.g. `"get"`) and an arity counting the
   * container name too. The server dispatches on `args[1]`, replies Redis's
   * "unknown subcommand" and "'config|get'" arity errors, and never calls the
   * container's own `run` unless no subcommand matched and it has no subcommands.
   */
  readonly subcommands?: readonly CommandSpec[];
}

/** What a blocking command registers with `ctx.block`. */
export interface BlockRequest {
  /** Keys (binary strings, in `ctx.db`) whose writes wake the client. */
  keys: readonly string[];
  /** Milliseconds to wait; 0 = forever. */
  timeoutMs: number;
  /**
   * Tries again after `readyKey` (one of `keys`) was written; returns true
   * once it wrote a reply.
   */
  retry(ctx: CommandContext, readyKey: string): boolean;
  /** Writes the timeout reply; default `reply.nullArray()`. */
  onTimeout?(reply: ReplyWriter): void;
}

/** The per-connection state commands may read. */
export interface ClientInfo {
  /** Unique, increasing connection id (`CLIENT ID`). */
  readonly id: number;
  /** The protocol the connection speaks: 2 or 3. */
  readonly protocol: 2 | 3;
  /** The selected database index. */
  readonly dbIndex: number;
  /** Inside MULTI (queueing) or EXEC (running the queue). */
  readonly inTransaction: boolean;
}

/** Server-wide facilities a command may use. */
export interface ServerInfo {
  /** All databases, by index. */
  readonly databases: readonly Database[];
}

/**
 * Where a command runs. A context is reused between commands: do not keep it
 * after `run` returns (a blocking `retry` gets a fresh one).
 */
export interface CommandContext {
  /** The server. */
  readonly server: ServerInfo;
  /** The calling client. */
  readonly client: ClientInfo;
  /** The client's selected database. */
  readonly db: Database;
  /**
   * The arguments, command name first. The server never reuses their bytes,
   * so a command may store an argument as a value without copying it. Never
   * write into them: consecutive requests share the command name's bytes.
   */
  readonly args: Uint8Array[];
  /** Where the reply goes. */
  readonly reply: ReplyWriter;
  /** Blocks the client (see the module doc); the command then writes no reply. */
  block(request: BlockRequest): void;
}
