/**
 * A synchronous, push-based, resumable RESP2/RESP3 decoder: bytes in, values
 * out, no I/O.
 *
 * Design notes:
 * - The decoder is a state machine over two kinds of tokens: a *line* (type
 *   byte, text, CRLF) and a *payload* (the bytes of a bulk string, blob error,
 *   verbatim string or streamed-string chunk, then CRLF).
 * - Aggregates (arrays, maps, sets, pushes, attributes, streamed aggregates and
 *   streamed strings) live on an explicit stack of frames, never on the JS
 *   call stack, so hostile nesting cannot overflow it and a value can be
 *   resumed at any byte.
 * - A line cut by a chunk boundary is copied into a small growable tail; the
 *   next chunk is scanned only from its start. A payload whose length is known
 *   is allocated once and filled as bytes arrive, so a large bulk string split
 *   into many chunks costs O(n).
 *
 * @module
 */

import { ProtocolError, ReplyError } from "../errors.ts";
import { RespPush, type RespValue, VerbatimString } from "./types.ts";
import { allocate, copy } from "./_slab.ts";

/** Options of a {@linkcode RespDecoder}. */
export interface DecoderOptions {
  /**
   * Largest accepted bulk string, blob error, verbatim string or streamed
   * string, in bytes. Also bounds a simple string, error or number line that
   * is still waiting for its CRLF. A larger declared length throws a
   * {@linkcode ProtocolError} before anything is allocated.
   *
   * @default {536870912} (512 MiB, Redis's `proto-max-bulk-len`)
   */
  maxBulkLength?: number;
  /**
   * Largest accepted element count of an array, set or push, or pair count
   * of a map or attribute. Elements are never preallocated.
   *
   * @default {1073741824} (2^30)
   */
  maxArrayLength?: number;
  /**
   * Deepest accepted nesting of aggregates (a top-level array is depth 1).
   *
   * @default {128}
   */
  maxDepth?: number;
  /**
   * Server mode: decode client requests the way Redis does. A frame that
   * starts with `*` must be an array of bulk strings (`*0` and `*-1` are
   * skipped); any other frame is an inline command: a line split on
   * whitespace with Redis's quoting rules, delivered as an array of
   * `Uint8Array`; blank lines are skipped. Errors then read
   * `Protocol error: ...` as in Redis, ready to be sent back as `-ERR <message>`.
   *
   * @default {false}
   */
  inline?: boolean;
  /**
   * Longest accepted inline command line, in bytes (server mode only).
   *
   * @default {65536} (64 KiB, as in Redis)
   */
  maxInlineLength?: number;
  /**
   * Receives each RESP3 attribute (`|`) as a map. Attributes are otherwise
   * discarded: they describe the value that follows and are not values
   * themselves.
   */
  onAttribute?: (attribute: Map<RespValue, RespValue>) => void;
  /**
   * Offered each top-level value that starts with `*` or `>` before it is
   * decoded: it may consume a whole value straight from the chunk and return
   * the position after it, or return -1 to let the decoder decode it. A fast
   * path for frames the caller knows (pub/sub messages); it sees only values
   * that start inside the chunk, never split ones it would have to resume.
   */
  scan?: (chunk: Uint8Array, pos: number, end: number) => number;
}

const CR = 13;
const LF = 10;

const DOLLAR = 36; // $ bulk string; also the kind of a streamed-string frame
const STAR = 42; // * array
const PLUS = 43; // + simple string
const MINUS = 45; // - error
const COLON = 58; // : integer
const UNDERSCORE = 95; // _ null
const COMMA = 44; // , double
const HASH = 35; // # boolean
const LPAREN = 40; // ( big number
const EQUALS = 61; // = verbatim string
const PERCENT = 37; // % map
const TILDE = 126; // ~ set
const GT = 62; // > push
const PIPE = 124; // | attribute
const BANG = 33; // ! blob error
const DOT = 46; // . end of a streamed aggregate
const SEMICOLON = 59; // ; streamed-string chunk

/** Declared length `-1`: a RESP2 null. */
const NULL_LENGTH = -1;
/** Declared length `?`: a streamed aggregate or string. */
const STREAMED = -2;

