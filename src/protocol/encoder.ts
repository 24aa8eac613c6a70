/**
 * Command encoding (client side): commands become RESP arrays of bulk
 * strings, appended into one growable buffer so that many commands leave in
 * one write.
 *
 * @module
 */

import type { CommandArg } from "./types.ts";

const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;

const EMPTY = new Uint8Array(0);
const textEncoder = new TextEncoder();

/** Bytes reserved when a writer first needs a buffer. */
const INITIAL_CAPACITY = 16 * 1024;
/** A fresh buffer never starts larger than this, whatever was written before. */
const MAX_START_CAPACITY = 1024 * 1024;
/**
 * A buffer handed back is kept for reuse up to this size (the spare only up
 * to MAX_START_CAPACITY): writing 1 MiB values one after another then costs
 * no fresh memory each time, which the OS would fault in page by page.
 */
const MAX_KEPT_CAPACITY = 4 * 1024 * 1024;

/** Number of decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  let digits = 6;
  for (let limit = 1000000; n >= limit && digits < 16; limit *= 10) digits++;
  return digits;
}

/** Writes `$<n>\r\n` at `p`; returns the position after it. */
function writeBulkHeader(buf: Uint8Array, p: number, n: number): number {
  buf[p++] = DOLLAR;
  p = writeDigits(buf, p, n);
  buf[p++] = CR;
  buf[p++] = LF;
  return p;
}

/**
 * A growable byte buffer with the RESP building blocks shared by
 * {@linkcode CommandEncoder} and the server's `ReplyWriter`.
 *
 * Ownership: {@linkcode ByteWriter.take} hands the bytes written so far to
 * the caller, who owns them from then on: the writer never writes into them
 * again (it either copies them out, when they fill less than half of its
 * buffer, or gives its whole buffer away and allocates a fresh one on the next
 * write). So the result can go straight to a socket write that keeps a
 * reference until it settles.
 */
export class ByteWriter {
  #buf: Uint8Array = EMPTY;
  #length = 0;
  #nextCapacity = INITIAL_CAPACITY;
  /** A buffer given back by `reclaim()` while `#buf` was in use. */
  #spare: Uint8Array = EMPTY;
  /** The buffer behind the last `lend()`, and the view handed out. */
  #lent: Uint8Array = EMPTY;
  #lentView: Uint8Array = EMPTY;
  #lastView: Uint8Array = EMPTY;

  /** Bytes written since the last {@linkcode ByteWriter.take}. */
  get length(): number {
    return this.#length;
  }

  /**
   * Returns the bytes written so far and empties the writer. The caller owns
   * the result (see the class documentation).
   *
   * @returns The bytes; an empty array when nothing was written.
   */
  take(): Uint8Array {
    const length = this.#length;
    if (length === 0) return new Uint8Array(0);
    const buf = this.#buf;
    this.#length = 0;
    if (length < buf.length >>> 1) return buf.slice(0, length);
    this.#buf = EMPTY;
    this.#nextCapacity = Math.max(INITIAL_CAPACITY, Math.min(length, MAX_START_CAPACITY));
    return buf.subarray(0, length);
  }

  /**
   * Returns the bytes written so far as a view of the writer's buffer and
   * empties the writer, without copying. The writer does not write into that
   * buffer again unless it is handed back with {@linkcode ByteWriter.reclaim}
   * (once no one reads the bytes any more, e.g. after the socket write).
   *
   * @returns The bytes; an empty array when nothing was written.
   */
  lend(): Uint8Array {
    const length = this.#length;
    if (length === 0) return EMPTY;
    const buf = this.#buf;
    this.#length = 0;
    this.#buf = this.#spare;
    this.#spare = EMPTY;
    // Replies of one length (e.g. "+OK") come back often: reuse the view of
    // a buffer that was reclaimed, since nothing reads it any more.
    let view = this.#lastView;
    if (view.length !== length || view.buffer !== buf.buffer) {
      view = new Uint8Array(buf.buffer, buf.byteOffset, length);
      this.#lastView = view;
    }
    this.#lent = buf;
    this.#lentView = view;
    return view;
  }

