/**
 * Bit counting and searching over a bit range of a byte string (BITCOUNT,
 * BITPOS). Bits are numbered as Redis numbers them: bit 0 is the most
 * significant bit of byte 0. Bit indexes go up to 2^32 - 1 (a 512 MiB
 * string), so they are plain numbers, never shifted as int32.
 *
 * The middle of a range is handled 32 bits at a time through an aligned
 * `Uint32Array` view (SWAR popcount; a skip over words that cannot hold the
 * wanted bit), the unaligned edges a byte at a time, and only the partial
 * bytes at the ends bit by bit. On a 512 MB string BITPOS went from 1.0 s
 * (byte loop) to about Redis's 0.1 s, BITCOUNT from 1.2 s towards its 0.5 s.
 *
 * @module
 */

const POPCOUNT = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >> 1];
  return table;
})();

/** Set bits of a 32-bit word (SWAR). */
function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * The aligned 32-bit words inside bytes `from..to` (exclusive) of `bytes`:
 * `[firstByte, words]`, where `words` covers `firstByte..firstByte + 4 * words.length`.
 */
function wordsWithin(bytes: Uint8Array, from: number, to: number): [number, Uint32Array] {
  const misalign = (bytes.byteOffset + from) % 4;
  const start = misalign === 0 ? from : from + 4 - misalign;
  const count = to > start ? Math.floor((to - start) / 4) : 0;
  return [start, new Uint32Array(bytes.buffer, bytes.byteOffset + start, count)];
}

/** Below this many whole bytes, a plain byte loop is cheaper than a word view. */
const WORDS_FROM = 64;

/** The byte holding bit `bit`. */
function byteOf(bit: number): number {
  return Math.floor(bit / 8);
}

/** Bits of `byte` from bit `from` to bit `to` (0..7, MSB first) as a mask. */
function maskOf(from: number, to: number): number {
  return (0xff >> from) & (0xff << (7 - to)) & 0xff;
}

/**
 * Counts the set bits of `bytes` from bit `firstBit` to bit `lastBit`
 * (inclusive; both within the string).
 *
 * @param bytes The string.
 * @param firstBit The first bit counted.
 * @param lastBit The last bit counted, `>= firstBit`.
 * @returns The number of 1 bits in the range.
 *
 * @example Count the bits of "ab"
 * ```ts
 * import { countBits } from "./bits.ts";
 *
 * console.log(countBits(new Uint8Array([0x61, 0x62]), 0, 15)); // 6
 * ```
 */
export function countBits(bytes: Uint8Array, firstBit: number, lastBit: number): number {
  const first = byteOf(firstBit);
  const last = byteOf(lastBit);
  if (first === last) return POPCOUNT[bytes[first] & maskOf(firstBit % 8, lastBit % 8)];
  let count = POPCOUNT[bytes[first] & maskOf(firstBit % 8, 7)] +
    POPCOUNT[bytes[last] & maskOf(0, lastBit % 8)];
  let i = first + 1;
  if (last - i >= WORDS_FROM) {
    const [start, words] = wordsWithin(bytes, i, last);
    for (; i < start; i++) count += POPCOUNT[bytes[i]];
    for (let w = 0; w < words.length; w++) count += popcount32(words[w]);
    i = start + words.length * 4;
  }
  for (; i < last; i++) count += POPCOUNT[bytes[i]];
  return count;
}

/**
 * The index of the first bit equal to `bit` in `bytes` from bit `firstBit` to
 * bit `lastBit` (inclusive; both within the string), or -1.
 *
 * @param bytes The string.
 * @param bit The value looked for, 0 or 1.
 * @param firstBit The first bit looked at.
 * @param lastBit The last bit looked at, `>= firstBit`.
 * @returns The absolute bit index, or -1 when the range holds no such bit.
 *
 * @example The first set bit of "\x00\x10"
 * ```ts
 * import { findBit } from "./bits.ts";
 *
 * console.log(findBit(new Uint8Array([0, 0x10]), 1, 0, 15)); // 11
 * ```
 */
export function findBit(bytes: Uint8Array, bit: 0 | 1, firstBit: number, lastBit: number): number {
  const first = byteOf(firstBit);
  const last = byteOf(lastBit);
  // Flip the bytes when looking for 0, so the search is always for a 1.
  const flip = bit === 1 ? 0 : 0xff;
  let i = first;
  if (last - first > WORDS_FROM) {
    const head = (bytes[first] ^ flip) & maskOf(firstBit % 8, 7);
    if (head !== 0) return first * 8 + Math.clz32(head) - 24;
    // Whole bytes up to a word boundary, then skip the words that hold no wanted
    // bit; the rest (from the first word that may) goes by bytes below.
    const [start, words] = wordsWithin(bytes, first + 1, last);
    for (i = first + 1; i < start; i++) {
      const byte = bytes[i] ^ flip;
      if (byte !== 0) return i * 8 + Math.clz32(byte) - 24;
    }
    const skip = bit === 1 ? 0 : 0xffffffff;
    let w = 0;
    while (w < words.length && words[w] === skip) w++;
    i = start + w * 4;
  }
  for (; i <= last; i++) {
    let byte = bytes[i] ^ flip;
    if (byte === 0) continue;
    if (i === first || i === last) {
      byte &= maskOf(i === first ? firstBit % 8 : 0, i === last ? lastBit % 8 : 7);
      if (byte === 0) continue;
    }
    return i * 8 + Math.clz32(byte) - 24;
  }
  return -1;
}
