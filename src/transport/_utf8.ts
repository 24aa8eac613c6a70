/**
 * Decoding UTF-8 out of a range of bytes in plain JavaScript, for runtimes
 * without a native way to do it (Bun has one: see bun.ts).
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Strings up to this many bytes are tried as ASCII first. */
const SHORT = 32;

/** One reused array of char codes per length: `String.fromCharCode.apply` takes it as is. */
const codesByLength: number[][] = Array.from({ length: SHORT + 1 }, (_, n) => new Array(n).fill(0));

/**
 * Decodes the UTF-8 text in `bytes[from, to)` as `TextDecoder` does with
 * `ignoreBOM` (invalid bytes become U+FFFD, a leading BOM is kept). Short
 * ASCII text, the common case for channel names and small messages, skips
 * the view and the call into the decoder (two to three times faster on
 * Deno).
 *
 * @param bytes The bytes.
 * @param from The first byte.
 * @param to The end (exclusive).
 * @returns The text.
 */
export function decodeUtf8Js(bytes: Uint8Array, from: number, to: number): string {
  const n = to - from;
  if (n <= SHORT) {
    const codes = codesByLength[n];
    let i = 0;
    for (; i < n; i++) {
      const byte = bytes[from + i];
      if (byte > 0x7f) break;
      codes[i] = byte;
    }
    if (i === n) return String.fromCharCode.apply(null, codes);
  }
  return utf8.decode(bytes.subarray(from, to));
}
