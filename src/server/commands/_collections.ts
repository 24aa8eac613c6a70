/**
 * Helpers shared by the hash, list, set and sorted-set families: typed key
 * lookups, member removal, Redis-exact argument parsing
 * (`getRangeLongFromObjectOrReply` and friends, blocking timeouts, SCAN
 * cursors and options, the *MPOP and *RANDMEMBER arguments), incremental
 * container scans, random sampling and storing a computed result.
 *
 * Every `parse*` helper that takes a `ReplyWriter` writes the error reply
 * itself and returns `null`, so callers only check for `null` and return.
 *
 * @module
 */

import type { ReplyWriter } from "../../protocol/reply_writer.ts";
import {
  isWord,
  NOT_INTEGER,
  parseInteger,
  POSITIVE_ERROR,
  SYNTAX_ERROR,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_FLOAT,
  toKey,
  WRONGTYPE,
} from "../args.ts";
import { globMatch } from "../glob.ts";
import type { CommandContext, Entry, SetEntry, ZSetEntry } from "../types.ts";
import { longDoubleToNumber, parseLongDouble, parseLongDoubleExact } from "./_long_double.ts";

// `isOpt(bytes, word)`: true when `bytes` is the lowercase ASCII `word` in any case.
export { isWord as isOpt } from "../args.ts";

/** `LONG_MAX` as a bigint. */
export const LONG_MAX = 9223372036854775807n;

/** The entry type whose `type` tag is `T`. */
export type EntryOf<T extends Entry["type"]> = Extract<Entry, { type: T }>;

/**
 * The entry under `key` when it holds a `type` value: `undefined` when the
 * key is missing, `null` after replying WRONGTYPE.
 */
export function readEntry<T extends Entry["type"]>(
  ctx: CommandContext,
  key: string,
  type: T,
): EntryOf<T> | undefined | null {
  const entry = ctx.db.get(key);
  if (entry === undefined) return undefined;
  if (entry.type !== type) {
    ctx.reply.error(WRONGTYPE);
    return null;
  }
  return entry as EntryOf<T>;
}

/** After removing elements: deletes `key` when its container is now empty (`size` 0), else touches it. */
export function deleteOrTouch(ctx: CommandContext, key: string, size: number): void {
  if (size === 0) ctx.db.delete(key);
  else ctx.db.touch(key);
}

/** A container members can be removed from by name. */
interface Removable {
  delete(member: string): boolean;
  readonly size: number;
}

/**
 * HDEL, SREM and ZREM: removes `args[2..]` from the `type` container under
 * `args[1]` (stopping once it is empty), deletes or touches the key, and
 * replies how many were removed.
 */
export function removeMembers(ctx: CommandContext, type: "hash" | "set" | "zset"): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  const entry = readEntry(ctx, key, type);
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const container: Removable = entry.value;
  let removed = 0;
  for (let i = 2; i < args.length; i++) {
    if (container.delete(toKey(args[i]))) {
      removed++;
      if (container.size === 0) break;
    }
  }
  if (removed !== 0) deleteOrTouch(ctx, key, container.size);
  ctx.reply.integer(removed);
}

/**
 * Stores a computed set or sorted set under `destination` (deleting the key
 * instead when it is empty) and replies its size, like the *STORE commands.
 */
export function storeResult(
  ctx: CommandContext,
  destination: string,
  entry: SetEntry | ZSetEntry,
): void {
  const size = entry.value.size;
  if (size !== 0) ctx.db.set(destination, entry);
  else ctx.db.delete(destination);
  ctx.reply.integer(size);
}

/**
 * Parses a 64-bit integer argument in `min..max` like Redis's
 * `getRangeLongFromObjectOrReply`: on failure replies `msg` (or Redis's
 * default texts) and returns `null`. Values beyond the safe integer range
 * come back clamped to ±`Number.MAX_SAFE_INTEGER`, which behaves the same for
 * counts and indexes.
 */
