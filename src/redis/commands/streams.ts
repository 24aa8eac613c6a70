/** One entry from `[id, [field, value, ...]]`. */
function entryOf(replies: Replies, value: RespValue): StreamEntry {
  const [id, flat] = replies.array(value);
  return { id: replies.text(id), fields: flat === null ? null : replies.record(flat) };
}

/** Entries from an array of `[id, fields]`. */
function entriesOf(replies: Replies, value: RespValue): StreamEntry[] {
  return replies.array(value).map((entry) => entryOf(replies, entry));
}

/** XREAD's reply: a map (RESP3) or `[[stream, entries], ...]` (RESP2), by stream name. */
function streamsOf(
  replies: Replies,
  unkey: (key: string) => string,
  value: RespValue,
): Record<string, StreamEntry[]> | null {
  if (value === null) return null;
  const pairs = value instanceof Map
    ? [...value]
    : replies.array(value).map((item) => replies.array(item) as [RespValue, RespValue]);
  const out: Record<string, StreamEntry[]> = {};
  for (const [name, entries] of pairs) out[unkey(replies.text(name))] = entriesOf(replies, entries);
  return out;
}

/** A map (RESP3) or flat pairs (RESP2) as an object of raw values. */
function infoOf(replies: Replies, value: RespValue): Record<string, RespValue> {
  const out: Record<string, RespValue> = {};
  if (value instanceof Map) {
    for (const [key, item] of value) out[replies.text(key)] = item;
    return out;
  }
  const flat = replies.array(value);
  for (let i = 0; i + 1 < flat.length; i += 2) out[replies.text(flat[i])] = flat[i + 1];
  return out;
}

/**
 * Stream commands: append-only logs of field/value entries, read by range,
 * by tailing, or by consumer groups with acknowledgement.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Replies } from "../replies.ts";
import { integerArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";

/** A stream entry: its ID and its fields (`null` for an entry deleted while pending). */
export interface StreamEntry {
  /** The entry ID, `<ms>-<seq>`. */
  id: string;
  /** Field/value pairs, in the order they were added. */
  fields: Record<string, string> | null;
}

/** Fields and values for {@linkcode StreamCommands.xadd}: an object, or pairs (binary fields). */
export type StreamFields = Record<string, Value> | readonly (readonly [Value, Value])[];

/** How to trim a stream: by length (`maxlen`) or by smallest ID kept (`minid`). */
export interface StreamTrim {
  /** Keep at most this many entries. Set `maxlen` or `minid`, not both. */
  maxlen?: number;
  /** Evict entries with IDs below this one. */
  minid?: string;
  /** Trim only whole macro nodes (`~`), faster and inexact. @default {false} */
  approximate?: boolean;
  /** With `approximate`, evict at most this many entries. @default {undefined} (Redis's default) */
  limit?: number;
}

/** Options of {@linkcode StreamCommands.xadd}. */
export interface XAddOptions {
  /** The entry ID; `"*"` lets the server pick one. @default {"*"} */
  id?: string;
  /** Do not create the stream when it does not exist (the reply is then `null`). @default {false} */
  nomkstream?: boolean;
  /** Trim the stream after adding. @default {undefined} */
  trim?: StreamTrim;
}

/** Options of {@linkcode StreamCommands.xread}. */
export interface XReadOptions {
  /** At most this many entries per stream. @default {undefined} (all) */
  count?: number;
  /**
   * Wait up to this many milliseconds for entries (0: forever); the command
   * then runs on a connection of its own. @default {undefined} (no wait)
   */
  block?: number;
}

/** Options of {@linkcode StreamCommands.xreadgroup}. */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the entries read to the pending list (no XACK needed). @default {false} */
  noack?: boolean;
}

/** Options of {@linkcode StreamCommands.xgroupCreate}. */
export interface XGroupCreateOptions {
  /** Create the stream when it does not exist. @default {false} */
  mkstream?: boolean;
  /** The group's entries-read counter (Redis 7). @default {undefined} */
  entriesRead?: number;
}