  /**
   * Hands the array returned by the last {@linkcode ByteWriter.lend} back
   * for reuse, once nothing reads it any more. Anything else is ignored, and
   * so are buffers over 4 MiB.
   *
   * @param bytes The array `lend()` returned.
   */
  reclaim(bytes: Uint8Array): void {
    if (bytes !== this.#lentView) return;
    const buf = this.#lent;
    this.#lent = EMPTY;
    this.#lentView = EMPTY;
    if (this.#buf === EMPTY) {
      if (buf.length <= MAX_KEPT_CAPACITY) this.#buf = buf;
    } else if (this.#spare === EMPTY && buf.length <= MAX_START_CAPACITY) {
      this.#spare = buf;
    }
  }

  /**
   * Drops everything written after the first `length` bytes (used to undo a
   * partly written command).
   *
   * @param length The length to go back to; at most {@linkcode ByteWriter.length}.
   */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length;
  }

  /** Makes room for `extra` more bytes after the current length. */
  #reserve(extra: number): Uint8Array {
    const needed = this.#length + extra;
    const buf = this.#buf;
    if (needed <= buf.length) return buf;
    let capacity = Math.max(buf.length * 2, this.#nextCapacity);
    while (capacity < needed) capacity *= 2;
    // Past 1 MiB, grow by half (or to what one large append needs, rounded to
    // 64 KiB) rather than doubling: one large value must not cost twice its
    // size in fresh memory, and many small appends (a 3-million-element
    // LRANGE) must still grow geometrically, not 64 KiB at a time.
    if (needed > MAX_START_CAPACITY && capacity > needed + 65536) {
      capacity = (Math.max(needed, Math.floor(buf.length * 1.5)) + 65535) & ~65535;
    }
    const grown = new Uint8Array(capacity);
    grown.set(buf.subarray(0, this.#length));
    this.#buf = grown;
    return grown;
  }

  /**
   * Appends bytes as they are.
   *
   * @param bytes The bytes to copy in.
   */
  raw(bytes: Uint8Array): void {
    const buf = this.#reserve(bytes.length);
    buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /**
   * Appends `<type><n>\r\n`, e.g. `*3\r\n` or `$-1\r\n`.
   *
   * @param type The type byte, e.g. `0x2a` for `*`.
   * @param n A safe integer.
   */
  header(type: number, n: number): void {
    const buf = this.#reserve(24);
    let p = this.#length;
    buf[p++] = type;
    if (n < 0) {
      buf[p++] = 45;
      n = -n;
    }
    p = writeDigits(buf, p, n);
    buf[p++] = CR;
    buf[p++] = LF;
    this.#length = p;
  }

  /**
   * Appends `<type><text>\r\n` with `text` in UTF-8. The caller makes sure
   * `text` holds no CR or LF.
   *
   * @param type The type byte, e.g. `0x2b` for `+`.
   * @param text The line's text.
   */
  line(type: number, text: string): void {
    const n = text.length;
    let buf = this.#reserve(n + 3);
    let p = this.#length;
    buf[p++] = type;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i < n) {
      // Non-ASCII: encode the rest, with room for 3 bytes per UTF-16 unit.
      this.#length = p;
      buf = this.#reserve((n - i) * 3 + 2);
      p += textEncoder.encodeInto(text.slice(i), buf.subarray(p)).written;
    }
    buf[p++] = CR;
    buf[p++] = LF;
    this.#length = p;
  }

  /**
   * Appends a bulk string `$<len>\r\n<bytes>\r\n`.
   *
   * @param bytes The payload, copied in.
   */
  bulkBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    const buf = this.#reserve(n + 24);
    let p = this.#length;
    p = writeBulkHeader(buf, p, n);
    buf.set(bytes, p);
    p += n;
    buf[p++] = CR;
    buf[p++] = LF;
    this.#length = p;
  }

  /**
   * Appends a bulk string holding `text` in UTF-8 (lone surrogates become
   * U+FFFD, as with `TextEncoder`).
   *
   * @param text The payload.
   */
  bulkString(text: string): void {
    const n = text.length;
    if (n <= 64) {
      // Short strings: try ASCII by hand, cheaper than a call into encodeInto.
      const buf = this.#reserve(n + 24);
      let p = this.#length;
      p = writeBulkHeader(buf, p, n);
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[p++] = CR;
        buf[p++] = LF;
        this.#length = p;
        return;
      }
    }
    // The byte length is unknown until encoded: reserve the header for the
    // worst case (3 bytes per UTF-16 unit), encode, then close the gap.
    const start = this.#length;
    const maxDigits = digitCount(n * 3);
    const dataStart = start + 1 + maxDigits + 2;
    let buf = this.#reserve(1 + maxDigits + 2 + n + 2);
    let { read, written } = textEncoder.encodeInto(text, buf.subarray(dataStart, buf.length - 2));
    if (read < n) {
      // Not all ASCII: grow for the worst case of what is left.
      this.#length = dataStart + written;
      buf = this.#reserve((n - read) * 3 + 2);
      this.#length = start;
      written +=
        textEncoder.encodeInto(text.slice(read), buf.subarray(dataStart + written)).written;
    }
    const digits = digitCount(written);
    const finalStart = start + 1 + digits + 2;
    if (finalStart !== dataStart) buf.copyWithin(finalStart, dataStart, dataStart + written);
    let p = start;
    p = writeBulkHeader(buf, p, written);
    p += written;
    buf[p++] = CR;
    buf[p++] = LF;
    this.#length = p;
  }

