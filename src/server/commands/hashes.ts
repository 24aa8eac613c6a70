/**
 * The hash commands of the embedded server (HSET, HGET, HGETALL, HINCRBY,
 * HRANDFIELD, HSCAN...), with Redis 7.0 replies and errors.
 *
 * Hashes are `Map`s from field (latin1 binary string) to value bytes; their
 * iteration order is insertion order, like Redis's listpack encoding.
 *
 * @module
 */

import {
  ascii,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  parseInteger,
  toKey,
  WRONGTYPE,
} from "../args.ts";
import { BulkFramer } from "../bulk_framer.ts";
import { valueBytes, writeStored } from "../bytes_map.ts";
import { command, ONE_KEY } from "../define.ts";
import { hashEntry } from "../keyspace.ts";
import type { CommandContext, CommandSpec, HashEntry } from "../types.ts";
import {
  matches,
  parseRandomCount,
  readEntry,
  removeMembers,
  sampleIndexes,
  scanContainer,
  scanReplyHeader,
  startScan,
} from "./_collections.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  isInfinite,
  parseLongDoubleExact,
} from "./_long_double.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** The hash under `key`: the entry, `undefined` when missing, `null` after WRONGTYPE. */
function readHash(ctx: CommandContext, key: string): HashEntry | undefined | null {
  return readEntry(ctx, key, "hash");
}

/** The hash under `key`, created (not yet stored) when missing; `null` after WRONGTYPE. */
function writeHash(
  ctx: CommandContext,
  key: string,
): { entry: HashEntry; created: boolean } | null {
  const entry = ctx.db.get(key);
  if (entry === undefined) return { entry: hashEntry(), created: true };
  if (entry.type !== "hash") {
    ctx.reply.error(WRONGTYPE);
    return null;
  }
  return { entry, created: false };
}

/** Stores a new hash or touches an updated one. */
function commit(ctx: CommandContext, key: string, entry: HashEntry, created: boolean): void {
  if (created) ctx.db.set(key, entry);
  else ctx.db.touch(key);
}

function arityError(ctx: CommandContext, name: string): void {
  ctx.reply.error(`ERR wrong number of arguments for '${name}' command`);
}

function hset(ctx: CommandContext, name: string): boolean {
  const args = ctx.args;
  if (args.length % 2 === 1) {
    arityError(ctx, name);
    return false;
  }
  const key = toKey(args[1]);
  const target = writeHash(ctx, key);
  if (target === null) return false;
  const map = target.entry.value;
  let created = 0;
  for (let i = 2; i < args.length; i += 2) {
    const field = toKey(args[i]);
    const size = map.size;
    map.set(field, args[i + 1]);
    if (map.size !== size) created++;
  }
  commit(ctx, key, target.entry, target.created);
  if (name === "hset") ctx.reply.integer(created);
  else ctx.reply.simple("OK");
  return true;
}

function hsetnx(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const target = writeHash(ctx, key);
  if (target === null) return;
  const field = toKey(ctx.args[2]);
  const map = target.entry.value;
  if (map.has(field)) {
    ctx.reply.integer(0);
    return;
  }
  map.set(field, ctx.args[3]);
  commit(ctx, key, target.entry, target.created);
  ctx.reply.integer(1);
}

function hget(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const value = entry?.value.getStored(toKey(ctx.args[2]));
  if (value === undefined) ctx.reply.nullBulk();
  else writeStored(ctx.reply, value);
}

function hmget(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const args = ctx.args;
  ctx.reply.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const value = entry?.value.getStored(toKey(args[i]));
    if (value === undefined) ctx.reply.nullBulk();
    else writeStored(ctx.reply, value);
  }
}

function hexists(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.has(toKey(ctx.args[2])) ? 1 : 0);
}

function hlen(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.size ?? 0);
}

function hstrlen(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.valueLength(toKey(ctx.args[2])) ?? 0);
}

const KEYS = 1;
const VALUES = 2;

function hgetall(ctx: CommandContext, what: number): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const reply = ctx.reply;
  if (entry === undefined) {
    if (what === (KEYS | VALUES)) reply.mapHeader(0);
    else reply.arrayHeader(0);
    return;
  }
  const map = entry.value;
  // Fields and packed values go out as they are stored: no array per string.
  const framer = new BulkFramer((bytes) => reply.raw(bytes));
  if (what === (KEYS | VALUES)) {
    reply.mapHeader(map.size);
    for (const [field, value] of map) {
      framer.latin1(field);
      framer.value(value);
    }
  } else if (what === KEYS) {
    reply.arrayHeader(map.size);
    for (const field of map.keys()) framer.latin1(field);
  } else {
    reply.arrayHeader(map.size);
    for (const value of map.values()) framer.value(value);
  }
  framer.flush();
}

/** Field name bytes (fields are latin1 binary strings). */
function fieldBytes(field: string): Uint8Array {
  return ascii(field);
}

function hincrby(ctx: CommandContext): void {
  const incr = parseInteger(ctx.args[3]);
  if (incr === null) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  const key = toKey(ctx.args[1]);
  const target = writeHash(ctx, key);
  if (target === null) return;
  const field = toKey(ctx.args[2]);
  const map = target.entry.value;
  const old = map.get(field);
  let value: number | bigint = 0;
  if (old !== undefined) {
    const parsed = parseInteger(old);
    if (parsed === null) {
      ctx.reply.error("ERR hash value is not an integer");
      return;
    }
    value = parsed;
  }
  let result: number | bigint;
  if (typeof value === "number" && typeof incr === "number") {
    result = value + incr;
    if (!Number.isSafeInteger(result)) result = BigInt(value) + BigInt(incr);
  } else {
    result = BigInt(value) + BigInt(incr);
  }
  if (typeof result === "bigint") {
    if (result > INT64_MAX || result < INT64_MIN) {
      ctx.reply.error(OVERFLOW);
      return;
    }
  }
  map.set(field, String(result)); // digits: already the stored (latin1) form
  commit(ctx, key, target.entry, target.created);
  ctx.reply.integer(result);
}