/** The summary form of XPENDING. */
export interface PendingSummary {
  /** Entries delivered and not acknowledged. */
  count: number;
  /** The smallest pending ID, or `null` when none is pending. */
  smallest: string | null;
  /** The greatest pending ID, or `null`. */
  greatest: string | null;
  /** Pending entries per consumer. */
  consumers: { name: string; count: number }[];
}

/** One entry of the extended form of XPENDING. */
export interface PendingEntry {
  /** The entry ID. */
  id: string;
  /** The consumer that holds it. */
  consumer: string;
  /** Milliseconds since it was last delivered. */
  idle: number;
  /** Times it was delivered. */
  deliveries: number;
}

/** Options of {@linkcode StreamCommands.xpendingRange}. */
export interface XPendingRangeOptions {
  /** Only entries idle for at least this many milliseconds. @default {undefined} */
  idle?: number;
  /** Only this consumer's entries. @default {undefined} (all consumers) */
  consumer?: string;
}

/** Options of {@linkcode StreamCommands.xclaim}. */
export interface XClaimOptions {
  /** Set the idle time to this many milliseconds. @default {0} */
  idle?: number;
  /** Set the last delivery to this Unix time in milliseconds. @default {undefined} */
  time?: number;
  /** Set the delivery counter. @default {undefined} (incremented) */
  retrycount?: number;
  /** Create pending entries for IDs not pending yet. @default {false} */
  force?: boolean;
}

/** The reply of {@linkcode StreamCommands.xautoclaim}. */
export interface AutoClaimed {
  /** The ID to start the next call from (`"0-0"` once the scan is complete). */
  next: string;
  /** The entries claimed. */
  entries: StreamEntry[];
  /** IDs that were pending but no longer exist (removed from the pending list). */
  deleted: string[];
}

/** XINFO GROUPS: one consumer group. */
export interface StreamGroupInfo {
  /** The group name. */
  name: string;
  /** Consumers in the group. */
  consumers: number;
  /** Entries delivered and not acknowledged. */
  pending: number;
  /** The last ID delivered to the group. */
  lastDeliveredId: string;
  /** Entries read by the group (Redis 7; `null` when unknown). */
  entriesRead: number | null;
  /** Entries not yet delivered (Redis 7; `null` when unknown). */
  lag: number | null;
}

/** XINFO CONSUMERS: one consumer of a group. */
export interface StreamConsumerInfo {
  /** The consumer name. */
  name: string;
  /** Its pending entries. */
  pending: number;
  /** Milliseconds since it last interacted. */
  idle: number;
}

/** XINFO STREAM (the default, not FULL, form). */
export interface StreamInfo {
  /** Number of entries. */
  length: number;
  /** Consumer groups. */
  groups: number;
  /** The greatest ID ever added. */
  lastGeneratedId: string;
  /** The first entry, or `null` when empty. */
  firstEntry: StreamEntry | null;
  /** The last entry, or `null` when empty. */
  lastEntry: StreamEntry | null;
  /** Every field as Redis named it (`radix-tree-keys`, `max-deleted-entry-id`...). */
  raw: Record<string, unknown>;
}

function pushTrim(args: CommandArg[], trim: StreamTrim): void {
  if ((trim.maxlen === undefined) === (trim.minid === undefined)) {
    throw new TypeError("Cannot trim the stream: set exactly one of maxlen and minid");
  }
  if (trim.maxlen !== undefined) args.push("MAXLEN");
  else args.push("MINID");
  args.push(trim.approximate ? "~" : "=");
  args.push(trim.maxlen !== undefined ? integerArg("maxlen", trim.maxlen, 0) : trim.minid!);
  if (trim.limit !== undefined) {
    if (!trim.approximate) throw new TypeError("Cannot trim the stream: limit needs approximate");
    args.push("LIMIT", integerArg("limit", trim.limit, 0));
  }
}