/** Longest line accepted for a header such as `$<len>` or `#t`, CR included. */
const MAX_HEADER_LINE = 32;
/**
 * Longest integer, double or big number line accepted, CR included. Parsing
 * a huge big number is super-linear, so a hostile peer must not pick its size.
 */
const MAX_NUMBER_LINE = 10_000;

// Parser modes.
const LINE = 0;
const PAYLOAD = 1; // a payload of #need bytes is next
const FILL = 2; // filling #bulk
/** Server mode: the first allocation for a request bulk that arrives in pieces. */
const REQUEST_BULK_START = 1024 * 1024;
const TRAILER = 3; // expecting the CRLF after a payload

// Valid type bytes, by the kind of line they start (0: not a type byte).
const HEADER_LINE = 1;
const NUMBER_LINE = 2;
const TEXT_LINE = 3;
const TYPES = new Uint8Array(256);
for (const type of "$*_#=%~>|!.;") TYPES[type.charCodeAt(0)] = HEADER_LINE;
for (const type of ":,(") TYPES[type.charCodeAt(0)] = NUMBER_LINE;
for (const type of "+-") TYPES[type.charCodeAt(0)] = TEXT_LINE;

const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** An aggregate under construction. */
class Frame {
  /** Bytes collected so far (streamed strings only). */
  size = 0;
  constructor(
    /** The type byte that opened it; `$` for a streamed string. */
    readonly kind: number,
    /** Items still expected, or -1 when streamed (ends at `.` or `;0`). */
    public remaining: number,
    readonly items: RespValue[],
  ) {}
}

/**
 * A synchronous, push-based, resumable RESP2/RESP3 decoder.
 *
 * Feed it bytes with {@linkcode RespDecoder.push}; it calls `onValue` once
 * for every complete value, in order, before `push` returns. Chunk
 * boundaries never matter. The decoder never keeps a reference to a pushed
 * chunk: bulk strings are copies, and an incomplete remainder is copied.
 * Bulk strings of up to 512 bytes are views into a shared 8 KiB slab (as
 * with Node's `Buffer` pool), so their `.buffer` is not theirs alone and a
 * kept one keeps its slab alive: `slice()` a small value you store for long.
 *
 * Reply errors (`-` and `!`) are delivered as {@linkcode ReplyError} values,
 * never thrown. Malformed input or a limit overrun throws a
 * {@linkcode ProtocolError}; the decoder then refuses further input until
 * {@linkcode RespDecoder.reset} is called.
 *
 * @example Decode replies split across chunks
 * ```ts
 * import { RespDecoder } from "./decoder.ts";
 *
 * const values: unknown[] = [];
 * const decoder = new RespDecoder((value) => values.push(value));
 * decoder.push(new TextEncoder().encode("+OK\r\n$3\r\nba"));
 * decoder.push(new TextEncoder().encode("r\r\n"));
 * console.log(values); // ["OK", Uint8Array(3) [98, 97, 114]]
 * ```
 */
export class RespDecoder {
  readonly #onValue: (value: RespValue) => void;
  readonly #onAttribute: ((attribute: Map<RespValue, RespValue>) => void) | undefined;
  readonly #maxBulk: number;
  readonly #maxArray: number;
  readonly #maxDepth: number;
  readonly #maxInline: number;
  readonly #inline: boolean;
  readonly #scan: ((chunk: Uint8Array, pos: number, end: number) => number) | undefined;

  #stack: Frame[] = [];
  /** The top frame when it is a streamed string (only `;` chunks may follow). */
  #streamedString: Frame | null = null;
  #mode = LINE;
  /** Length of the pending payload and the type byte that announced it. */
  #need = 0;
  #kind = 0;
  /** The payload being filled (mode FILL/TRAILER) and how much is filled. */
  #bulk: Uint8Array = EMPTY;
  #filled = 0;
  #bulkSize = 0; // the declared length of #bulk's payload
  /** CRLF bytes of the trailer seen so far. */
  #trailer = 0;
  /** An incomplete line carried over from previous chunks. */
  #tail: Uint8Array = EMPTY;
  #tailLength = 0;
  /** Bytes of the current incomplete top-level value received so far. */
  #held = 0;
  /** Set when a top-level value was delivered (used to track #held). */
  #delivered = false;
  /** Bumped by reset(); stops a push() whose onValue reset the decoder. */
  #generation = 0;
  #failed: Error | null = null;