export function parseRangeLong(
  reply: ReplyWriter,
  bytes: Uint8Array,
  min: bigint,
  max: bigint,
  msg?: string,
): number | null {
  const value = parseInteger(bytes);
  if (value === null) {
    reply.error(msg ?? NOT_INTEGER);
    return null;
  }
  const big = typeof value === "bigint";
  if (big ? value < min || value > max : value < Number(min) || value > Number(max)) {
    reply.error(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
    return null;
  }
  if (big) return value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  return value;
}

/** Like Redis's `getLongFromObjectOrReply`: any int64; `null` after replying an error. */
export function parseLong(reply: ReplyWriter, bytes: Uint8Array, msg?: string): number | null {
  const value = parseInteger(bytes);
  if (value === null) {
    reply.error(msg ?? NOT_INTEGER);
    return null;
  }
  if (typeof value === "bigint") {
    return value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  }
  return value;
}

/**
 * Like Redis's `getPositiveLongFromObjectOrReply` (0 allowed): both a parse
 * failure and a negative value reply `msg`, by default
 * `ERR value is out of range, must be positive`.
 */
export function parsePositiveLong(
  reply: ReplyWriter,
  bytes: Uint8Array,
  msg?: string,
): number | null {
  const value = parseInteger(bytes);
  if (value === null) {
    reply.error(msg ?? POSITIVE_ERROR);
    return null;
  }
  if (typeof value === "bigint" ? value < 0n : value < 0) {
    reply.error(msg ?? POSITIVE_ERROR);
    return null;
  }
  return typeof value === "bigint" ? Number.MAX_SAFE_INTEGER : value;
}

/**
 * Parses a blocking timeout in seconds (a float) like Redis 7.0's
 * `getTimeoutFromObjectOrReply(..., UNIT_SECONDS)`: the value is converted to
 * whole milliseconds by truncation, so `0.0001` means "forever" and values
 * whose milliseconds overflow int64 (`inf`, `1e20`) are "negative".
 *
 * @returns milliseconds (0 = forever), or `null` after replying an error.
 */
export function parseTimeout(reply: ReplyWriter, bytes: Uint8Array): number | null {
  const seconds = parseLongDouble(bytes);
  if (seconds === null) {
    reply.error(TIMEOUT_NOT_FLOAT);
    return null;
  }
  const ms = seconds * 1000;
  // (long long) of an out-of-range value is LLONG_MIN on x86-64: "negative".
  if (!(ms > -9223372036854775808) || !(ms < 9223372036854775807) || Math.trunc(ms) < 0) {
    reply.error(TIMEOUT_NEGATIVE);
    return null;
  }
  return Math.trunc(ms);
}

/**
 * Parses a SCAN cursor like Redis's `parseScanCursorOrReply` (`strtoul`):
 * optional sign, decimal digits; `""` is 0; a leading space or trailing junk
 * is an error.
 *
 * @returns the cursor, or `null` after replying `ERR invalid cursor`.
 */
export function parseCursor(reply: ReplyWriter, bytes: Uint8Array): number | null {
  let i = 0;
  let negative = false;
  if (bytes.length > 0 && (bytes[0] === 43 || bytes[0] === 45)) {
    negative = bytes[0] === 45;
    i = 1;
  }
  let value = 0n;
  let digits = 0;
  for (; i < bytes.length; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) break;
    value = value * 10n + BigInt(c);
    digits++;
  }
  const ok = i === bytes.length && (digits > 0 || bytes.length === 0) &&
    value <= 18446744073709551615n;
  if (!ok) {
    reply.error("ERR invalid cursor");
    return null;
  }
  if (negative && value !== 0n) value = 18446744073709551616n - value;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The options of HSCAN/SSCAN/ZSCAN. */
export interface ScanOptions {
  /** The MATCH pattern (latin1), or `null` for "everything". */
  pattern: string | null;
  /** COUNT, default 10. */
  count: number;
}

/**
 * Parses `[MATCH pattern] [COUNT count]` from `args[from]` on like Redis's
 * `scanGenericCommand`.
 *
 * @returns the options, or `null` after replying an error.
 */
export function parseScanOptions(
  reply: ReplyWriter,
  args: Uint8Array[],
  from: number,
): ScanOptions | null {
  let pattern: string | null = null;
  let count = 10;
  for (let i = from; i < args.length; i += 2) {
    const more = args.length - i - 1;
    const opt = args[i];
    if (more >= 1 && isWord(opt, "count")) {
      const value = parseLong(reply, args[i + 1]);
      if (value === null) return null;
      if (value < 1) {
        reply.error(SYNTAX_ERROR);
        return null;
      }
      count = value;
    } else if (more >= 1 && isWord(opt, "match")) {
      const p = toKey(args[i + 1]);
      pattern = p === "*" ? null : p;
    } else {
      reply.error(SYNTAX_ERROR);
      return null;
    }
  }
  return { pattern, count };
}

/**
 * The start of HSCAN, SSCAN and ZSCAN (`key cursor [MATCH p] [COUNT n]`):
 * the cursor, the `type` entry under `args[1]` and the options, or `null`
 * once a reply is written (an error, or the empty scan of a missing key).
 */
export function startScan<T extends "hash" | "set" | "zset">(
  ctx: CommandContext,
  type: T,
): { entry: EntryOf<T>; cursor: number; options: ScanOptions } | null {
  const reply = ctx.reply;
  const cursor = parseCursor(reply, ctx.args[2]);
  if (cursor === null) return null;
  const entry = readEntry(ctx, toKey(ctx.args[1]), type);
  if (entry === null) return null;
  if (entry === undefined) {
    scanReplyHeader(reply, 0, 0);
    return null;
  }
  const options = parseScanOptions(reply, ctx.args, 3);
  if (options === null) return null;
  return { entry, cursor, options };
}

/** Containers up to this size are scanned in one call (like Redis's listpacks). */
export const SCAN_ALL_THRESHOLD = 128;

interface ScanCursorState {
  iterator: Iterator<string>;
  position: number;
}

const scanStates = new WeakMap<object, Map<number, ScanCursorState>>();
const SCAN_STATES_PER_CONTAINER = 64;
let scanTag = 0;

/**
 * One step of an incremental scan over the keys of a `Map` or `Set`
 * (`container`): small containers are returned whole with cursor 0 like
 * Redis's compact encodings; large ones are walked with a live iterator kept
 * per handed-out cursor, so every element present for the whole scan is
 * returned at least once. An unknown cursor resumes near the position it
 * encodes.
 *
 * @returns the next cursor (0 when done) and the keys of this step, unfiltered.
 */
export function scanContainer(
  container: Map<string, unknown> | Set<string>,
  cursor: number,
  count: number,
): [number, string[]] {
  const size = container.size;
  if (size <= SCAN_ALL_THRESHOLD) return [0, [...container.keys()]];
  let states = scanStates.get(container);
  let state = states?.get(cursor);
  if (state !== undefined) {
    states!.delete(cursor);
  } else {
    const iterator = container.keys();
    const target = cursor === 0 ? 0 : Math.floor(cursor / 1024);
    let position = 0;
    while (position < target && !iterator.next().done) position++;
    state = { iterator, position };
  }
  const out: string[] = [];
  while (out.length < count) {
    const next = state.iterator.next();
    if (next.done) return [0, out];
    state.position++;
    out.push(next.value);
  }
  if (states === undefined) {
    states = new Map();
    scanStates.set(container, states);
  }
  scanTag = (scanTag + 1) & 1023;
  let id = state.position * 1024 + scanTag;
  while (id === 0 || states.has(id)) id += 1024;
  states.set(id, state);
  if (states.size > SCAN_STATES_PER_CONTAINER) states.delete(states.keys().next().value!);
  return [id, out];
}

/** Filters scanned keys by a MATCH pattern (`null` keeps all). */
export function matches(pattern: string | null, key: string): boolean {
  return pattern === null || globMatch(pattern, key);
}

/** Writes a SCAN reply header: `*2`, the cursor as a bulk string, then `*n`. */
export function scanReplyHeader(reply: ReplyWriter, cursor: number, n: number): void {
  reply.arrayHeader(2);
  reply.bulk(String(cursor));
  reply.arrayHeader(n);
}

/** A uniformly random integer in `0..n-1`. */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * `k` distinct random indexes of `0..n-1` (k <= n), in ascending order
 * (like Redis's listpack sampling, which walks in order). O(k log k) when
 * `k` is at most half of `n` (Redis's "pick until enough distinct" case),
 * otherwise O(n) (its "copy, then drop" case): never more than the reply.
 */
export function sampleIndexes(n: number, k: number): number[] {
  if (k * 2 > n) {
    // Dense: pick the ones to drop.
    const drop = new Set<number>();
    while (drop.size < n - k) drop.add(randomIndex(n));
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (!drop.has(i)) out.push(i);
    return out;
  }
  const picked = new Set<number>();
  while (picked.size < k) picked.add(randomIndex(n));
  return [...picked].sort((a, b) => a - b);
}

/** Byte-wise comparison of latin1 binary strings, for sorting. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const HEX = /^[+-]?0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?$/i;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const NAN = /^[+-]?nan(?:\([0-9a-z_]*\))?$/i;

/**
 * C's `strtod` when the whole text must be consumed: leading white space is
 * skipped, `inf`/`nan`, decimal and hex forms; `""` is 0 (no conversion, end
 * reached). Overflow gives ±Infinity, underflow 0, like glibc.
 *
 * @returns the value (NaN possible), or `null` when bytes are left over.
 */
export function strtod(bytes: Uint8Array): number | null {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 32 || (bytes[i] >= 9 && bytes[i] <= 13))) i++;
  if (i === bytes.length) return i === 0 ? 0 : null;
  const text = toKey(i === 0 ? bytes : bytes.subarray(i));
  if (DECIMAL.test(text)) return Number(text);
  if (INFINITY.test(text)) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (NAN.test(text)) return NaN;
  if (HEX.test(text)) {
    const value = parseLongDoubleExact(bytes.subarray(i));
    if (value === null) return text.charCodeAt(0) === 45 ? -Infinity : Infinity;
    return longDoubleToNumber(value);
  }
  return null;
}

/**
 * Parses a double argument like Redis's `getDoubleFromObject`: `strtod` over
 * every byte, no leading space, no NaN, no overflow to infinity, no
 * underflow to zero.
 *
 * @returns the number, or `null` when Redis would reject it.
 */
export function parseDouble(bytes: Uint8Array): number | null {
  if (bytes.length === 0) return null;
  const first = bytes[0];
  if (first === 32 || (first >= 9 && first <= 13)) return null;
  const value = strtod(bytes);
  if (value === null || Number.isNaN(value)) return null;
  if (value === Infinity || value === -Infinity) {
    return INFINITY.test(toKey(bytes)) ? value : null;
  }
  if (value === 0) {
    // Underflow: a non-zero digit before the exponent that still gave zero.
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === 101 || c === 69 || c === 112 || c === 80) break;
      if (c >= 49 && c <= 57) return null;
      if (c === 120 || c === 88) continue;
      if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) return null;
    }
  }
  return value;
}