function pushFields(args: CommandArg[], fields: StreamFields): void {
  const pairs = Array.isArray(fields)
    ? fields as readonly (readonly [Value, Value])[]
    : Object.entries(fields as Record<string, Value>);
  if (pairs.length === 0) throw new TypeError("Cannot add a stream entry: it has no fields");
  for (const [field, value] of pairs) args.push(field, value);
}

/**
 * Stream commands: XADD, XRANGE, XREAD, consumer groups (XGROUP,
 * XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM), XTRIM, XINFO...
 *
 * Entries come back as {@linkcode StreamEntry} objects with text fields.
 * XREAD and XREADGROUP with `block` run on a connection of their own. The
 * embedded server has no streams yet: these need Redis.
 *
 * @example Append and read back
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * const id = await store.xadd("events", { type: "login", user: "ann" });
 * console.log(await store.xrange("events")); // [{ id, fields: { type: "login", user: "ann" } }]
 * ```
 */
export abstract class StreamCommands extends CommandCore {
  /**
   * Appends an entry to a stream.
   *
   * @param key The stream.
   * @param fields The entry's fields: an object, or `[field, value]` pairs.
   * @param options `id`, `nomkstream`, `trim`.
   * @returns The new entry's ID, or `null` with `nomkstream` when the stream does not exist.
   */
  xadd(key: Key, fields: StreamFields, options?: XAddOptions): Promise<string | null> {
    const args: CommandArg[] = ["XADD", this.key(key)];
    if (options?.nomkstream) args.push("NOMKSTREAM");
    if (options?.trim) pushTrim(args, options.trim);
    args.push(options?.id ?? "*");
    pushFields(args, fields);
    return this.send(args, this.replies.textOrNull);
  }

  /**
   * The number of entries of a stream.
   *
   * @param key The stream.
   * @returns The length (0 when the stream does not exist).
   */
  xlen(key: Key): Promise<number> {
    return this.send(["XLEN", this.key(key)], this.replies.integer);
  }

  /**
   * Entries between two IDs, oldest first.
   *
   * @param key The stream.
   * @param start The first ID (`"-"`: the smallest; `"(id"` excludes it).
   * @param end The last ID (`"+"`: the greatest).
   * @param count At most this many entries.
   * @returns The entries.
   */
  xrange(key: Key, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    const args: CommandArg[] = ["XRANGE", this.key(key), start, end];
    if (count !== undefined) args.push("COUNT", integerArg("count", count, 0));
    return this.send(args, (value) => entriesOf(this.replies, value));
  }

  /**
   * Entries between two IDs, newest first.
   *
   * @param key The stream.
   * @param end The greatest ID (`"+"`).
   * @param start The smallest ID (`"-"`).
   * @param count At most this many entries.
   * @returns The entries.
   */
  xrevrange(key: Key, end = "+", start = "-", count?: number): Promise<StreamEntry[]> {
    const args: CommandArg[] = ["XREVRANGE", this.key(key), end, start];
    if (count !== undefined) args.push("COUNT", integerArg("count", count, 0));
    return this.send(args, (value) => entriesOf(this.replies, value));
  }

  /**
   * Deletes entries.
   *
   * @param key The stream.
   * @param ids The entry IDs.
   * @returns How many were deleted.
   */
  xdel(key: Key, ...ids: string[]): Promise<number> {
    return this.send(["XDEL", this.key(key), ...ids], this.replies.integer);
  }

  /**
   * Trims a stream.
   *
   * @param key The stream.
   * @param trim `maxlen` or `minid`, `approximate`, `limit`.
   * @returns How many entries were evicted.
   */
  xtrim(key: Key, trim: StreamTrim): Promise<number> {
    const args: CommandArg[] = ["XTRIM", this.key(key)];
    pushTrim(args, trim);
    return this.send(args, this.replies.integer);
  }

