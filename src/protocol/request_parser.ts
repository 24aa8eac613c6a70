/**
 * The embedded server's request parser: a fast path for the common case, an
 * input chunk holding whole `*<n>` arrays of `$<len>` bulk strings, in front
 * of the general {@linkcode RespDecoder} in server (`inline`) mode.
 *
 * The fast path reads a request straight out of the chunk, copying each
 * argument once, with no line buffer, frame stack or per-line calls. It only
 * takes requests that are complete and well formed; at the first byte it does
 * not like (a partial request at the end of the chunk, an inline command, a
 * malformed or over-limit header) it hands the rest of the chunk, from the
 * start of that request, to the general decoder, which then sees exactly the
 * bytes it would have seen alone: replies, errors and limits are the same.
 * While the general decoder holds part of a request, every byte goes to it.
 *
 * @module
 */

import { RespDecoder } from "./decoder.ts";
import { copy } from "./_slab.ts";
import type { RespValue } from "./types.ts";

const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;

/** Requests with more arguments than this go to the general decoder. */
const FAST_MAX_ARGS = 1024;
/**
 * A partial request at the end of a chunk, up to this many bytes, is kept
 * and joined to the next chunk, so that big pipelines (where most chunks end
 * inside a request) stay on the fast path. A longer one, or one announcing a
 * longer argument, goes to the general decoder, which fills it in O(n).
 */
const STASH_MAX = 16 * 1024;
/**
 * What one parsed argument costs in memory beyond its bytes: a `Uint8Array`
 * view (96 B on Deno 2's V8, 56 B on Bun 1's JSC, measured with 1M kept)
 * plus its slot in a growing array. A server holding 4M empty arguments of
 * one request grew by 130 B each on Deno and 90 B on Bun; Deno's is used.
 */
export const ARGUMENT_COST = 128;
/** What one parsed request (its argument array) costs beyond its arguments: 48-56 B measured. */
export const REQUEST_COST = 64;

/** `#request()`: the chunk ends inside a well-formed request. */
const INCOMPLETE = -2;
/** `#request()`: the fast path does not take this request. */
const NOT_FAST = -1;

/** Options of a {@linkcode RequestParser}. */
export interface RequestParserOptions {
  /**
   * Largest accepted bulk string argument, in bytes.
   * @default {536870912} (512 MiB, Redis's `proto-max-bulk-len`)
   */
  maxBulkLength?: number;
  /**
   * Largest accepted argument count.
   * @default {1073741824} (2^30)
   */
  maxArrayLength?: number;
  /**
   * Longest accepted inline command line, in bytes.
   * @default {65536} (64 KiB, as in Redis)
   */
  maxInlineLength?: number;
}

/**
 * Parses client requests (RESP arrays of bulk strings, or inline commands)
 * pushed as chunks, and calls `onRequest` for each one, in order, before
 * {@linkcode RequestParser.push} returns. Arguments are copies the parser
 * never writes into again: the caller may keep them (small ones are views of
 * a shared slab, see {@linkcode RespDecoder}), but must not write into them,
 * as consecutive requests with the same command name share one array for it
 * (which also lets a caller cache its command lookup by identity). Malformed input throws a `ProtocolError` whose
 * message reads `Protocol error: ...`, as the general decoder's does.
 *
 * @example Parse two requests split across chunks
 * ```ts
 * import { RequestParser } from "./request_parser.ts";
 *
 * const requests: string[][] = [];
 * const parser = new RequestParser((args) => {
 *   requests.push(args.map((arg) => new TextDecoder().decode(arg as Uint8Array)));
 * });
 * const bytes = new TextEncoder().encode("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
 * parser.push(bytes.subarray(0, 20));
 * parser.push(bytes.subarray(20));
 * console.log(requests); // [["PING"], ["GET", "k"]]
 * ```
 */
