/**
 * How CONFIG SET reads a value, the way Redis 7.0's `config.c` does: plain
 * integers (`string2ll`: no sign `+`, no spaces, no leading zeros), memory
 * values (`memtoull`: digits and an optional unit, `1k` = 1000, `1kb` =
 * 1024, ..., case-insensitive), ranges checked with Redis's error texts.
 * Numbers are parsed as `bigint` so the 64-bit bounds Redis prints
 * (`9223372036854775807`) are checked exactly.
 *
 * @module
 */

const UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000_000n,
  mb: 1024n * 1024n,
  g: 1000_000_000n,
  gb: 1024n * 1024n * 1024n,
};

const U64 = 1n << 64n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** `LLONG_MAX`, the upper bound Redis prints for 64-bit parameters. */
export const LLONG_MAX: bigint = I64_MAX;
/** `INT_MAX`. */
export const INT_MAX = 2147483647n;
/** `INT_MIN`. */
export const INT_MIN = -2147483648n;
/** `UINT_MAX` (maxclients' upper bound). */
export const UINT_MAX = 4294967295n;
/** `ULLONG_MAX` (maxmemory's upper bound). */
export const ULLONG_MAX: bigint = U64 - 1n;

/** Redis's error text for a value that is not an integer. */
export const NOT_AN_INTEGER = "argument couldn't be parsed into an integer";
/** Redis's error text for a value that is not a memory value. */
export const NOT_A_MEMORY_VALUE = "argument must be a memory value";

/**
 * Parses a memory value like Redis's `memtoull`: digits, then an optional
 * unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`, any case). An empty digit run
 * reads as 0 (`""` and `"mb"` are 0, as in Redis); a value past 64 bits
 * saturates, and the unit multiplication wraps modulo 2^64, as in C.
 *
 * @param text The value.
 * @returns the bytes, or null when it is not a memory value.
 *
 * @example Units
 * ```ts
 * import { parseMemory } from "./config_values.ts";
 *
 * console.log(parseMemory("1kb"), parseMemory("1k"), parseMemory("1x")); // 1024n 1000n null
 * ```
 */
export function parseMemory(text: string): bigint | null {
  const match = /^([0-9]*)([a-zA-Z]*)$/.exec(text);
  if (match === null) return null;
  const unit = match[2].toLowerCase();
  // (Own keys only: "1constructor" is no unit.)
  if (!Object.hasOwn(UNITS, unit) || match[1].length >= 128) return null;
  const scale = UNITS[unit];
  let digits = match[1] === "" ? 0n : BigInt(match[1]);
  if (digits > ULLONG_MAX) digits = ULLONG_MAX; // strtoull saturates
  return (digits * scale) % U64;
}

/**
 * Parses an integer like Redis's `string2ll`: an optional `-`, then digits
 * with no leading zero (`0` alone is fine), within 64 signed bits.
 *
 * @param text The value.
 * @returns the integer, or null.
 */
export function parseStrictInteger(text: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(text) || text.length > 20) return null;
  const value = BigInt(text);
  return value < I64_MIN || value > I64_MAX ? null : value;
}

/** A numeric parameter's bounds and form, as Redis's `createXxxConfig` declares them. */
export interface NumericBounds {
  /** Smallest accepted value. */
  min: bigint;
  /** Largest accepted value. */
  max: bigint;
  /** Accepts memory units (`MEMORY_CONFIG`). */
  memory?: boolean;
}

/**
 * Reads a numeric parameter's value and checks its range.
 *
 * @param text The value given to CONFIG SET.
 * @param bounds The parameter's bounds and form.
 * @returns the value, or Redis's error text.
 *
 * @example A range error
 * ```ts
 * import { parseNumeric } from "./config_values.ts";
 *
 * console.log(parseNumeric("0", { min: 1n, max: 10n }));
 * // "argument must be between 1 and 10 inclusive"
 * ```
 */
export function parseNumeric(text: string, bounds: NumericBounds): bigint | string {
  const value = bounds.memory === true ? parseMemory(text) : parseStrictInteger(text);
  if (value === null) return bounds.memory === true ? NOT_A_MEMORY_VALUE : NOT_AN_INTEGER;
  if (value < bounds.min || value > bounds.max) {
    return `argument must be between ${bounds.min} and ${bounds.max} inclusive`;
  }
  return value;
}