  /**
   * Creates a decoder that delivers values to `onValue`.
   *
   * @param onValue Called synchronously with each complete value. It should
   * not throw: if it does, the error propagates out of `push`, the rest of the
   * chunk is dropped and the decoder must be reset. It may call `reset()`.
   * @param options Limits and server mode; see {@linkcode DecoderOptions}.
   * @throws {RangeError} When a limit is not a positive integer.
   */
  constructor(onValue: (value: RespValue) => void, options: DecoderOptions = {}) {
    this.#onValue = onValue;
    this.#onAttribute = options.onAttribute;
    this.#maxBulk = limit("maxBulkLength", options.maxBulkLength, 512 * 1024 * 1024);
    this.#maxArray = limit("maxArrayLength", options.maxArrayLength, 2 ** 30);
    this.#maxDepth = limit("maxDepth", options.maxDepth, 128);
    this.#maxInline = limit("maxInlineLength", options.maxInlineLength, 64 * 1024);
    this.#inline = options.inline === true;
    this.#scan = options.scan;
  }

  /**
   * Bytes of the current incomplete value received so far, counting both the
   * bytes held in internal buffers and those already decoded into pending
   * aggregate elements; `0` between values. A server can compare it with its
   * query-buffer limit after each {@linkcode RespDecoder.push}.
   *
   * @returns The byte count.
   */
  get buffered(): number {
    return this.#held;
  }

  /**
   * True between values: no partial value, line or payload is held, and the
   * decoder has not failed. The next byte pushed starts a new value.
   *
   * @returns Whether the decoder is idle.
   */
  get idle(): boolean {
    return this.#stack.length === 0 && this.#mode === LINE && this.#tailLength === 0 &&
      this.#failed === null;
  }

  /**
   * Discards all state, including a failure, so the decoder can start afresh
   * on a new stream. Safe to call from inside `onValue`: the rest of the
   * chunk being pushed is then dropped.
   */
  reset(): void {
    this.#stack = [];
    this.#streamedString = null;
    this.#mode = LINE;
    this.#need = 0;
    this.#kind = 0;
    this.#bulk = EMPTY;
    this.#filled = 0;
    this.#trailer = 0;
    this.#tail = EMPTY;
    this.#tailLength = 0;
    this.#held = 0;
    this.#delivered = false;
    this.#failed = null;
    this.#generation++;
  }