/** True when an integer argument lies outside ±LONG_MAX/2 (HRANDFIELD/ZRANDMEMBER WITH...). */
function exceedsHalfLong(bytes: Uint8Array): boolean {
  const value = parseInteger(bytes);
  if (typeof value !== "bigint") return false;
  return value > LONG_MAX / 2n || value < -LONG_MAX / 2n;
}

/**
 * Parses `key count [withWord]` of HRANDFIELD (`withvalues`) and ZRANDMEMBER
 * (`withscores`) when a count is given, in Redis's order: the count, then
 * the syntax, then the doubled count's range when `withWord` is present.
 *
 * @returns the count and whether `withWord` was given, or `null` after
 * replying an error.
 */
export function parseRandomCount(
  reply: ReplyWriter,
  args: Uint8Array[],
  withWord: string,
): { count: number; withValues: boolean } | null {
  const count = parseRangeLong(reply, args[2], -LONG_MAX, LONG_MAX);
  if (count === null) return null;
  if (args.length > 4 || (args.length === 4 && !isWord(args[3], withWord))) {
    reply.error(SYNTAX_ERROR);
    return null;
  }
  const withValues = args.length === 4;
  if (withValues && exceedsHalfLong(args[2])) {
    reply.error("ERR value is out of range");
    return null;
  }
  return { count, withValues };
}

