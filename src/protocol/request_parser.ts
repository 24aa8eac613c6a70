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
   * Bytes of the current incomplete request held so far; `0` between
   * requests (compare it with a query-buffer limit after each push).
   *
   * @returns The byte count.
   */
  get buffered(): number {
    return this.#decoder.buffered + (this.#stash === null ? 0 : this.#stash.length);
  }

  /** Discards all state; safe to call from `onRequest` (the rest of the chunk is dropped). */
  reset(): void {
    this.#generation++;
    this.#stash = null;
    this.#decoder.reset();
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
      this.#decoder.push(chunk);
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
          this.#decoder.push(pos === 0 ? chunk : chunk.subarray(pos));
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