function hincrbyfloat(ctx: CommandContext): void {
  const incr = parseLongDoubleExact(ctx.args[3]);
  if (incr === null) {
    ctx.reply.error(NOT_FLOAT);
    return;
  }
  if (isInfinite(incr)) {
    ctx.reply.error("ERR value is NaN or Infinity");
    return;
  }
  const key = toKey(ctx.args[1]);
  const target = writeHash(ctx, key);
  if (target === null) return;
  const field = toKey(ctx.args[2]);
  const map = target.entry.value;
  const old = map.get(field);
  let result = incr;
  if (old !== undefined) {
    const value = parseLongDoubleExact(old);
    if (value === null) {
      ctx.reply.error("ERR hash value is not a float");
      return;
    }
    result = addLongDouble(value, incr);
  } else {
    result = addLongDouble({ negative: false, mant: 0n, exp: 0 }, incr);
  }
  if (isInfinite(result)) {
    ctx.reply.error("ERR increment would produce NaN or Infinity");
    return;
  }
  const bytes = ascii(formatLongDoubleHuman(result));
  map.set(field, bytes);
  commit(ctx, key, target.entry, target.created);
  ctx.reply.bulk(bytes);
}

function hrandfield(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length === 2) {
    const entry = readHash(ctx, toKey(args[1]));
    if (entry === null) return;
    if (entry === undefined) reply.nullBulk();
    else reply.bulk(fieldBytes(entry.value.randomKey()));
    return;
  }
  const parsed = parseRandomCount(reply, args, "withvalues");
  if (parsed === null) return;
  const { count, withValues } = parsed;
  const entry = readHash(ctx, toKey(args[1]));
  if (entry === null) return;
  if (entry === undefined || count === 0) {
    reply.arrayHeader(0);
    return;
  }
  const map = entry.value;
  const size = map.size;
  const resp3 = reply.protocol === 3;
  const writePair = (field: string, value: Uint8Array): void => {
    if (withValues && resp3) reply.arrayHeader(2);
    reply.bulk(fieldBytes(field));
    if (withValues) reply.bulk(value);
  };
  if (count < 0 || count === 1) {
    // Repetitions allowed, random order.
    const n = count < 0 ? -count : 1;
    reply.arrayHeader(withValues && !resp3 ? n * 2 : n);
    for (let i = 0; i < n; i++) {
      const field = map.randomKey();
      writePair(field, map.get(field)!);
    }
    return;
  }
  if (count >= size) {
    reply.arrayHeader(withValues && !resp3 ? size * 2 : size);
    for (const [field, value] of map) writePair(field, valueBytes(value));
    return;
  }
  const picked = sampleIndexes(size, count);
  reply.arrayHeader(withValues && !resp3 ? count * 2 : count);
  for (const index of picked) {
    const field = map.keyAt(index);
    writePair(field, map.get(field)!);
  }
}

function hscan(ctx: CommandContext): void {
  const scan = startScan(ctx, "hash");
  if (scan === null) return;
  const { cursor, options } = scan;
  const reply = ctx.reply;
  const map = scan.entry.value;
  const [next, fields] = scanContainer(map, cursor, options.count);
  const out: string[] = [];
  for (const field of fields) {
    if (matches(options.pattern, field) && map.has(field)) out.push(field);
  }
  scanReplyHeader(reply, next, out.length * 2);
  for (const field of out) {
    reply.bulk(fieldBytes(field));
    reply.bulk(map.get(field)!);
  }
}

const WRITE_FAST: CommandSpec["flags"] = ["write", "denyoom", "fast"];
const READ_FAST: CommandSpec["flags"] = ["readonly", "fast"];
const READ: CommandSpec["flags"] = ["readonly"];

/** The hash commands. */
export const hashCommands: readonly CommandSpec[] = [
  command("hset", -4, WRITE_FAST, ONE_KEY, (ctx) => void hset(ctx, "hset")),
  command("hmset", -4, WRITE_FAST, ONE_KEY, (ctx) => void hset(ctx, "hmset")),
  command("hsetnx", 4, WRITE_FAST, ONE_KEY, hsetnx),
  command("hget", 3, READ_FAST, ONE_KEY, hget),
  command("hmget", -3, READ_FAST, ONE_KEY, hmget),
  command("hdel", -3, ["write", "fast"], ONE_KEY, (ctx) => removeMembers(ctx, "hash")),
  command("hexists", 3, READ_FAST, ONE_KEY, hexists),
  command("hlen", 2, READ_FAST, ONE_KEY, hlen),
  command("hstrlen", 3, READ_FAST, ONE_KEY, hstrlen),
  command("hkeys", 2, READ, ONE_KEY, (ctx) => hgetall(ctx, KEYS)),
  command("hvals", 2, READ, ONE_KEY, (ctx) => hgetall(ctx, VALUES)),
  command("hgetall", 2, READ, ONE_KEY, (ctx) => hgetall(ctx, KEYS | VALUES)),
  command("hincrby", 4, WRITE_FAST, ONE_KEY, hincrby),
  command("hincrbyfloat", 4, WRITE_FAST, ONE_KEY, hincrbyfloat),
  command("hrandfield", -2, READ, ONE_KEY, hrandfield),
  command("hscan", -3, READ, ONE_KEY, hscan),
];
