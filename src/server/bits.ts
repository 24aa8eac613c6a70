/**
 * Bit counting and searching over a bit range of a byte string (BITCOUNT,
 * BITPOS). Bits are numbered as Redis numbers them: bit 0 is the most
 * significant bit of byte 0. Bit indexes go up to 2^32 - 1 (a 512 MiB
 * string), so they are plain numbers, never shifted as int32.
 *
 * Whole bytes are handled a byte at a time (a popcount table, a skip over
 * bytes that cannot hold the wanted bit); only the partial bytes at the ends
 * of the range are looked at bit by bit.
 *
 * @module
 */

const POPCOUNT = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >> 1];
  return table;
})();

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
  for (let i = first + 1; i < last; i++) count += POPCOUNT[bytes[i]];
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
  for (let i = first; i <= last; i++) {
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
