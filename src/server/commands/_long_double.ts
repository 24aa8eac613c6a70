/**
 * Exact emulation of the x86-64 `long double` (80-bit extended precision:
 * a 64-bit significand) arithmetic Redis uses for HINCRBYFLOAT (and
 * INCRBYFLOAT): `strtold` parsing with round-half-even, addition rounded to
 * 64 significant bits, and `%.17Lf` printing with trailing zeros removed
 * (Redis's `ld2string(..., LD_STR_HUMAN)`). With plain doubles `1.1 + 0.2`
 * would print `1.3000000000000003`; Redis prints `1.3`.
 *
 * @module
 */

/** A finite extended value `±mant * 2^exp` (`mant` 0 for zero), or an infinity. */
export interface LongDouble {
  /** Sign. */
  readonly negative: boolean;
  /** The significand (`< 2^64`); `-1n` marks an infinity. */
  readonly mant: bigint;
  /** The binary exponent. */
  readonly exp: number;
}

const ZERO: LongDouble = { negative: false, mant: 0n, exp: 0 };
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;
/** Smallest exponent of a normal x87 extended value with a 64-bit significand. */
const MIN_EXP = -16382 - 63;
/** Exponent at or above which the value overflows to infinity. */
const MAX_EXP = 16384 - 64;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds `num / den * 2^exp2` (num, den > 0) to a 64-bit significand,
 * round-half-even. Returns `null` on overflow or underflow.
 */
function round(negative: boolean, num: bigint, den: bigint, exp2: number): LongDouble | null {
  let shift = 64 - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = shift >= 0 ? num << BigInt(shift) : num;
    d = shift >= 0 ? den : den << BigInt(-shift);
    q = n / d;
    r = n - q * d;
    if (q >= TWO_64) shift--;
    else if (q < TWO_63) shift++;
    else break;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) {
    q++;
    if (q === TWO_64) {
      q = TWO_63;
      shift--;
    }
  }
  const exp = exp2 - shift;
  if (exp >= MAX_EXP) return null;
  if (exp < MIN_EXP - 63) return null;
  return { negative, mant: q, exp };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses a `long double` like Redis's `string2ld` (`strtold` that must use
 * every byte): decimal and hex (`0x1p3`) forms, `inf`/`infinity`; rejects
 * empty input, leading spaces, NaN, overflow and underflow to zero.
 *
 * @returns the value, or `null` when Redis would reject it.
 */
export function parseLongDoubleExact(bytes: Uint8Array): LongDouble | null {
  const length = bytes.length;
  if (length === 0 || length >= 5 * 1024 || isSpace(bytes[0])) return null;
  let i = 0;
  let negative = false;
  if (bytes[0] === 43 || bytes[0] === 45) {
    negative = bytes[0] === 45;
    i = 1;
  }
  let rest = "";
  for (let j = i; j < length && j < i + 9; j++) rest += String.fromCharCode(bytes[j] | 32);
  if (length - i === 3 && rest === "inf" || length - i === 8 && rest === "infinity") {
    return { negative, mant: -1n, exp: 0 };
  }
  if (
    length - i > 2 && bytes[i] === 48 && (bytes[i + 1] | 32) === 120 &&
    (hexValue(bytes[i + 2]) >= 0 || (bytes[i + 2] === 46 && i + 3 < length &&
      hexValue(bytes[i + 3]) >= 0))
  ) {
    return parseHex(bytes, i + 2, negative);
  }
  let digits = 0n;
  let count = 0;
  let scale = 0;
  let sawPoint = false;
  for (; i < length; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) {
      if (count < 800) {
        digits = digits * 10n + BigInt(c - 48);
        if (digits !== 0n) count++;
        if (sawPoint) scale--;
      } else if (!sawPoint) {
        scale++;
      }
      continue;
    }
    if (c === 46 && !sawPoint) {
      sawPoint = true;
      continue;
    }
    break;
  }
  // At least one digit is required.
  let anyDigit = false;
  for (let j = 0; j < i; j++) if (bytes[j] >= 48 && bytes[j] <= 57) anyDigit = true;
  if (!anyDigit) return null;
  if (i < length) {
    const e = parseExponent(bytes, i, 101); // 'e'
    if (e === null) return null;
    scale += e;
  }
  if (digits === 0n) return negative ? { negative, mant: 0n, exp: 0 } : ZERO;
  const magnitude = count + scale; // value ~ 10^magnitude
  if (magnitude > 4934) return null; // overflow (ERANGE)
  if (magnitude < -4952) return null; // underflow to zero (ERANGE)
  if (scale >= 0) return round(negative, digits * 10n ** BigInt(scale), 1n, 0);
  return round(negative, digits, 10n ** BigInt(-scale), 0);
}

