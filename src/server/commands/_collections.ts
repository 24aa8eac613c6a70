/**
 * Helpers shared by the hash, list, set and sorted-set families: Redis-exact
 * argument parsing (`getRangeLongFromObjectOrReply` and friends, blocking
 * timeouts, SCAN cursors and options), incremental container scans and
 * random sampling.
 *
 * Every `parse*` helper that takes a `ReplyWriter` writes the error reply
 * itself and returns `null`, so callers only check for `null` and return.
 *
 * @module
 */

import type { ReplyWriter } from "../../protocol/reply_writer.ts";
import {
  NOT_INTEGER,
  parseInteger,
  POSITIVE_ERROR,
  SYNTAX_ERROR,
  TIMEOUT_NEGATIVE,
  TIMEOUT_NOT_FLOAT,
  toKey,
} from "../args.ts";
import { globMatch } from "../glob.ts";
import { longDoubleToNumber, parseLongDouble, parseLongDoubleExact } from "./_long_double.ts";

/** `LONG_MAX` as a bigint. */
export const LONG_MAX = 9223372036854775807n;

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
    if (more >= 1 && isOpt(opt, "count")) {
      const value = parseLong(reply, args[i + 1]);
      if (value === null) return null;
      if (value < 1) {
        reply.error(SYNTAX_ERROR);
        return null;
      }
      count = value;
    } else if (more >= 1 && isOpt(opt, "match")) {
      const p = toKey(args[i + 1]);
      pattern = p === "*" ? null : p;
    } else {
      reply.error(SYNTAX_ERROR);
      return null;
    }
  }
  return { pattern, count };
}

/** True when `bytes` is `word` (lowercase ASCII) in any case. */
export function isOpt(bytes: Uint8Array, word: string): boolean {
  if (bytes.length !== word.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
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
 * (like Redis's listpack sampling, which walks in order).
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
export function exceedsHalfLong(bytes: Uint8Array): boolean {
  const value = parseInteger(bytes);
  if (typeof value !== "bigint") return false;
  return value > LONG_MAX / 2n || value < -LONG_MAX / 2n;
}
