/**
 * The longest common subsequence of two byte strings (the LCS command), by
 * the dynamic-programming table Redis uses, with Redis's memory guard and a
 * compact table.
 *
 * Redis refuses when the table it would allocate, `(|a| + 1) * (|b| + 1)`
 * 32-bit cells, exceeds `proto-max-bulk-len`. Under that limit the table here
 * uses the narrowest cell that can hold the answer (a cell never exceeds
 * `min(|a|, |b|)`): 1 byte below 256, 2 below 65536, else 4. A length-only
 * query keeps two rows instead of the table.
 *
 * @module
 */

/** The filled table, row-major, `(|a| + 1)` rows of `(|b| + 1)` cells. */
export type LcsTable = Uint8Array | Uint16Array | Uint32Array;

/**
 * Whether Redis would refuse `LCS` on strings of these lengths: its table of
 * 4-byte cells would exceed `limit` (`proto-max-bulk-len`).
 *
 * @param aLength The first string's length.
 * @param bLength The second string's length.
 * @param limit `proto-max-bulk-len` in bytes.
 * @returns True when Redis replies "Insufficient memory, transient memory
 *   for LCS exceeds proto-max-bulk-len".
 */
export function lcsTooBig(aLength: number, bLength: number, limit: number): boolean {
  return (aLength + 1) * (bLength + 1) * 4 > limit;
}

function tableFor(cells: number, maxValue: number): LcsTable {
  if (maxValue < 0x100) return new Uint8Array(cells);
  if (maxValue < 0x10000) return new Uint16Array(cells);
  return new Uint32Array(cells);
}

/**
 * Fills the LCS table of `a` and `b`: cell `i * (|b| + 1) + j` is the LCS
 * length of `a[0..i)` and `b[0..j)`. Check {@linkcode lcsTooBig} first.
 *
 * @param a The first string.
 * @param b The second string.
 * @returns The table; its last cell is the LCS length.
 *
 * @example The table's last cell is the length
 * ```ts
 * import { lcsTable } from "./lcs.ts";
 *
 * const a = new TextEncoder().encode("ohmytext");
 * const b = new TextEncoder().encode("mynewtext");
 * const table = lcsTable(a, b);
 * console.log(table[table.length - 1]); // 6
 * ```
 */
export function lcsTable(a: Uint8Array, b: Uint8Array): LcsTable {
  const width = b.length + 1;
  const table = tableFor((a.length + 1) * width, Math.min(a.length, b.length));
  for (let i = 1; i <= a.length; i++) {
    const row = i * width;
    const above = row - width;
    const byte = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      if (byte === b[j - 1]) table[row + j] = table[above + j - 1] + 1;
      else {
        const up = table[above + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  return table;
}

/**
 * The LCS length of `a` and `b`, in memory linear in the shorter one (two
 * rows; the length is symmetric, so the longer string drives the outer loop).
 *
 * @param a The first string.
 * @param b The second string.
 * @returns The length of their longest common subsequence.
 *
 * @example
 * ```ts
 * import { lcsLength } from "./lcs.ts";
 *
 * const text = new TextEncoder();
 * console.log(lcsLength(text.encode("ohmytext"), text.encode("mynewtext"))); // 6
 * ```
 */
export function lcsLength(a: Uint8Array, b: Uint8Array): number {
  if (b.length > a.length) [a, b] = [b, a];
  const maxValue = Math.min(a.length, b.length);
  let previous = tableFor(b.length + 1, maxValue);
  let current = tableFor(b.length + 1, maxValue);
  for (let i = 1; i <= a.length; i++) {
    const byte = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      if (byte === b[j - 1]) current[j] = previous[j - 1] + 1;
      else {
        const up = previous[j];
        const left = current[j - 1];
        current[j] = up > left ? up : left;
      }
    }
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[b.length];
}
