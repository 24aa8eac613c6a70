/**
 * Reply encoding for the embedded server, in RESP2 or RESP3 as the client
 * negotiated with `HELLO`.
 *
 * @module
 */

import { ReplyError } from "../errors.ts";
import { ByteWriter } from "./encoder.ts";
import { RespPush, type RespValue, VerbatimString } from "./types.ts";

const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const UNDERSCORE = 95;
const COMMA = 44;
const HASH = 35;
const LPAREN = 40;
const EQUALS = 61;
const PERCENT = 37;
const TILDE = 126;
const GT = 62;

const CRLF = new Uint8Array([13, 10]);
const textEncoder = new TextEncoder();
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Formats a double the way Redis 7.2 and later do (`fpconv_dtoa`): the
 * shortest digits that round-trip, in plain notation when the exponent is
 * moderate (`1.5`, `100`, `0.000001`), else as `d.ddde±X` (`1e+21`,
 * `1.5e-7`); `inf`, `-inf`, `nan`, and `-0` for negative zero.
 *
 * Redis 7.0 and older print 17 significant digits instead (`%.17g`, e.g.
 * `1.1000000000000001` for 1.1): see {@linkcode formatDouble17g}.
 *
 * @param value The number to format.
 * @returns The text Redis would send.
 */
export function formatDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  if (value !== value) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  const negative = value < 0;
  const exponential = (negative ? -value : value).toExponential(); // shortest digits
  const e = exponential.indexOf("e");
  const digits = exponential.charAt(0) + exponential.slice(2, e); // "1.25" -> "125"
  const point = Number(exponential.slice(e + 1)); // value = d.ddd * 10^point
  const count = digits.length;
  const k = point - count + 1; // value = digits * 10^k
  const exp = point < 0 ? -point : point;
  let text: string;
  if (k >= 0 && exp < count + 7) {
    text = digits + "0".repeat(k);
  } else if (k < 0 && (k > -7 || exp < 4)) {
    const offset = count + k;
    text = offset <= 0
      ? `0.${"0".repeat(-offset)}${digits}`
      : `${digits.slice(0, offset)}.${digits.slice(offset)}`;
  } else {
    text = `${digits.charAt(0)}${count > 1 ? "." + digits.slice(1) : ""}e${
      point < 0 ? "-" : "+"
    }${exp}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * Formats a double the way Redis 7.0 and older do (`%.17g`): 17 significant
 * digits with trailing zeros removed, exponent form below 1e-4 or from 1e17
 * (`1.1000000000000001`, `9.9999999999999995e-08`, `1e+21`); `inf`, `-inf`,
 * `nan`, `-0`.
 *
 * @param value The number to format.
 * @returns The text Redis 7.0 would send.
 */
export function formatDouble17g(value: number): string {
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  if (value !== value) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  const negative = value < 0;
  const exponential = (negative ? -value : value).toExponential(16);
  const e = exponential.indexOf("e");
  let digits = exponential.charAt(0) + exponential.slice(2, e); // 17 digits
  const point = Number(exponential.slice(e + 1));
  let text: string;
  if (point < -4 || point >= 17) {
    digits = digits.replace(/0+$/, "");
    const exp = point < 0 ? -point : point;
    text = `${digits.charAt(0)}${digits.length > 1 ? "." + digits.slice(1) : ""}e${
      point < 0 ? "-" : "+"
    }${exp < 10 ? "0" : ""}${exp}`;
  } else if (point >= 0) {
    const fraction = digits.slice(point + 1).replace(/0+$/, "");
    text = digits.slice(0, point + 1) + (fraction === "" ? "" : `.${fraction}`);
  } else {
    text = `0.${"0".repeat(-point - 1)}${digits.replace(/0+$/, "")}`;
  }
  return negative ? `-${text}` : text;
}

/** Replaces CR and LF, which would break a line-based reply, with spaces. */
function oneLine(text: string): string {
  return text.indexOf("\r") === -1 && text.indexOf("\n") === -1
    ? text
    : text.replace(/[\r\n]/g, " ");
}

/**
 * Encodes server replies into a growable buffer, in RESP2 or RESP3 according
 * to {@linkcode ReplyWriter.protocol}. RESP3-only types degrade the way Redis
 * degrades them for RESP2 clients: maps become flat arrays, sets and pushes
 * arrays, nulls `$-1` / `*-1`, booleans integers, doubles and big numbers
 * bulk strings, verbatim strings bulk strings.
 *
 * {@linkcode ReplyWriter.take} hands the bytes over: the caller owns them and
 * the writer never writes into them again.
 *
 * @example Write a reply in both protocols
 * ```ts
 * import { ReplyWriter } from "./reply_writer.ts";
 *
 * const writer = new ReplyWriter(2);
 * writer.mapHeader(1);
 * writer.bulk("field");
 * writer.double(1.5);
 * console.log(new TextDecoder().decode(writer.take())); // "*2\r\n$5\r\nfield\r\n$3\r\n1.5\r\n"
 * writer.protocol = 3;
 * writer.double(1.5);
 * console.log(new TextDecoder().decode(writer.take())); // ",1.5\r\n"
 * ```
 */
export class ReplyWriter {
  /** The protocol of the client: 2 until it sends `HELLO 3`. */
  protocol: 2 | 3;
  /**
   * How doubles are printed; {@linkcode formatDouble} (Redis 7.2+) unless
   * replaced, e.g. by {@linkcode formatDouble17g} to match Redis 7.0.
   */
  formatDouble: (value: number) => string = formatDouble;
  readonly #out = new ByteWriter();

  /**
   * Creates an empty writer.
   *
   * @param protocol The protocol to write; `2` until the client sends `HELLO 3`.
   */
  constructor(protocol: 2 | 3 = 2) {
    this.protocol = protocol;
  }

  /** Bytes written since the last {@linkcode ReplyWriter.take}. */
  get length(): number {
    return this.#out.length;
  }

  /**
   * Returns the bytes written since the last call and empties the writer.
   * The caller owns the result.
   *
   * @returns The encoded replies; empty when nothing was written.
   */
  take(): Uint8Array {
    return this.#out.take();
  }

  /**
   * Returns the bytes written since the last call as a view of the writer's
   * buffer, without copying, and empties the writer; hand the array back
   * with {@linkcode ReplyWriter.reclaim} once it has been written out, so the
   * buffer is reused (see `ByteWriter.lend`).
   *
   * @returns The encoded replies; empty when nothing was written.
   */
  lend(): Uint8Array {
    return this.#out.lend();
  }

  /**
   * Gives back an array from {@linkcode ReplyWriter.lend} that no one reads
   * any more.
   *
   * @param bytes The array `lend()` returned.
   */
  reclaim(bytes: Uint8Array): void {
    this.#out.reclaim(bytes);
  }

  /**
   * Writes a simple string, `+text`. CR and LF become spaces.
   *
   * @param text The status text, e.g. `"OK"`.
   */
  simple(text: string): void {
    this.#out.line(PLUS, oneLine(text));
  }

  /**
   * Writes an error, `-message`. CR and LF become spaces.
   *
   * @param message The error text, code first: `"ERR unknown command 'foo'"`.
   */
  error(message: string): void {
    this.#out.line(MINUS, oneLine(message));
  }

  /**
   * Writes an integer, `:n`.
   *
   * @param value An integer; a bigint may use the whole 64-bit range.
   * @throws {RangeError} When `value` is a number that is not an integer.
   */
  integer(value: number | bigint): void {
    if (typeof value === "bigint") {
      this.#out.line(COLON, value.toString());
    } else if (Number.isSafeInteger(value)) {
      this.#out.header(COLON, value);
    } else if (Number.isInteger(value)) {
      this.#out.line(COLON, BigInt(value).toString());
    } else {
      throw new RangeError(`Cannot write integer reply: ${value} is not an integer`);
    }
  }

  /**
   * Writes a bulk string, `$len` then the bytes.
   *
   * @param value The payload; a string is sent in UTF-8.
   */
  bulk(value: Uint8Array | string): void {
    if (typeof value === "string") this.#out.bulkString(value);
    else this.#out.bulkBytes(value);
  }

  /** Writes a null bulk string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    if (this.protocol === 3) this.#out.line(UNDERSCORE, "");
    else this.#out.header(DOLLAR, -1);
  }

  /** Writes a null array: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    if (this.protocol === 3) this.#out.line(UNDERSCORE, "");
    else this.#out.header(STAR, -1);
  }

  /**
   * Writes an array header, `*n`; the caller then writes `n` values.
   *
   * @param n The element count.
   */
  arrayHeader(n: number): void {
    this.#out.header(STAR, n);
  }

  /**
   * Writes a map header: `%n` in RESP3, `*2n` in RESP2; the caller then
   * writes `n` key-value pairs.
   *
   * @param n The pair count.
   */
  mapHeader(n: number): void {
    if (this.protocol === 3) this.#out.header(PERCENT, n);
    else this.#out.header(STAR, n * 2);
  }

  /**
   * Writes a set header: `~n` in RESP3, `*n` in RESP2.
   *
   * @param n The element count.
   */
  setHeader(n: number): void {
    this.#out.header(this.protocol === 3 ? TILDE : STAR, n);
  }

  /**
   * Writes a push header: `>n` in RESP3, `*n` in RESP2 (pub/sub messages).
   *
   * @param n The element count, kind first.
   */
  pushHeader(n: number): void {
    this.#out.header(this.protocol === 3 ? GT : STAR, n);
  }

  /**
   * Writes a double: `,x` in RESP3, a bulk string in RESP2, formatted by
   * {@linkcode ReplyWriter.formatDouble} (`inf`, `-inf`, `nan` included).
   *
   * @param value The number.
   */
  double(value: number): void {
    const text = this.formatDouble(value);
    if (this.protocol === 3) this.#out.line(COMMA, text);
    else this.#out.bulkAscii(text);
  }

  /**
   * Writes a big number: `(n` in RESP3, a bulk string in RESP2.
   *
   * @param value The number.
   */
  bigNumber(value: bigint): void {
    if (this.protocol === 3) this.#out.line(LPAREN, value.toString());
    else this.#out.bulkAscii(value.toString());
  }

  /**
   * Writes a boolean: `#t` / `#f` in RESP3, `:1` / `:0` in RESP2.
   *
   * @param value The boolean.
   */
  boolean(value: boolean): void {
    if (this.protocol === 3) this.#out.line(HASH, value ? "t" : "f");
    else this.#out.header(COLON, value ? 1 : 0);
  }

  /**
   * Writes a verbatim string: `=len` then `fmt:text` in RESP3, a bulk string
   * in RESP2.
   *
   * @param text The text; a string is sent in UTF-8.
   * @param format A three-character format such as `txt` or `mkd`.
   * @throws {RangeError} When `format` is not three ASCII characters.
   */
  verbatim(text: Uint8Array | string, format = "txt"): void {
    if (!/^[\x21-\x7e]{3}$/.test(format) || format.includes(":")) {
      throw new RangeError(
        `Cannot write verbatim string: format ${JSON.stringify(format)} is not 3 characters`,
      );
    }
    if (this.protocol !== 3) {
      this.bulk(text);
      return;
    }
    const bytes = typeof text === "string" ? textEncoder.encode(text) : text;
    const out = this.#out;
    out.header(EQUALS, bytes.length + 4);
    out.raw(textEncoder.encode(`${format}:`));
    out.raw(bytes);
    out.raw(CRLF);
  }

  /**
   * Appends bytes as they are (already encoded replies).
   *
   * @param bytes The bytes.
   */
  raw(bytes: Uint8Array): void {
    this.#out.raw(bytes);
  }

  /**
   * Writes any decoded value generically: strings as simple strings (bulk
   * when they hold CR or LF), `Uint8Array` as bulk strings, safe integers as
   * integers and other numbers as doubles (so `2.0` is written `:2`), bigints
   * as integers within 64 bits and as big numbers beyond, {@linkcode ReplyError}
   * as an error line, and aggregates recursively.
   *
   * @param value The value; nesting is written by recursion, so it should not
   * be deeper than a few thousand levels.
   */
  writeValue(value: RespValue): void {
    if (typeof value === "string") {
      if (value.indexOf("\r") === -1 && value.indexOf("\n") === -1) this.#out.line(PLUS, value);
      else this.#out.bulkString(value);
    } else if (value instanceof Uint8Array) {
      this.#out.bulkBytes(value);
    } else if (typeof value === "number") {
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#out.header(COLON, value);
      else this.double(value);
    } else if (typeof value === "bigint") {
      if (value >= INT64_MIN && value <= INT64_MAX) this.#out.line(COLON, value.toString());
      else this.bigNumber(value);
    } else if (typeof value === "boolean") {
      this.boolean(value);
    } else if (value === null) {
      this.nullBulk();
    } else if (value instanceof ReplyError) {
      this.error(value.message);
    } else if (value instanceof VerbatimString) {
      this.verbatim(value.bytes, value.format);
    } else if (value instanceof RespPush) {
      this.pushHeader(value.data.length);
      for (const item of value.data) this.writeValue(item);
    } else if (Array.isArray(value)) {
      this.arrayHeader(value.length);
      for (const item of value) this.writeValue(item);
    } else if (value instanceof Map) {
      this.mapHeader(value.size);
      for (const [key, item] of value) {
        this.writeValue(key);
        this.writeValue(item);
      }
    } else if (value instanceof Set) {
      this.setHeader(value.size);
      for (const item of value) this.writeValue(item);
    } else {
      throw new TypeError(`Cannot write reply: ${String(value)} is not a RESP value`);
    }
  }
}