  /**
   * Appends a command (`*N` and a bulk string per argument) when every
   * argument is a string of at most 64 ASCII characters, the common case, in
   * one pass over one reserved range; otherwise writes nothing and returns
   * `false`, leaving the general path to the caller.
   *
   * @param args The command and its arguments.
   * @returns Whether it was written.
   */
  shortAsciiCommand(args: readonly unknown[]): boolean {
    const n = args.length;
    let size = 16;
    for (let i = 0; i < n; i++) {
      const arg = args[i];
      if (typeof arg !== "string" || arg.length > 64) return false;
      size += arg.length + 16;
    }
    const buf = this.#reserve(size);
    let p = this.#length;
    buf[p++] = STAR;
    p = writeDigits(buf, p, n);
    buf[p++] = CR;
    buf[p++] = LF;
    for (let i = 0; i < n; i++) {
      const text = args[i] as string;
      const length = text.length;
      buf[p++] = DOLLAR;
      p = writeDigits(buf, p, length);
      buf[p++] = CR;
      buf[p++] = LF;
      for (let j = 0; j < length; j++) {
        const c = text.charCodeAt(j);
        if (c >= 0x80) return false; // nothing committed: #length is unchanged
        buf[p++] = c;
      }
      buf[p++] = CR;
      buf[p++] = LF;
    }
    this.#length = p;
    return true;
  }

  /**
   * Appends a bulk string of ASCII text (digits, `inf`...) without checks.
   *
   * @param text ASCII-only text.
   */
  bulkAscii(text: string): void {
    const n = text.length;
    const buf = this.#reserve(n + 24);
    let p = this.#length;
    p = writeBulkHeader(buf, p, n);
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    buf[p++] = CR;
    buf[p++] = LF;
    this.#length = p;
  }
}

/** Writes the decimal digits of a non-negative safe integer; returns the end. */
function writeDigits(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  const end = p + digitCount(n);
  let i = end;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    buf[--i] = 48 + (n - q * 10);
    n = q;
  }
  buf[--i] = 48 + n;
  return end;
}

/**
 * The text a number argument is sent as, or `undefined` for NaN.
 *
 * Integers are sent in plain decimal (also beyond 2^53, e.g.
 * `1000000000000000000000` for `1e21`), other finite numbers as JavaScript's
 * shortest round-trip form (`String(n)`, e.g. `1.5` or `1e-7`), infinities as
 * `inf` / `-inf`, which Redis accepts wherever it parses a float.
 */
function numberText(n: number): string | undefined {
  if (Number.isSafeInteger(n)) return String(n);
  if (Number.isInteger(n)) return BigInt(n).toString();
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n !== n) return undefined;
  return String(n);
}

function describe(value: unknown): string {
  if (value === null || value === undefined || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== "Object" ? `an object (${name})` : "an object";
  }
  return `a ${typeof value}`;
}

function commandName(args: readonly CommandArg[]): string {
  const first: unknown = args[0];
  let name = "?";
  if (typeof first === "string") name = first;
  else if (first instanceof Uint8Array) name = new TextDecoder().decode(first);
  else if (typeof first === "number" || typeof first === "bigint") name = String(first);
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name.toUpperCase());
}