  /**
   * Reads entries after the given IDs from one or more streams; with
   * `block`, waits for new ones on a connection of its own.
   *
   * @param streams Each stream and the ID to read after (`"$"`: only new
   *   entries; `"0"`: from the start).
   * @param options `count`, `block` (milliseconds).
   * @returns Entries by stream name (streams with none are left out), or
   *   `null` when nothing came before the `block` timeout.
   */
  xread(
    streams: Record<string, string>,
    options?: XReadOptions,
  ): Promise<Record<string, StreamEntry[]> | null> {
    const args: CommandArg[] = ["XREAD"];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    if (options?.block !== undefined) args.push("BLOCK", integerArg("block", options.block, 0));
    const names = Object.keys(streams);
    args.push("STREAMS", ...names.map((name) => this.key(name)), ...Object.values(streams));
    const shape = (value: RespValue) => streamsOf(this.replies, (key) => this.unkey(key), value);
    return options?.block !== undefined ? this.sendBlocking(args, shape) : this.send(args, shape);
  }

  /**
   * Creates a consumer group.
   *
   * @param key The stream.
   * @param group The group name.
   * @param id Where the group starts reading (`"$"`: new entries only; `"0"`: all).
   * @param options `mkstream`, `entriesRead`.
   * @returns `"OK"`.
   */
  xgroupCreate(
    key: Key,
    group: string,
    id = "$",
    options?: XGroupCreateOptions,
  ): Promise<"OK"> {
    const args: CommandArg[] = ["XGROUP", "CREATE", this.key(key), group, id];
    if (options?.mkstream) args.push("MKSTREAM");
    if (options?.entriesRead !== undefined) {
      args.push("ENTRIESREAD", integerArg("entriesRead", options.entriesRead));
    }
    return this.send(args, this.replies.ok);
  }

  /**
   * Deletes a consumer group.
   *
   * @param key The stream.
   * @param group The group name.
   * @returns Whether it existed.
   */
  xgroupDestroy(key: Key, group: string): Promise<boolean> {
    return this.send(["XGROUP", "DESTROY", this.key(key), group], this.replies.boolean);
  }

  /**
   * Creates a consumer in a group.
   *
   * @param key The stream.
   * @param group The group name.
   * @param consumer The consumer name.
   * @returns Whether it was created (`false`: it existed).
   */
  xgroupCreateconsumer(key: Key, group: string, consumer: string): Promise<boolean> {
    return this.send(
      ["XGROUP", "CREATECONSUMER", this.key(key), group, consumer],
      this.replies.boolean,
    );
  }

  /**
   * Deletes a consumer from a group; its pending entries are forgotten.
   *
   * @param key The stream.
   * @param group The group name.
   * @param consumer The consumer name.
   * @returns How many pending entries it had.
   */
  xgroupDelconsumer(key: Key, group: string, consumer: string): Promise<number> {
    return this.send(
      ["XGROUP", "DELCONSUMER", this.key(key), group, consumer],
      this.replies.integer,
    );
  }

  /**
   * Moves a group's last-delivered ID.
   *
   * @param key The stream.
   * @param group The group name.
   * @param id The new last-delivered ID (`"$"`: the stream's last).
   * @returns `"OK"`.
   */
  xgroupSetid(key: Key, group: string, id: string): Promise<"OK"> {
    return this.send(["XGROUP", "SETID", this.key(key), group, id], this.replies.ok);
  }

  /**
   * Reads entries as a consumer of a group; with `block`, waits for new
   * ones on a connection of its own.
   *
   * @param group The group name.
   * @param consumer The consumer name.
   * @param streams Each stream and the ID to read after (`">"`: entries
   *   never delivered to the group; an ID: this consumer's pending ones).
   * @param options `count`, `block` (milliseconds), `noack`.
   * @returns Entries by stream name, or `null` when nothing came in time.
   */
  xreadgroup(
    group: string,
    consumer: string,
    streams: Record<string, string>,
    options?: XReadGroupOptions,
  ): Promise<Record<string, StreamEntry[]> | null> {
    const args: CommandArg[] = ["XREADGROUP", "GROUP", group, consumer];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    if (options?.block !== undefined) args.push("BLOCK", integerArg("block", options.block, 0));
    if (options?.noack) args.push("NOACK");
    const names = Object.keys(streams);
    args.push("STREAMS", ...names.map((name) => this.key(name)), ...Object.values(streams));
    const shape = (value: RespValue) => streamsOf(this.replies, (key) => this.unkey(key), value);
    return options?.block !== undefined ? this.sendBlocking(args, shape) : this.send(args, shape);
  }

