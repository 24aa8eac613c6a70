/**
 * Finds pub/sub message frames (`message`, `smessage`, `pmessage`, as a
 * RESP3 push or a RESP2 array of bulk strings) directly in a received chunk,
 * so a subscriber can read channel and payload where they lie instead of
 * going through the general decoder (no frame, no array, no copies).
 *
 * Only the common, well-formed case is recognised: a whole frame inside the
 * chunk, every element a bulk string with a plain decimal length. Anything
 * else (a split frame, another reply, malformed bytes) is left to the general
 * decoder, which also reports what is wrong with it.
 *
 * @module
 */

const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;
const GT = 62;
const DIGIT_3 = 51;
const DIGIT_4 = 52;

/** The message kinds, as {@linkcode MessageSpans.kind} gives them. */
export const MESSAGE = 0;
/** A sharded-channel message (SSUBSCRIBE). */
export const SMESSAGE = 1;
/** A pattern message (PSUBSCRIBE): it also carries the pattern. */
export const PMESSAGE = 2;

/** Where the parts of one message frame lie in `bytes` (ends exclusive). */
export class MessageSpans {
  /** The chunk the frame lies in; valid only during the call that got it. */
  bytes: Uint8Array = new Uint8Array(0);
  /** {@linkcode MESSAGE}, {@linkcode SMESSAGE} or {@linkcode PMESSAGE}. */
  kind = MESSAGE;
  /** The pattern (pmessage only; otherwise both 0). */
  patternStart = 0;
  /** End of the pattern. */
  patternEnd = 0;
  /** The channel. */
  channelStart = 0;
  /** End of the channel. */
  channelEnd = 0;
  /** The payload. */
  payloadStart = 0;
  /** End of the payload. */
  payloadEnd = 0;
}

/**
 * The start of the payload of the bulk string whose `$` is at `pos`, or -1.
 * Its length goes to `lengthOut[0]`.
 */
function bulkHeader(chunk: Uint8Array, pos: number, end: number, lengthOut: number[]): number {
  if (pos >= end || chunk[pos] !== DOLLAR) return -1;
  let i = pos + 1;
  let n = 0;
  const first = i;
  // Nine digits at most: a frame longer than that is not in one chunk anyway.
  while (i < end && i - first < 9) {
    const digit = chunk[i] - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
    i++;
  }
  if (i === first || i + 1 >= end || chunk[i] !== CR || chunk[i + 1] !== LF) return -1;
  lengthOut[0] = n;
  return i + 2;
}

const length = [0];

/** Checks that `chunk[pos..]` holds `expected` (ASCII) followed by CRLF. */
function literal(chunk: Uint8Array, pos: number, end: number, expected: string): boolean {
  const n = expected.length;
  if (pos + n + 2 > end) return false;
  for (let i = 0; i < n; i++) {
    if (chunk[pos + i] !== expected.charCodeAt(i)) return false;
  }
  return chunk[pos + n] === CR && chunk[pos + n + 1] === LF;
}

/**
 * Recognises a whole message frame at `chunk[pos]` and records its parts.
 *
 * @param chunk Received bytes.
 * @param pos Where a top-level value starts.
 * @param end End of the received bytes.
 * @param spans Receives the parts (and `chunk`).
 * @returns The position after the frame, or -1 when there is none (or not
 * all of it) at `pos`.
 */
export function scanMessage(
  chunk: Uint8Array,
  pos: number,
  end: number,
  spans: MessageSpans,
): number {
  // ">3\r\n" / "*3\r\n" (message, smessage) or ">4\r\n" / "*4\r\n" (pmessage)
  if (pos + 4 > end) return -1;
  const type = chunk[pos];
  if (type !== GT && type !== STAR) return -1;
  const count = chunk[pos + 1];
  if ((count !== DIGIT_3 && count !== DIGIT_4) || chunk[pos + 2] !== CR || chunk[pos + 3] !== LF) {
    return -1;
  }
  let at = bulkHeader(chunk, pos + 4, end, length);
  if (at < 0) return -1;
  let kind: number;
  if (count === DIGIT_3 && length[0] === 7 && literal(chunk, at, end, "message")) {
    kind = MESSAGE;
  } else if (count === DIGIT_3 && length[0] === 8 && literal(chunk, at, end, "smessage")) {
    kind = SMESSAGE;
  } else if (count === DIGIT_4 && length[0] === 8 && literal(chunk, at, end, "pmessage")) {
    kind = PMESSAGE;
  } else {
    return -1;
  }
  at += length[0] + 2;
  let patternStart = 0;
  let patternEnd = 0;
  if (kind === PMESSAGE) {
    patternStart = bulkHeader(chunk, at, end, length);
    if (patternStart < 0) return -1;
    patternEnd = patternStart + length[0];
    at = afterPayload(chunk, patternEnd, end);
    if (at < 0) return -1;
  }
  const channelStart = bulkHeader(chunk, at, end, length);
  if (channelStart < 0) return -1;
  const channelEnd = channelStart + length[0];
  at = afterPayload(chunk, channelEnd, end);
  if (at < 0) return -1;
  const payloadStart = bulkHeader(chunk, at, end, length);
  if (payloadStart < 0) return -1;
  const payloadEnd = payloadStart + length[0];
  at = afterPayload(chunk, payloadEnd, end);
  if (at < 0) return -1;
  spans.bytes = chunk;
  spans.kind = kind;
  spans.patternStart = patternStart;
  spans.patternEnd = patternEnd;
  spans.channelStart = channelStart;
  spans.channelEnd = channelEnd;
  spans.payloadStart = payloadStart;
  spans.payloadEnd = payloadEnd;
  return at;
}

/** The position after the CRLF that must follow a payload ending at `stop`, or -1. */
function afterPayload(chunk: Uint8Array, stop: number, end: number): number {
  if (stop + 2 > end || chunk[stop] !== CR || chunk[stop + 1] !== LF) return -1;
  return stop + 2;
}