/** The parsed arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP. */
export interface MpopArgs {
  /** The key arguments, as given. */
  keyArgs: Uint8Array[];
  /** 0 for the first of the two end words (LEFT, MIN), 1 for the second (RIGHT, MAX). */
  where: number;
  /** COUNT, default 1. */
  count: number;
}

/**
 * Parses `numkeys key... end [COUNT count]` from `args[numkeysIndex]` on,
 * like Redis's `lmpopGenericCommand`/`zmpopGenericCommand`; `ends` names the
 * two end words (`["left", "right"]` or `["min", "max"]`).
 *
 * @returns the arguments, or `null` after replying an error.
 */
export function parseMpop(
  reply: ReplyWriter,
  args: Uint8Array[],
  numkeysIndex: number,
  ends: readonly [string, string],
): MpopArgs | null {
  const numkeys = parseRangeLong(
    reply,
    args[numkeysIndex],
    1n,
    LONG_MAX,
    "ERR numkeys should be greater than 0",
  );
  if (numkeys === null) return null;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= args.length) {
    reply.error(SYNTAX_ERROR);
    return null;
  }
  let where: number;
  if (isWord(args[whereIndex], ends[0])) where = 0;
  else if (isWord(args[whereIndex], ends[1])) where = 1;
  else {
    reply.error(SYNTAX_ERROR);
    return null;
  }
  let count = -1;
  for (let j = whereIndex + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && more >= 1 && isWord(args[j], "count")) {
      j++;
      const parsed = parseRangeLong(
        reply,
        args[j],
        1n,
        LONG_MAX,
        "ERR count should be greater than 0",
      );
      if (parsed === null) return null;
      count = parsed;
    } else {
      reply.error(SYNTAX_ERROR);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keyArgs: args.slice(numkeysIndex + 1, whereIndex), where, count };
}