  /**
   * Acknowledges entries: removes them from the group's pending list.
   *
   * @param key The stream.
   * @param group The group name.
   * @param ids The entry IDs.
   * @returns How many were pending.
   */
  xack(key: Key, group: string, ...ids: string[]): Promise<number> {
    return this.send(["XACK", this.key(key), group, ...ids], this.replies.integer);
  }

  /**
   * The summary of a group's pending entries.
   *
   * @param key The stream.
   * @param group The group name.
   * @returns Count, smallest and greatest IDs, count per consumer.
   */
  xpending(key: Key, group: string): Promise<PendingSummary> {
    return this.send(["XPENDING", this.key(key), group], (value) => {
      const [count, smallest, greatest, consumers] = this.replies.array(value);
      return {
        count: this.replies.integer(count),
        smallest: this.replies.textOrNull(smallest),
        greatest: this.replies.textOrNull(greatest),
        consumers: this.replies.array(consumers).map((item) => {
          const [name, pending] = this.replies.array(item);
          return { name: this.replies.text(name), count: this.replies.integer(pending) };
        }),
      };
    });
  }

  /**
   * A group's pending entries between two IDs (the extended XPENDING).
   *
   * @param key The stream.
   * @param group The group name.
   * @param start The smallest ID (`"-"`).
   * @param end The greatest ID (`"+"`).
   * @param count At most this many entries.
   * @param options `idle` (milliseconds), `consumer`.
   * @returns The entries with their consumer, idle time and delivery count.
   */
  xpendingRange(
    key: Key,
    group: string,
    start: string,
    end: string,
    count: number,
    options?: XPendingRangeOptions,
  ): Promise<PendingEntry[]> {
    const args: CommandArg[] = ["XPENDING", this.key(key), group];
    if (options?.idle !== undefined) args.push("IDLE", integerArg("idle", options.idle, 0));
    args.push(start, end, integerArg("count", count, 0));
    if (options?.consumer !== undefined) args.push(options.consumer);
    return this.send(args, (value) =>
      this.replies.array(value).map((item) => {
        const [id, consumer, idle, deliveries] = this.replies.array(item);
        return {
          id: this.replies.text(id),
          consumer: this.replies.text(consumer),
          idle: this.replies.integer(idle),
          deliveries: this.replies.integer(deliveries),
        };
      }));
  }

  /**
   * Takes pending entries idle for at least `minIdle` ms over to `consumer`.
   *
   * @param key The stream.
   * @param group The group name.
   * @param consumer The new owner.
   * @param minIdle Milliseconds an entry must have been idle.
   * @param ids The entry IDs.
   * @param options `idle`, `time`, `retrycount`, `force`.
   * @returns The entries claimed.
   */
  xclaim(
    key: Key,
    group: string,
    consumer: string,
    minIdle: number,
    ids: readonly string[],
    options?: XClaimOptions,
  ): Promise<StreamEntry[]> {
    const args: CommandArg[] = [
      "XCLAIM",
      this.key(key),
      group,
      consumer,
      integerArg("minIdle", minIdle, 0),
      ...ids,
    ];
    if (options?.idle !== undefined) args.push("IDLE", integerArg("idle", options.idle, 0));
    if (options?.time !== undefined) args.push("TIME", integerArg("time", options.time, 0));
    if (options?.retrycount !== undefined) {
      args.push("RETRYCOUNT", integerArg("retrycount", options.retrycount, 0));
    }
    if (options?.force) args.push("FORCE");
    return this.send(args, (value) => entriesOf(this.replies, value));
  }

