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

/** Where the (up to four) bulk strings of a frame start and stop; reused. */
const starts = new Int32Array(4);
const stops = new Int32Array(4);
/** "message", the kind's last seven letters in every message frame. */
const MESSAGE_WORD = new Uint8Array([109, 101, 115, 115, 97, 103, 101]);
const LOWER_S = 115;
const LOWER_P = 112;

/**
 * Recognises a whole message frame at `chunk[pos]` and records its parts.
 * One flat function on purpose: it runs once per received message.
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
  const count = chunk[pos + 1] - 48;
  if ((count !== 3 && count !== 4) || chunk[pos + 2] !== CR || chunk[pos + 3] !== LF) return -1;
  // Then `count` bulk strings "$<length>\r\n<bytes>\r\n", all inside the chunk.
  let at = pos + 4;
  for (let part = 0; part < count; part++) {
    if (at >= end || chunk[at] !== DOLLAR) return -1;
    const first = at + 1;
    let i = first;
    let n = 0;
    // Nine digits at most: a frame longer than that is not in one chunk anyway.
    while (i < end && i - first < 9) {
      const digit = chunk[i] - 48;
      if (digit < 0 || digit > 9) break;
      n = n * 10 + digit;
      i++;
    }
    if (i === first || i + 1 >= end || chunk[i] !== CR || chunk[i + 1] !== LF) return -1;
    const start = i + 2;
    const stop = start + n;
    if (stop + 2 > end || chunk[stop] !== CR || chunk[stop + 1] !== LF) return -1;
    starts[part] = start;
    stops[part] = stop;
    at = stop + 2;
  }
  // The kind: "message" or "smessage" (3 parts), "pmessage" (4 parts).
  let word = starts[0];
  const length = stops[0] - word;
  let kind: number;
  if (length === 7 && count === 3) {
    kind = MESSAGE;
  } else if (length === 8 && chunk[word] === (count === 3 ? LOWER_S : LOWER_P)) {
    kind = count === 3 ? SMESSAGE : PMESSAGE;
    word++;
  } else {
    return -1;
  }
  for (let i = 0; i < 7; i++) if (chunk[word + i] !== MESSAGE_WORD[i]) return -1;
  const channel = count - 2;
  spans.bytes = chunk;
  spans.kind = kind;
  spans.patternStart = kind === PMESSAGE ? starts[1] : 0;
  spans.patternEnd = kind === PMESSAGE ? stops[1] : 0;
  spans.channelStart = starts[channel];
  spans.channelEnd = stops[channel];
  spans.payloadStart = starts[channel + 1];
  spans.payloadEnd = stops[channel + 1];
  return at;
}
