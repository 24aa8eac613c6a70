/**
 * Argument helpers for server commands: binary keys, Redis-exact number
 * parsing and formatting, and the error texts Redis replies with.
 *
 * @module
 */

import { allocate } from "../protocol/_slab.ts";

/** `-WRONGTYPE` reply text. */
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
/** `-ERR syntax error`. */
export const SYNTAX_ERROR = "ERR syntax error";
/** Integer argument that does not parse. */
export const NOT_INTEGER = "ERR value is not an integer or out of range";
/** Float argument that does not parse. */
export const NOT_FLOAT = "ERR value is not a valid float";
/** Key does not exist (RENAME, LSET...). */
export const NO_SUCH_KEY = "ERR no such key";
/** Index out of range (LSET...). */
export const INDEX_OUT_OF_RANGE = "ERR index out of range";
/** Increment or decrement would overflow. */
export const OVERFLOW = "ERR increment or decrement would overflow";
/** Bad database index. */
export const DB_OUT_OF_RANGE = "ERR DB index is out of range";
/** Negative or zero where a positive count is needed. */
export const POSITIVE_ERROR = "ERR value is out of range, must be positive";
/** Timeout argument that does not parse (blocking commands). */
export const TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
/** Negative timeout (blocking commands). */
export const TIMEOUT_NEGATIVE = "ERR timeout is negative";

const encoder = new TextEncoder();

/** Slots of the cache of recent short keys (a power of two). */
const KEY_CACHE_SIZE = 4096;
/** Longest key the cache holds, in bytes. */
const KEY_CACHE_MAX = 64;
const keyCache: string[] = new Array<string>(KEY_CACHE_SIZE).fill("");
/**
 * The bytes of each cached key, `KEY_CACHE_MAX` bytes per slot, and their
 * lengths (comparing bytes is cheaper than `charCodeAt`).
 */
const keyCacheBytes = new Uint8Array(KEY_CACHE_SIZE * KEY_CACHE_MAX);
const keyCacheLengths = new Uint8Array(KEY_CACHE_SIZE);

/**
 * Turns argument bytes into a latin1 binary string (one char per byte), the
 * form keys, hash fields and set members take in memory.
 *
 * Short keys go through a small direct-mapped cache of recent keys: a hit
 * returns the same string as last time, whose hash the engine has already
 * computed, so the Map lookup that follows is cheap (building and hashing a
 * fresh string costs several times more than hashing and comparing bytes).
 */
export function toKey(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length <= KEY_CACHE_MAX) {
    let hash = length;
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      hash = Math.imul(hash ^ word, 0x01000193);
    }
    for (; i < length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const slot = (hash ^ (hash >>> 15)) & (KEY_CACHE_SIZE - 1);
    const base = slot * KEY_CACHE_MAX;
    if (keyCacheLengths[slot] === length) {
      i = 0;
      while (i < length && keyCacheBytes[base + i] === bytes[i]) i++;
      if (i === length) return keyCache[slot];
    }
    // One call builds a flat string (a loop of `+=` builds a rope).
    const s = String.fromCharCode.apply(null, bytes as unknown as number[]);
    keyCache[slot] = s;
    keyCacheLengths[slot] = length;
    for (i = 0; i < length; i++) keyCacheBytes[base + i] = bytes[i];
    return s;
  }
  let s = "";
  for (let i = 0; i < length; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(length, i + 8192)) as unknown as number[],
    );
  }
  return s;
}

/**
 * Turns a latin1 binary string back into bytes. Short results are views of a
 * shared slab (see `allocate` in `protocol/_slab.ts`): allocating a buffer of
 * their own costs about a microsecond on Deno.
 */
export function fromKey(key: string): Uint8Array {
  const length = key.length;
  const bytes = allocate(length);
  for (let i = 0; i < length; i++) bytes[i] = key.charCodeAt(i);
  return bytes;
}

/** UTF-8 bytes of `text` (for replies built from JS strings). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** ASCII bytes of an ASCII-only string (cheaper than `utf8` for short text). */
export function ascii(text: string): Uint8Array {
  return fromKey(text);
}

