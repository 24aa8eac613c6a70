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
  SYNTAX_ERROR,
  toKey,
  WRONGTYPE,
} from "../args.ts";
import { hashEntry } from "../keyspace.ts";
import type { CommandContext, CommandSpec, HashEntry } from "../types.ts";
import {
  exceedsHalfLong,
  isOpt,
  LONG_MAX,
  matches,
  parseCursor,
  parseRangeLong,
  parseScanOptions,
  randomIndex,
  sampleIndexes,
  scanContainer,
  scanReplyHeader,
} from "./_collections.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  isInfinite,
  parseLongDoubleExact,
} from "./_long_double.ts";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * The hash under `ctx.args[1]`: the entry, `undefined` when missing, or
 * `null` after replying WRONGTYPE.
 */
function readHash(ctx: CommandContext, key: string): HashEntry | undefined | null {
  const entry = ctx.db.get(key);
  if (entry === undefined) return undefined;
  if (entry.type !== "hash") {
    ctx.reply.error(WRONGTYPE);
    return null;
  }
  return entry;
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
  const value = entry?.value.get(toKey(ctx.args[2]));
  if (value === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
}

function hmget(ctx: CommandContext): void {
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const args = ctx.args;
  ctx.reply.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const value = entry?.value.get(toKey(args[i]));
    if (value === undefined) ctx.reply.nullBulk();
    else ctx.reply.bulk(value);
  }
}

function hdel(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = readHash(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const args = ctx.args;
  const map = entry.value;
  let deleted = 0;
  for (let i = 2; i < args.length; i++) {
    if (map.delete(toKey(args[i]))) {
      deleted++;
      if (map.size === 0) break;
    }
  }
  if (deleted !== 0) {
    if (map.size === 0) ctx.db.delete(key);
    else ctx.db.touch(key);
  }
  ctx.reply.integer(deleted);
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
  ctx.reply.integer(entry?.value.get(toKey(ctx.args[2]))?.length ?? 0);
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
  if (what === (KEYS | VALUES)) {
    reply.mapHeader(map.size);
    for (const [field, value] of map) {
      reply.bulk(fieldBytes(field));
      reply.bulk(value);
    }
  } else if (what === KEYS) {
    reply.arrayHeader(map.size);
    for (const field of map.keys()) reply.bulk(fieldBytes(field));
  } else {
    reply.arrayHeader(map.size);
    for (const value of map.values()) reply.bulk(value);
  }
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
  map.set(field, ascii(String(result)));
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
    if (entry === undefined) {
      reply.nullBulk();
      return;
    }
    const map = entry.value;
    let skip = randomIndex(map.size);
    for (const field of map.keys()) {
      if (skip-- === 0) {
        reply.bulk(fieldBytes(field));
        return;
      }
    }
    return;
  }
  const count = parseRangeLong(reply, args[2], -LONG_MAX, LONG_MAX);
  if (count === null) return;
  let withValues = false;
  if (args.length > 4 || (args.length === 4 && !isWithValues(args[3]))) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  if (args.length === 4) {
    withValues = true;
    if (exceedsHalfLong(args[2])) {
      reply.error("ERR value is out of range");
      return;
    }
  }
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
    const fields = [...map.keys()];
    reply.arrayHeader(withValues && !resp3 ? n * 2 : n);
    for (let i = 0; i < n; i++) {
      const field = fields[randomIndex(size)];
      writePair(field, map.get(field)!);
    }
    return;
  }
  if (count >= size) {
    reply.arrayHeader(withValues && !resp3 ? size * 2 : size);
    for (const [field, value] of map) writePair(field, value);
    return;
  }
  const fields = [...map.keys()];
  const picked = sampleIndexes(size, count);
  reply.arrayHeader(withValues && !resp3 ? count * 2 : count);
  for (const index of picked) writePair(fields[index], map.get(fields[index])!);
}

function isWithValues(bytes: Uint8Array): boolean {
  return isOpt(bytes, "withvalues");
}

function hscan(ctx: CommandContext): void {
  const reply = ctx.reply;
  const cursor = parseCursor(reply, ctx.args[2]);
  if (cursor === null) return;
  const entry = readHash(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  if (entry === undefined) {
    scanReplyHeader(reply, 0, 0);
    return;
  }
  const options = parseScanOptions(reply, ctx.args, 3);
  if (options === null) return;
  const map = entry.value;
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
  {
    name: "hset",
    arity: -4,
    flags: WRITE_FAST,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: (ctx) => void hset(ctx, "hset"),
  },
  {
    name: "hmset",
    arity: -4,
    flags: WRITE_FAST,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: (ctx) => void hset(ctx, "hmset"),
  },
  { name: "hsetnx", arity: 4, flags: WRITE_FAST, firstKey: 1, lastKey: 1, step: 1, run: hsetnx },
  { name: "hget", arity: 3, flags: READ_FAST, firstKey: 1, lastKey: 1, step: 1, run: hget },
  { name: "hmget", arity: -3, flags: READ_FAST, firstKey: 1, lastKey: 1, step: 1, run: hmget },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: hdel,
  },
  { name: "hexists", arity: 3, flags: READ_FAST, firstKey: 1, lastKey: 1, step: 1, run: hexists },
  { name: "hlen", arity: 2, flags: READ_FAST, firstKey: 1, lastKey: 1, step: 1, run: hlen },
  { name: "hstrlen", arity: 3, flags: READ_FAST, firstKey: 1, lastKey: 1, step: 1, run: hstrlen },
  {
    name: "hkeys",
    arity: 2,
    flags: READ,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: (ctx) => hgetall(ctx, KEYS),
  },
  {
    name: "hvals",
    arity: 2,
    flags: READ,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: (ctx) => hgetall(ctx, VALUES),
  },
  {
    name: "hgetall",
    arity: 2,
    flags: READ,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: (ctx) => hgetall(ctx, KEYS | VALUES),
  },
  {
    name: "hincrby",
    arity: 4,
    flags: WRITE_FAST,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: hincrby,
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: WRITE_FAST,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: hincrbyfloat,
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: READ,
    firstKey: 1,
    lastKey: 1,
    step: 1,
    run: hrandfield,
  },
  { name: "hscan", arity: -3, flags: READ, firstKey: 1, lastKey: 1, step: 1, run: hscan },
];