export class RequestParser {
  readonly #onRequest: (args: RespValue[]) => void;
  readonly #decoder: RespDecoder;
  readonly #maxBulk: number;
  readonly #maxArray: number;
  /** Bumped by reset(); stops a push() whose callback reset the parser. */
  #generation = 0;
  /** The command name of the last fast-path request (shared by the next ones). */
  #name: Uint8Array = new Uint8Array(0);
  /** The start of a request cut by the end of the last chunk (see `STASH_MAX`). */
  #stash: Uint8Array | null = null;
  /** Counts the arguments the general decoder holds for an incomplete request. */
  readonly #counter = new ArgumentCounter();

  /**
   * Creates a parser.
   *
   * @param onRequest Called with each request. Fast-path requests are arrays
   * of `Uint8Array`; requests from the general decoder are whatever it
   * decoded in server mode (also arrays of `Uint8Array` in practice), so
   * callers that validate keep working. It may call `reset()`.
   * @param options Limits.
   * @throws {RangeError} When a limit is not a positive integer.
   */
  constructor(onRequest: (args: RespValue[]) => void, options: RequestParserOptions = {}) {
    this.#onRequest = onRequest;
    this.#decoder = new RespDecoder((value) => onRequest(value as RespValue[]), {
      inline: true,
      maxBulkLength: options.maxBulkLength,
      maxArrayLength: options.maxArrayLength,
      maxDepth: 1,
      maxInlineLength: options.maxInlineLength,
    });
    this.#maxBulk = options.maxBulkLength ?? 512 * 1024 * 1024;
    this.#maxArray = options.maxArrayLength ?? 2 ** 30;
  }

  /**
   * The memory the current incomplete request holds so far, in bytes: what
   * was received of it, plus {@linkcode ARGUMENT_COST} for each argument
   * already parsed (a `*2000000000` request of empty arguments costs about
   * 100 B per 6 bytes received); `0` between requests. Compare it with a
   * query-buffer limit after each push.
   *
   * @returns The byte count.
   */
  get buffered(): number {
    const decoder = this.#decoder;
    const held = decoder.idle ? 0 : decoder.buffered + this.#counter.arguments * ARGUMENT_COST;
    return held + (this.#stash === null ? 0 : this.#stash.length);
  }

  /** Discards all state; safe to call from `onRequest` (the rest of the chunk is dropped). */
  reset(): void {
    this.#generation++;
    this.#stash = null;
    this.#counter.reset();
    this.#decoder.reset();
  }

  /** Hands bytes to the general decoder, counting the arguments it will hold. */
  #slow(bytes: Uint8Array): void {
    this.#counter.scan(bytes);
    this.#decoder.push(bytes);
    if (this.#decoder.idle) this.#counter.reset();
  }

  /**
   * Parses `chunk`, calling `onRequest` for every request it completes. The
   * chunk is only read during the call.
   *
   * @param chunk The next bytes from the client.
   * @throws {ProtocolError} When the bytes are not a valid request.
   */
  push(chunk: Uint8Array): void {
    const stash = this.#stash;
    if (stash !== null) {
      // The decoder is idle: the stash is what it would have been handed.
      this.#stash = null;
      const joined = new Uint8Array(stash.length + chunk.length);
      joined.set(stash);
      joined.set(chunk, stash.length);
      chunk = joined;
    } else if (!this.#decoder.idle) {
      this.#slow(chunk);
      return;
    }
    const generation = this.#generation;
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      const next = this.#request(chunk, pos, end);
      if (next < 0) {
        if (next === INCOMPLETE && end - pos <= STASH_MAX) {
          this.#stash = chunk.slice(pos, end);
        } else {
          this.#slow(pos === 0 ? chunk : chunk.subarray(pos));
        }
        return;
      }
      if (this.#generation !== generation) return;
      pos = next;
    }
  }

  /**
   * Parses and delivers the whole request at `chunk[pos]`; returns the
   * position after it, or (with nothing delivered) `INCOMPLETE` when the
   * chunk ends inside a well-formed request, `NOT_FAST` when the fast path
   * does not take the request.
   */
  #request(chunk: Uint8Array, pos: number, end: number): number {
    if (chunk[pos] !== STAR) return NOT_FAST;
    let p = pos + 1;
    let count = 0;
    let digits = 0;
    for (; p < end; p++) {
      const digit = chunk[p] - 48;
      if (digit < 0 || digit > 9) break;
      count = count * 10 + digit;
      digits++;
    }
    // Like Redis's string2ll, the general decoder refuses leading zeros: leave those to it.
    if (digits > 9 || (digits > 1 && chunk[pos + 1] === 48)) return NOT_FAST;
    if (p >= end) return INCOMPLETE;
    if (
      digits === 0 || count === 0 || count > FAST_MAX_ARGS || count > this.#maxArray ||
      chunk[p] !== CR
    ) {
      return NOT_FAST;
    }
    if (p + 1 >= end) return INCOMPLETE;
    if (chunk[p + 1] !== LF) return NOT_FAST;
    p += 2;
    const maxBulk = this.#maxBulk;
    const args: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (p >= end) return INCOMPLETE;
      if (chunk[p] !== DOLLAR) return NOT_FAST;
      const first = ++p;
      let n = 0;
      digits = 0;
      for (; p < end; p++) {
        const digit = chunk[p] - 48;
        if (digit < 0 || digit > 9) break;
        n = n * 10 + digit;
        digits++;
      }
      if (digits > 10 || n > maxBulk || (digits > 1 && chunk[first] === 48)) return NOT_FAST;
      if (p >= end) return INCOMPLETE;
      if (digits === 0 || chunk[p] !== CR) return NOT_FAST;
      if (p + 1 >= end) return INCOMPLETE;
      if (chunk[p + 1] !== LF) return NOT_FAST;
      const from = p + 2;
      if (from + n + 2 > end) return n > STASH_MAX ? NOT_FAST : INCOMPLETE;
      if (chunk[from + n] !== CR || chunk[from + n + 1] !== LF) return NOT_FAST;
      if (i !== 0) {
        args.push(copy(chunk, from, n));
      } else {
        // Consecutive requests mostly repeat the command name: share one copy.
        const name = this.#name;
        let same = name.length === n;
        for (let j = 0; same && j < n; j++) same = name[j] === chunk[from + j];
        args.push(same ? name : (this.#name = copy(chunk, from, n)));
      }
      p = from + n + 2;
    }
    this.#onRequest(args);
    return p;
  }
}