/** True when `bytes` equals the lowercase ASCII `word` ignoring ASCII case. */
export function isWord(bytes: Uint8Array, word: string): boolean {
  if (bytes.length !== word.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The argument as a lowercase ASCII string (for option keywords). */
export function lowerWord(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    s += String.fromCharCode(c);
  }
  return s;
}

const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer exactly like Redis's `string2ll`: optional
 * `-`, no `+`, no leading zeros, no spaces, at most 20 characters. Values
 * outside the safe integer range come back as `bigint`.
 *
 * @returns the number, or `null` when it does not parse.
 */
export function parseInteger(bytes: Uint8Array): number | bigint | null {
  const length = bytes.length;
  if (length === 0 || length > 20) return null;
  if (length === 1 && bytes[0] === 48) return 0;
  let i = 0;
  let negative = false;
  if (bytes[0] === 45) {
    negative = true;
    i = 1;
    if (length === 1) return null;
  }
  if (bytes[i] < 49 || bytes[i] > 57) return null;
  let value = 0;
  for (; i < length; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) return null;
    value = value * 10 + c;
  }
  if (value <= Number.MAX_SAFE_INTEGER) return negative ? -value : value;
  let big = 0n;
  for (let j = negative ? 1 : 0; j < length; j++) big = big * 10n + BigInt(bytes[j] - 48);
  if (negative) big = -big;
  if (big > MAX_I64 || big < MIN_I64) return null;
  return big;
}

/**
 * Parses an integer argument that must fit in a safe JS integer (counts,
 * indexes, TTLs); values in the int64 range beyond it are clamped to
 * ±MAX_SAFE_INTEGER, which behaves the same for range arithmetic.
 *
 * @returns the number, or `null` when it does not parse as an int64.
 */
export function parseSafeInteger(bytes: Uint8Array): number | null {
  const value = parseInteger(bytes);
  if (value === null) return null;
  if (typeof value === "bigint") {
    return value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  }
  return value;
}

/**
 * Parses a double like Redis's `getDoubleFromObject`/`strtod`: accepts
 * `inf`, `+inf`, `-inf` (any case), decimal and exponent forms; rejects empty
 * input, spaces and NaN.
 *
 * @returns the number, or `null` when it does not parse.
 */
export function parseFloatArg(bytes: Uint8Array): number | null {
  const length = bytes.length;
  if (length === 0 || length > 5000) return null;
  const first = bytes[0];
  const last = bytes[length - 1];
  if (first === 32 || last === 32 || (first >= 9 && first <= 13) || (last >= 9 && last <= 13)) {
    return null;
  }
  const text = toKey(bytes);
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") {
    return Infinity;
  }
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    if (/^[+-]?0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
    return null;
  }
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

/**
 * Formats a long double the way INCRBYFLOAT / HINCRBYFLOAT reply (`%.17Lf`
 * with trailing zeros removed, no exponent).
 */
export function formatLongDouble(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  let text = Math.abs(value) < 1e21 ? String(value) : BigInt(Math.round(value)).toString();
  if (text.includes("e")) {
    // Small magnitudes: expand to fixed notation, at most 17 decimals.
    text = value.toFixed(17).replace(/\.?0+$/, "");
  }
  return text;
}

/**
 * Turns an expire argument into an absolute time in epoch ms, with Redis's
 * overflow rules (SET EX/PX/EXAT/PXAT, GETEX, SETEX).
 *
 * @param bytes The argument.
 * @param unitMs 1000 for seconds, 1 for milliseconds.
 * @param absolute True for EXAT/PXAT.
 * @param now The current time in epoch ms.
 * @returns the absolute time, `null` when not an integer, `-1` when invalid
 * (zero, negative or overflowing).
 */
export function parseSetExpire(
  bytes: Uint8Array,
  unitMs: number,
  absolute: boolean,
  now: number,
): number | null {
  const value = parseInteger(bytes);
  if (value === null) return null;
  const big = BigInt(value);
  if (big <= 0n) return -1;
  let ms = big * BigInt(unitMs);
  if (ms > MAX_I64) return -1;
  if (!absolute) ms += BigInt(now);
  if (ms > MAX_I64) return -1;
  return Number(ms);
}

/**
 * Turns an EXPIRE-family argument into an absolute time in epoch ms (Redis
 * allows negative values here).
 *
 * @returns the absolute time, `null` when not an integer, `undefined` when
 * it overflows ("invalid expire time").
 */
export function parseExpireArg(
  bytes: Uint8Array,
  unitMs: number,
  base: number,
): number | null | undefined {
  const value = parseInteger(bytes);
  if (value === null) return null;
  const ms = BigInt(value) * BigInt(unitMs);
  if (ms > MAX_I64 || ms < MIN_I64) return undefined;
  const when = ms + BigInt(base);
  if (when > MAX_I64) return undefined;
  return Number(when);
}