  /**
   * Decodes `chunk`, calling `onValue` for every value it completes. The
   * chunk is only read during the call; the caller may reuse its buffer
   * afterwards.
   *
   * @param chunk The next bytes of the stream.
   * @throws {ProtocolError} When the bytes are not valid RESP or exceed a
   * limit, or when the decoder failed earlier and was not reset.
   */
  push(chunk: Uint8Array): void {
    if (this.#failed !== null) {
      throw new ProtocolError(
        `Cannot decode: the decoder failed earlier (${this.#failed.message}); call reset() first`,
      );
    }
    try {
      this.#decode(chunk);
    } catch (error) {
      this.#failed = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  #decode(chunk: Uint8Array): void {
    const end = chunk.length;
    const generation = this.#generation;
    let pos = 0;
    let mark = 0;

    // Finish a line that a previous chunk left incomplete.
    if (this.#tailLength !== 0) {
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        this.#save(chunk, 0, end);
        this.#held += end;
        return;
      }
      this.#save(chunk, 0, nl + 1);
      const length = this.#tailLength;
      this.#tailLength = 0;
      this.#line(this.#tail, 0, length - 1);
      if (this.#tail.length > 4096) this.#tail = EMPTY;
      pos = nl + 1;
      if (this.#generation !== generation) return;
      if (this.#delivered) {
        this.#delivered = false;
        this.#held = 0;
        mark = pos;
      }
    }

    while (pos < end) {
      if (this.#mode !== LINE) {
        pos = this.#payload(chunk, pos, end);
      } else {
        if (this.#scan !== undefined && this.#stack.length === 0) {
          const type = chunk[pos];
          if (type === GT || type === STAR) {
            const next = this.#scan(chunk, pos, end);
            if (this.#generation !== generation) return;
            if (next >= 0) {
              pos = next;
              mark = pos;
              continue;
            }
          }
        }
        const nl = chunk.indexOf(LF, pos);
        if (nl === -1) {
          this.#save(chunk, pos, end);
          break;
        }
        this.#line(chunk, pos, nl);
        pos = nl + 1;
      }
      if (this.#generation !== generation) return;
      if (this.#delivered) {
        this.#delivered = false;
        this.#held = 0;
        mark = pos;
      }
    }

    if (this.#stack.length === 0 && this.#mode === LINE && this.#tailLength === 0) {
      this.#held = 0;
    } else {
      this.#held += end - mark;
    }
  }

  /** Appends `chunk[from, to)` to the tail, enforcing the line limits. */
  #save(chunk: Uint8Array, from: number, to: number): void {
    const length = this.#tailLength + (to - from);
    if (length > this.#tail.length) {
      const grown = new Uint8Array(Math.max(64, length, this.#tail.length * 2));
      grown.set(this.#tail.subarray(0, this.#tailLength));
      this.#tail = grown;
    }
    this.#tail.set(chunk.subarray(from, to), this.#tailLength);
    this.#tailLength = length;

    // Refuse garbage and endless lines without waiting for a CRLF.
    const type = this.#tail[0];
    const content = chunk[to - 1] === LF ? length - 1 : length; // CR included
    if (this.#inline) {
      if (this.#stack.length === 0 && type !== STAR) {
        const text = this.#tail[content - 1] === CR ? content - 1 : content;
        if (text > this.#maxInline) this.#fail("too big inline request");
      } else if (content > this.#maxInline) {
        // Redis waits for the CR of a count line up to PROTO_INLINE_MAX_SIZE.
        this.#fail(
          this.#stack.length === 0 ? "too big mbulk count string" : "too big bulk count string",
        );
      }
    } else {
      const kind = TYPES[type];
      if (kind === 0) this.#unknownType(type);
      const max = kind === HEADER_LINE
        ? MAX_HEADER_LINE
        : kind === NUMBER_LINE
        ? MAX_NUMBER_LINE
        : this.#maxBulk + 2;
      if (content > max) this.#fail(`line of type "${String.fromCharCode(type)}" is too long`);
    }
  }

  /** Handles the line `buf[start, nl)`; `buf[nl]` is the LF. */
  #line(buf: Uint8Array, start: number, nl: number): void {
    const type = buf[start];
    if (this.#inline) {
      this.#requestLine(buf, start, nl, type);
      return;
    }
    const stop = nl - 1; // index of the CR
    const kind = TYPES[type];
    if (kind === 0) this.#unknownType(type);
    if (kind === NUMBER_LINE && nl - start > MAX_NUMBER_LINE) {
      this.#fail(`line of type "${String.fromCharCode(type)}" is too long`);
    }
    if (stop <= start || buf[stop] !== CR) {
      this.#fail(`expected CRLF at the end of a "${String.fromCharCode(type)}" line`);
    }
    if (this.#streamedString !== null && type !== SEMICOLON) {
      this.#fail(
        `expected a ";" chunk inside a streamed string, got "${String.fromCharCode(type)}"`,
      );
    }
    const from = start + 1;
    switch (type) {
      case DOLLAR:
      case BANG:
      case EQUALS: {
        const n = this.#length(buf, from, stop, type);
        if (n >= 0) {
          this.#expect(n, type);
        } else if (n === NULL_LENGTH && type === DOLLAR) {
          this.#emit(null);
        } else if (n === STREAMED && type === DOLLAR) {
          this.#open(DOLLAR, -1);
          this.#streamedString = this.#stack[this.#stack.length - 1];
        } else {
          this.#badLength(buf, from, stop, type);
        }
        return;
      }
      case STAR:
      case PERCENT:
      case TILDE:
      case GT:
      case PIPE: {
        const n = this.#length(buf, from, stop, type);
        if (n > this.#maxArray) {
          this.#fail(`aggregate length ${n} exceeds the limit of ${this.#maxArray}`);
        }
        if (n > 0) {
          this.#open(type, type === PERCENT || type === PIPE ? n * 2 : n);
        } else if (n === 0) {
          if (type === PIPE) this.#onAttribute?.(new Map());
          else this.#emit(build(type, []));
        } else if (n === NULL_LENGTH && type === STAR) {
          this.#emit(null);
        } else if (n === STREAMED && type !== PIPE) {
          this.#open(type, -1);
        } else {
          this.#badLength(buf, from, stop, type);
        }
        return;
      }
      case PLUS:
        this.#emit(text(buf, from, stop));
        return;
      case MINUS:
        this.#emit(new ReplyError(text(buf, from, stop)));
        return;
      case COLON:
        this.#emit(this.#integer(buf, from, stop));
        return;
      case UNDERSCORE:
        if (stop !== from) this.#fail(`invalid null ${quote(buf, start, stop)}`);
        this.#emit(null);
        return;
      case HASH: {
        const value = stop - from === 1 ? buf[from] : 0;
        if (value !== 116 && value !== 102) {
          this.#fail(`invalid boolean ${quote(buf, start, stop)}`);
        }
        this.#emit(value === 116);
        return;
      }
      case COMMA:
        this.#emit(this.#double(buf, from, stop));
        return;
      case LPAREN:
        this.#emit(this.#bigNumber(buf, from, stop));
        return;
      case SEMICOLON: {
        const frame = this.#streamedString;
        if (frame === null) this.#fail('unexpected ";" chunk outside a streamed string');
        const n = this.#length(buf, from, stop, type);
        if (n < 0) this.#badLength(buf, from, stop, type);
        if (n === 0) {
          this.#streamedString = null;
          this.#stack.pop();
          this.#emit(concat(frame.items as Uint8Array[], frame.size));
        } else if (frame.size + n > this.#maxBulk) {
          this.#fail(`streamed string exceeds the limit of ${this.#maxBulk} bytes`);
        } else {
          this.#expect(n, SEMICOLON);
        }
        return;
      }
      case DOT: {
        const frame = this.#stack[this.#stack.length - 1];
        if (frame === undefined || frame.remaining !== -1) {
          this.#fail('unexpected "." outside a streamed aggregate');
        }
        if (stop !== from) this.#fail(`invalid end marker ${quote(buf, start, stop)}`);
        if (frame.kind === PERCENT && frame.items.length % 2 !== 0) {
          this.#fail("streamed map ended after a key without a value");
        }
        this.#stack.pop();
        this.#emit(build(frame.kind, frame.items));
        return;
      }
    }
  }

  /** Server mode: a request line (multibulk header, bulk header or inline command). */
  #requestLine(buf: Uint8Array, start: number, nl: number, type: number): void {
    if (this.#stack.length === 0) {
      if (type !== STAR) {
        this.#inlineCommand(buf, start, nl);
        return;
      }
      const stop = nl - 1;
      const n = stop > start && buf[stop] === CR ? requestLength(buf, start + 1, stop) : NaN;
      if (!(n <= this.#maxArray)) this.#fail("invalid multibulk length");
      if (n > 0) this.#open(STAR, n);
      return; // `*0`, `*-1` and other counts below 1 are skipped, as in Redis
    }
    if (type !== DOLLAR) {
      this.#fail(`expected '$', got '${String.fromCharCode(type)}'`);
    }
    const stop = nl - 1;
    const n = stop > start && buf[stop] === CR ? requestLength(buf, start + 1, stop) : NaN;
    if (!(n >= 0 && n <= this.#maxBulk)) this.#fail("invalid bulk length");
    this.#expect(n, DOLLAR);
  }

  /** Server mode: splits an inline command the way Redis's sdssplitargs does. */
  #inlineCommand(buf: Uint8Array, start: number, nl: number): void {
    const stop = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    if (stop - start > this.#maxInline) this.#fail("too big inline request");
    const args = splitArgs(buf, start, stop);
    if (args === null) this.#fail("unbalanced quotes in request");
    if (args.length !== 0) this.#emit(args);
  }

  /** Announces a payload of `n` bytes for the type byte `kind`. */
  #expect(n: number, kind: number): void {
    if (n > this.#maxBulk) {
      this.#fail(
        this.#inline
          ? "invalid bulk length"
          : `bulk length ${n} exceeds the limit of ${this.#maxBulk} bytes`,
      );
    }
    this.#need = n;
    this.#kind = kind;
    this.#mode = PAYLOAD;
  }

  /** Consumes payload bytes from `chunk[pos, end)`; returns the new position. */
  #payload(chunk: Uint8Array, pos: number, end: number): number {
    if (this.#mode === PAYLOAD) {
      const n = this.#need;
      if (end - pos >= n + 2) {
        // Whole payload and trailer are here: one copy, no state.
        // Redis skips the two bytes after a request's bulk without looking at them.
        if (!this.#inline && (chunk[pos + n] !== CR || chunk[pos + n + 1] !== LF)) {
          this.#missingTrailer();
        }
        this.#mode = LINE;
        this.#payloadDone(copy(chunk, pos, n));
        return pos + n + 2;
      }
      // A request's declared length is not trusted: grow towards it as the bytes come.
      this.#bulk = allocate(this.#inline && n > REQUEST_BULK_START ? REQUEST_BULK_START : n);
      this.#bulkSize = n;
      this.#filled = 0;
      this.#trailer = 0;
      this.#mode = FILL;
    }
    if (this.#mode === FILL) {
      const take = Math.min(this.#bulkSize - this.#filled, end - pos);
      if (this.#filled + take > this.#bulk.length) {
        const size = Math.max(this.#filled + take, this.#bulk.length * 2);
        const grown = new Uint8Array(Math.min(this.#bulkSize, size));
        grown.set(this.#bulk.subarray(0, this.#filled));
        this.#bulk = grown;
      }
      this.#bulk.set(chunk.subarray(pos, pos + take), this.#filled);
      this.#filled += take;
      pos += take;
      if (this.#filled < this.#bulkSize) return pos;
      this.#mode = TRAILER;
    }
    while (pos < end && this.#trailer < 2) {
      if (!this.#inline && chunk[pos] !== (this.#trailer === 0 ? CR : LF)) this.#missingTrailer();
      this.#trailer++;
      pos++;
    }
    if (this.#trailer === 2) {
      const bytes = this.#bulk;
      this.#bulk = EMPTY;
      this.#mode = LINE;
      this.#payloadDone(bytes);
    }
    return pos;
  }

  #payloadDone(bytes: Uint8Array): void {
    switch (this.#kind) {
      case DOLLAR:
        this.#emit(bytes);
        return;
      case BANG:
        this.#emit(new ReplyError(utf8.decode(bytes)));
        return;
      case EQUALS:
        if (bytes.length < 4 || bytes[3] !== COLON) {
          this.#fail('invalid verbatim string: expected a "xxx:" format prefix');
        }
        this.#emit(
          new VerbatimString(String.fromCharCode(bytes[0], bytes[1], bytes[2]), bytes.subarray(4)),
        );
        return;
      case SEMICOLON: {
        const frame = this.#streamedString!;
        frame.items.push(bytes);
        frame.size += bytes.length;
        return;
      }
    }
  }

  /** Pushes a frame expecting `remaining` items (-1: streamed). */
  #open(kind: number, remaining: number): void {
    if (this.#stack.length >= this.#maxDepth) {
      this.#fail(`nesting exceeds the limit of ${this.#maxDepth} levels`);
    }
    this.#stack.push(new Frame(kind, remaining, []));
  }

  /** Adds a complete value to the open aggregate, or delivers it. */
  #emit(value: RespValue): void {
    const stack = this.#stack;
    while (stack.length !== 0) {
      const frame = stack[stack.length - 1];
      frame.items.push(value);
      if (frame.remaining < 0 || --frame.remaining !== 0) return;
      stack.pop();
      if (frame.kind === PIPE) {
        this.#onAttribute?.(build(PERCENT, frame.items) as Map<RespValue, RespValue>);
        return;
      }
      value = build(frame.kind, frame.items);
    }
    this.#delivered = true;
    this.#onValue(value);
  }

  /** Parses an integer line: a number, or a bigint outside the safe range. */
  #integer(buf: Uint8Array, from: number, stop: number): number | bigint {
    let i = from;
    const sign = i < stop ? buf[i] : 0;
    if (sign === MINUS || sign === PLUS) i++;
    if (i === stop) this.#fail(`invalid integer ${quote(buf, from - 1, stop)}`);
    if (stop - i <= 15) {
      let n = 0;
      for (; i < stop; i++) {
        const digit = buf[i] - 48;
        if (digit < 0 || digit > 9) this.#fail(`invalid integer ${quote(buf, from - 1, stop)}`);
        n = n * 10 + digit;
      }
      return sign === MINUS ? 0 - n : n;
    }
    for (let j = i; j < stop; j++) {
      const digit = buf[j] - 48;
      if (digit < 0 || digit > 9) this.#fail(`invalid integer ${quote(buf, from - 1, stop)}`);
    }
    const big = BigInt(latin1(buf, i, stop));
    const value = sign === MINUS ? -big : big;
    return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
  }

  #bigNumber(buf: Uint8Array, from: number, stop: number): bigint {
    let i = from;
    const sign = i < stop ? buf[i] : 0;
    if (sign === MINUS || sign === PLUS) i++;
    if (i === stop) this.#fail(`invalid big number ${quote(buf, from - 1, stop)}`);
    for (let j = i; j < stop; j++) {
      const digit = buf[j] - 48;
      if (digit < 0 || digit > 9) this.#fail(`invalid big number ${quote(buf, from - 1, stop)}`);
    }
    const big = BigInt(latin1(buf, i, stop));
    return sign === MINUS ? -big : big;
  }

  #double(buf: Uint8Array, from: number, stop: number): number {
    const s = latin1(buf, from, stop);
    switch (s) {
      case "inf":
      case "+inf":
        return Infinity;
      case "-inf":
        return -Infinity;
      case "nan":
      case "-nan":
        return NaN;
    }
    for (let i = from; i < stop; i++) {
      const c = buf[i];
      // digits . + - e E
      if (!((c >= 48 && c <= 57) || c === DOT || c === PLUS || c === MINUS || (c | 32) === 101)) {
        this.#fail(`invalid double ${quote(buf, from - 1, stop)}`);
      }
    }
    const value = Number(s);
    if (s.length === 0 || value !== value) {
      this.#fail(`invalid double ${quote(buf, from - 1, stop)}`);
    }
    return value;
  }

  /**
   * Parses a declared length: a non-negative integer, NULL_LENGTH for `-1`,
   * STREAMED for `?`; anything else throws.
   */
  #length(buf: Uint8Array, from: number, stop: number, type: number): number {
    const size = stop - from;
    if (size === 0 || size > 15) this.#badLength(buf, from, stop, type);
    const first = buf[from];
    if (first === MINUS) {
      if (size === 2 && buf[from + 1] === 49) return NULL_LENGTH;
      this.#badLength(buf, from, stop, type);
    }
    if (first === 63) {
      if (size === 1) return STREAMED;
      this.#badLength(buf, from, stop, type);
    }
    let n = 0;
    for (let i = from; i < stop; i++) {
      const digit = buf[i] - 48;
      if (digit < 0 || digit > 9) this.#badLength(buf, from, stop, type);
      n = n * 10 + digit;
    }
    return n;
  }

  #badLength(buf: Uint8Array, from: number, stop: number, type: number): never {
    this.#fail(`invalid length ${quote(buf, from, stop)} after "${String.fromCharCode(type)}"`);
  }

  #unknownType(type: number): never {
    this.#fail(`unknown type byte ${describeByte(type)}`);
  }

  #missingTrailer(): never {
    this.#fail("expected CRLF after bulk data");
  }