/**
 * The exponent that ends a number: the `marker` letter (lowercase char code,
 * either case accepted) at `bytes[i]`, an optional sign, then digits up to
 * the end of `bytes`; the magnitude stops growing past 1e7.
 *
 * @returns the signed exponent, or `null` when anything else is there.
 */
function parseExponent(bytes: Uint8Array, i: number, marker: number): number | null {
  const length = bytes.length;
  if ((bytes[i] | 32) !== marker) return null;
  i++;
  let negative = false;
  if (i < length && (bytes[i] === 43 || bytes[i] === 45)) {
    negative = bytes[i] === 45;
    i++;
  }
  if (i >= length) return null;
  let e = 0;
  for (; i < length; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) return null;
    if (e < 1e7) e = e * 10 + c;
  }
  return negative ? -e : e;
}

function parseHex(bytes: Uint8Array, i: number, negative: boolean): LongDouble | null {
  const length = bytes.length;
  let mant = 0n;
  let exp = 0;
  let sawPoint = false;
  for (; i < length; i++) {
    const c = bytes[i];
    const v = hexValue(c);
    if (v >= 0) {
      mant = mant * 16n + BigInt(v);
      if (sawPoint) exp -= 4;
      continue;
    }
    if (c === 46 && !sawPoint) {
      sawPoint = true;
      continue;
    }
    break;
  }
  if (i < length) {
    const e = parseExponent(bytes, i, 112); // 'p'
    if (e === null) return null;
    exp += e;
  }
  if (mant === 0n) return { negative, mant: 0n, exp: 0 };
  return round(negative, mant, 1n, exp);
}

/** True for an infinity. */
export function isInfinite(value: LongDouble): boolean {
  return value.mant === -1n;
}

/** A long double from a safe integer (exact). */
export function longDoubleFromInteger(value: number | bigint): LongDouble {
  const big = BigInt(value);
  if (big === 0n) return ZERO;
  return round(big < 0n, big < 0n ? -big : big, 1n, 0)!;
}

/**
 * `a + b` rounded to a 64-bit significand (x87 round-to-nearest-even).
 * Returns an infinity on overflow.
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (isInfinite(a)) return a;
  if (isInfinite(b)) return b;
  if (a.mant === 0n) {
    return b.mant === 0n ? { negative: a.negative && b.negative, mant: 0n, exp: 0 } : b;
  }
  if (b.mant === 0n) return a;
  const exp = Math.min(a.exp, b.exp);
  const av = (a.mant << BigInt(a.exp - exp)) * (a.negative ? -1n : 1n);
  const bv = (b.mant << BigInt(b.exp - exp)) * (b.negative ? -1n : 1n);
  const sum = av + bv;
  if (sum === 0n) return ZERO;
  const result = round(sum < 0n, sum < 0n ? -sum : sum, 1n, exp);
  return result ?? { negative: sum < 0n, mant: -1n, exp: 0 };
}

/** The nearest JS number. */
export function longDoubleToNumber(value: LongDouble): number {
  if (isInfinite(value)) return value.negative ? -Infinity : Infinity;
  if (value.mant === 0n) return value.negative ? -0 : 0;
  const n = Number(value.mant) * 2 ** value.exp;
  return value.negative ? -n : n;
}

/**
 * Parses a `long double` argument (see {@linkcode parseLongDoubleExact}) and
 * returns the nearest JS number, or `null`.
 */
export function parseLongDouble(bytes: Uint8Array): number | null {
  const value = parseLongDoubleExact(bytes);
  return value === null ? null : longDoubleToNumber(value);
}

const TEN_17 = 10n ** 17n;

/**
 * Formats like Redis's `ld2string(..., LD_STR_HUMAN)`: `%.17Lf`, trailing
 * zeros (and a trailing point) removed, `-0` printed as `0`.
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (isInfinite(value)) return value.negative ? "-inf" : "inf";
  let scaled: bigint;
  if (value.exp >= 0) {
    scaled = (value.mant << BigInt(value.exp)) * TEN_17;
  } else {
    const shift = BigInt(-value.exp);
    const num = value.mant * TEN_17;
    scaled = num >> shift;
    const rest = num - (scaled << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++;
  }
  let text = scaled.toString().padStart(18, "0");
  const point = text.length - 17;
  let fraction = text.slice(point).replace(/0+$/, "");
  text = text.slice(0, point);
  if (fraction !== "") text += "." + fraction;
  else fraction = "";
  if (value.negative && text !== "0") text = "-" + text;
  return text;
}
