/**
 * Small byte arrays carved out of shared slabs.
 *
 * Allocating an ArrayBuffer costs about a microsecond on Deno's V8, a view on
 * an existing one a few tens of nanoseconds (Node's Buffer pool does the
 * same). Small payloads are therefore copied into views of a shared 8 KiB
 * slab. A kept small value keeps its slab alive, and its `.buffer` is not its
 * own: code that stores such a value for long may `slice()` it.
 *
 * @module
 */

/** Size of one slab. */
const SLAB_SIZE = 8 * 1024;
/** Larger arrays get an ArrayBuffer of their own. */
export const SLAB_MAX = 512;

let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/**
 * A fresh, zeroed array of `n` bytes that no one else writes to.
 *
 * @param n The length.
 * @returns The array; a view of a shared slab when `n <= SLAB_MAX`.
 */
export function allocate(n: number): Uint8Array {
  if (n > SLAB_MAX) return new Uint8Array(n);
  if (slabOffset + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const bytes = new Uint8Array(slab, slabOffset, n);
  slabOffset += n;
  return bytes;
}

/**
 * A copy of `chunk[from, from + n)`.
 *
 * @param chunk The source.
 * @param from The first byte to copy.
 * @param n How many bytes.
 * @returns The copy (see {@linkcode allocate}).
 */
export function copy(chunk: Uint8Array, from: number, n: number): Uint8Array {
  if (n > SLAB_MAX) return chunk.slice(from, from + n);
  const bytes = allocate(n);
  if (n <= 32) {
    for (let i = 0; i < n; i++) bytes[i] = chunk[from + i];
  } else {
    bytes.set(chunk.subarray(from, from + n));
  }
  return bytes;
}