  #fail(message: string): never {
    throw new ProtocolError(
      this.#inline ? `Protocol error: ${message}` : `Cannot parse reply: ${message}`,
    );
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** Server mode: a signed decimal length, or NaN when it is not one. */
function requestLength(buf: Uint8Array, from: number, stop: number): number {
  let i = from;
  const negative = i < stop && buf[i] === MINUS;
  if (negative) i++;
  if (i === stop || stop - i > 15) return NaN;
  // Like Redis's string2ll: no leading zeros, no "-0".
  if (buf[i] === 48 && (negative || stop - i > 1)) return NaN;
  let n = 0;
  for (; i < stop; i++) {
    const digit = buf[i] - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return negative ? -n : n;
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot create decoder: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Builds the value of a complete aggregate. */
function build(kind: number, items: RespValue[]): RespValue {
  switch (kind) {
    case PERCENT:
    case PIPE: {
      const map = new Map<RespValue, RespValue>();
      for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
      return map;
    }
    case TILDE:
      return new Set(items);
    case GT:
      return new RespPush(items);
    default:
      return items;
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** UTF-8 text of `buf[from, stop)`, with a fast path for short ASCII. */
function text(buf: Uint8Array, from: number, stop: number): string {
  if (stop - from <= 32) {
    let s = "";
    for (let i = from; i < stop; i++) {
      const c = buf[i];
      if (c > 127) return utf8.decode(buf.subarray(from, stop));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(buf.subarray(from, stop));
}

/** One character per byte; for numbers that have already been validated. */
function latin1(buf: Uint8Array, from: number, stop: number): string {
  let s = "";
  for (let i = from; i < stop; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** A quoted, truncated excerpt of the input for error messages. */
function quote(buf: Uint8Array, from: number, stop: number): string {
  const cut = Math.min(stop, from + 32);
  const s = JSON.stringify(latin1(buf, from, cut));
  return cut < stop ? `${s}...` : s;
}

function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, "0")}`;
  return byte >= 0x20 && byte < 0x7f ? `"${String.fromCharCode(byte)}" (${hex})` : hex;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/**
 * Splits `buf[start, stop)` into arguments like Redis's `sdssplitargs`:
 * whitespace separates arguments; `"..."` supports `\n \r \t \b \a \xHH` and
 * `\<any>`; `'...'` supports `\'`; a closing quote must be followed by
 * whitespace or the end. Returns null on unbalanced quotes.
 */
function splitArgs(buf: Uint8Array, start: number, stop: number): Uint8Array[] | null {
  const args: Uint8Array[] = [];
  const out = new Uint8Array(stop - start);
  let w = 0;
  let p = start;
  for (;;) {
    while (p < stop && isSpace(buf[p])) p++;
    if (p >= stop) return args;
    const argStart = w;
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (inDouble) {
        if (p >= stop) return null;
        const c = buf[p];
        if (
          c === 92 && p + 3 < stop && buf[p + 1] === 120 && hexValue(buf[p + 2]) >= 0 &&
          hexValue(buf[p + 3]) >= 0
        ) {
          out[w++] = hexValue(buf[p + 2]) * 16 + hexValue(buf[p + 3]);
          p += 4;
        } else if (c === 92 && p + 1 < stop) {
          const e = buf[p + 1];
          out[w++] = e === 110
            ? 10
            : e === 114
            ? 13
            : e === 116
            ? 9
            : e === 98
            ? 8
            : e === 97
            ? 7
            : e;
          p += 2;
        } else if (c === 34) {
          if (p + 1 < stop && !isSpace(buf[p + 1])) return null;
          p++;
          break;
        } else {
          out[w++] = c;
          p++;
        }
      } else if (inSingle) {
        if (p >= stop) return null;
        const c = buf[p];
        if (c === 92 && p + 1 < stop && buf[p + 1] === 39) {
          out[w++] = 39;
          p += 2;
        } else if (c === 39) {
          if (p + 1 < stop && !isSpace(buf[p + 1])) return null;
          p++;
          break;
        } else {
          out[w++] = c;
          p++;
        }
      } else {
        if (p >= stop) break;
        const c = buf[p];
        if (isSpace(c)) {
          p++;
          break;
        }
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else out[w++] = c;
        p++;
      }
    }
    args.push(copy(out, argStart, w - argStart));
  }
}