/**
 * Follows the bytes handed to the general decoder just enough to count the
 * arguments of the multibulk request in progress: it reads `*<n>` and
 * `$<len>` lines and skips payloads by length, copying nothing. Malformed
 * input may put it out of step, but the decoder then fails and both reset.
 */
class ArgumentCounter {
  /** Complete arguments of the request in progress. */
  arguments = 0;
  /** Arguments still expected; 0 between requests. */
  #remaining = 0;
  /** Payload bytes plus CRLF still to skip. */
  #skip = 0;
  /** The first byte of the line being read, or -1 before it. */
  #type = -1;
  /** The number on the line so far; -1 once it is not a plain count. */
  #value = 0;

  reset(): void {
    this.arguments = 0;
    this.#remaining = 0;
    this.#skip = 0;
    this.#type = -1;
    this.#value = 0;
  }

  scan(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.#skip !== 0) {
        const n = Math.min(this.#skip, end - pos);
        pos += n;
        this.#skip -= n;
        if (this.#skip === 0 && --this.#remaining === 0) this.arguments = 0;
        else if (this.#skip === 0) this.arguments++;
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      const stop = nl === -1 ? end : nl;
      for (let i = pos; i < stop; i++) {
        const c = chunk[i];
        if (this.#type === -1) this.#type = c;
        else if (c >= 48 && c <= 57 && this.#value >= 0) this.#value = this.#value * 10 + c - 48;
        else if (c !== CR) this.#value = -1;
      }
      if (nl === -1) return;
      pos = nl + 1;
      const type = this.#type;
      const value = this.#value;
      this.#type = -1;
      this.#value = 0;
      if (this.#remaining === 0) {
        // A request's count line; inline commands and counts below 1 start nothing.
        if (type === STAR && value > 0) {
          this.#remaining = value;
          this.arguments = 0;
        }
      } else if (type === DOLLAR && value >= 0) {
        this.#skip = value + 2;
      } else {
        this.reset(); // out of step: the decoder is failing on this line
      }
    }
  }
}