  /**
   * Claims pending entries idle for at least `minIdle` ms, scanning the
   * pending list from `start` (the recovery loop of a consumer group).
   *
   * @param key The stream.
   * @param group The group name.
   * @param consumer The new owner.
   * @param minIdle Milliseconds an entry must have been idle.
   * @param start Where to scan from (`"0"` first, then `next`).
   * @param count At most this many entries. @default {100} (Redis's default)
   * @returns The entries claimed, where to continue, and IDs deleted meanwhile.
   */
  xautoclaim(
    key: Key,
    group: string,
    consumer: string,
    minIdle: number,
    start = "0",
    count?: number,
  ): Promise<AutoClaimed> {
    const args: CommandArg[] = [
      "XAUTOCLAIM",
      this.key(key),
      group,
      consumer,
      integerArg("minIdle", minIdle, 0),
      start,
    ];
    if (count !== undefined) args.push("COUNT", integerArg("count", count, 1));
    return this.send(args, (value) => {
      const [next, entries, deleted] = this.replies.array(value);
      return {
        next: this.replies.text(next),
        // An entry deleted meanwhile is nil in the entries of Redis 7.0.
        entries: this.replies.array(entries).filter((entry) => entry !== null).map((entry) =>
          entryOf(this.replies, entry)
        ),
        deleted: deleted === undefined ? [] : this.replies.strings(deleted),
      };
    });
  }

  /**
   * Sets a stream's last ID (XSETID).
   *
   * @param key The stream.
   * @param id The new last ID (at least the greatest ID in the stream).
   * @returns `"OK"`.
   */
  xsetid(key: Key, id: string): Promise<"OK"> {
    return this.send(["XSETID", this.key(key), id], this.replies.ok);
  }

  /**
   * A stream's consumer groups (XINFO GROUPS).
   *
   * @param key The stream.
   * @returns One object per group.
   */
  xinfoGroups(key: Key): Promise<StreamGroupInfo[]> {
    return this.send(
      ["XINFO", "GROUPS", this.key(key)],
      (value) =>
        this.replies.array(value).map((item) => {
          const info = infoOf(this.replies, item);
          const count = (name: string) =>
            info[name] === undefined || info[name] === null
              ? null
              : this.replies.integer(info[name]);
          return {
            name: this.replies.text(info.name),
            consumers: this.replies.integer(info.consumers),
            pending: this.replies.integer(info.pending),
            lastDeliveredId: this.replies.text(info["last-delivered-id"]),
            entriesRead: count("entries-read"),
            lag: count("lag"),
          };
        }),
    );
  }

  /**
   * A group's consumers (XINFO CONSUMERS).
   *
   * @param key The stream.
   * @param group The group name.
   * @returns One object per consumer.
   */
  xinfoConsumers(key: Key, group: string): Promise<StreamConsumerInfo[]> {
    return this.send(
      ["XINFO", "CONSUMERS", this.key(key), group],
      (value) =>
        this.replies.array(value).map((item) => {
          const info = infoOf(this.replies, item);
          return {
            name: this.replies.text(info.name),
            pending: this.replies.integer(info.pending),
            idle: this.replies.integer(info.idle),
          };
        }),
    );
  }

  /**
   * A stream's state (XINFO STREAM).
   *
   * @param key The stream.
   * @returns Length, groups, last ID, first and last entries, and every raw field.
   */
  xinfoStream(key: Key): Promise<StreamInfo> {
    return this.send(["XINFO", "STREAM", this.key(key)], (value) => {
      const info = infoOf(this.replies, value);
      const entry = (item: RespValue | undefined) =>
        item === null || item === undefined ? null : entryOf(this.replies, item);
      const raw: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(info)) {
        raw[name] = this.replies.deep(item);
      }
      return {
        length: this.replies.integer(info.length),
        groups: this.replies.integer(info.groups),
        lastGeneratedId: this.replies.text(info["last-generated-id"]),
        firstEntry: entry(info["first-entry"]),
        lastEntry: entry(info["last-entry"]),
        raw,
      };
    });
  }
}