/**
 * Encodes commands as RESP arrays of bulk strings into one growable buffer,
 * so that a batch of commands leaves in a single write.
 *
 * Arguments: strings are sent in UTF-8; `Uint8Array` as is; bigints in
 * decimal; integer numbers in plain decimal, other finite numbers in their
 * shortest round-trip form (`String(n)`), `Infinity` as `inf` and
 * `-Infinity` as `-inf`. Anything else throws a `TypeError` and leaves the
 * buffer exactly as it was.
 *
 * {@linkcode CommandEncoder.take} hands the bytes over: the caller owns them
 * and the encoder never writes into them again, so they can be passed to a
 * socket write that holds on to them until it settles.
 *
 * @example Batch two commands into one write
 * ```ts
 * import { CommandEncoder } from "./encoder.ts";
 *
 * const encoder = new CommandEncoder();
 * encoder.write(["SET", "key", "value"]);
 * encoder.write(["GET", "key"]);
 * const bytes = encoder.take(); // "*3\r\n$3\r\nSET\r\n..." then "*2\r\n$3\r\nGET\r\n..."
 * console.log(bytes.length);
 * ```
 */
export class CommandEncoder {
  readonly #out = new ByteWriter();

  /** Bytes written since the last {@linkcode CommandEncoder.take}. */
  get length(): number {
    return this.#out.length;
  }

  /**
   * Appends one command, `*N\r\n` followed by one bulk string per argument.
   *
   * @param args The command name, then its arguments.
   * @throws {TypeError} When `args` is empty or an argument is not a string,
   * number (NaN excluded), bigint or `Uint8Array`; nothing is appended then.
   */
  write(args: readonly CommandArg[]): void {
    const n = args.length;
    if (n === 0) throw new TypeError("Cannot encode command: it has no arguments");
    const out = this.#out;
    if (out.shortAsciiCommand(args)) return;
    const start = out.length;
    out.header(STAR, n);
    for (let i = 0; i < n; i++) {
      const arg = args[i];
      if (typeof arg === "string") {
        out.bulkString(arg);
      } else if (arg instanceof Uint8Array) {
        out.bulkBytes(arg);
      } else if (typeof arg === "number") {
        const text = numberText(arg);
        if (text === undefined) {
          out.truncate(start);
          throw new TypeError(
            `Cannot encode argument ${i} of ${commandName(args)}: NaN is not a valid number`,
          );
        }
        out.bulkAscii(text);
      } else if (typeof arg === "bigint") {
        out.bulkAscii(arg.toString());
      } else {
        out.truncate(start);
        throw new TypeError(
          `Cannot encode argument ${i} of ${commandName(args)}: ${
            describe(arg)
          } is not a string, number, bigint or Uint8Array`,
        );
      }
    }
  }

  /**
   * Returns the bytes written so far as a view of the encoder's buffer,
   * without copying; hand it back with {@linkcode CommandEncoder.reclaim}
   * once the write that used it settled.
   *
   * @returns The encoded commands.
   */
  lend(): Uint8Array {
    return this.#out.lend();
  }

  /**
   * Gives back a buffer from {@linkcode CommandEncoder.lend} for reuse.
   *
   * @param bytes What `lend()` returned, once nothing reads it any more.
   */
  reclaim(bytes: Uint8Array): void {
    this.#out.reclaim(bytes);
  }

  /**
   * Drops everything written after the first `length` bytes.
   *
   * @param length The length to go back to.
   */
  truncate(length: number): void {
    this.#out.truncate(length);
  }

  /**
   * Appends bytes that are already encoded commands (e.g. from `take()`).
   *
   * @param bytes Encoded commands.
   */
  append(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#out.raw(bytes);
  }

  /**
   * Returns the bytes of every command written since the last call and
   * empties the encoder. The caller owns the result.
   *
   * @returns The encoded commands; empty when nothing was written.
   */
  take(): Uint8Array {
    return this.#out.take();
  }
}

/** Used by encodeCommand: take() copies small commands out and keeps its buffer. */
const shared = new CommandEncoder();

/**
 * Encodes one command as a RESP array of bulk strings.
 *
 * @param args The command name, then its arguments (see
 * {@linkcode CommandEncoder} for how each kind is sent).
 * @returns The encoded command, owned by the caller.
 * @throws {TypeError} When `args` is empty or holds an argument that cannot
 * be sent.
 *
 * @example Encode a command
 * ```ts
 * import { encodeCommand } from "./encoder.ts";
 *
 * const bytes = encodeCommand(["GET", "key"]);
 * console.log(new TextDecoder().decode(bytes)); // "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
 * ```
 */
export function encodeCommand(args: readonly CommandArg[]): Uint8Array {
  shared.write(args);
  return shared.take();
}
