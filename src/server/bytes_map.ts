/**
 * The hash value of the embedded server: field -> bytes, with short values
 * stored as latin1 strings.
 *
 * A `Uint8Array` costs 70-110 bytes before its contents, and a small one
 * from the request parser is a view that keeps a whole 8 KiB slab alive
 * (`../protocol/_slab.ts`). A one-byte-per-char string of the same bytes
 * costs 16-32 bytes, and equal short values share one string (`toKey`
 * interns recent ones). So values up to {@linkcode PACKED_MAX} bytes are
 * kept as strings; longer ones as arrays of their own.
 *
 * `get` and `set` speak bytes (a packed value comes back as a fresh copy);
 * iteration yields the stored forms, `string | Uint8Array`, so writers such
 * as HGETALL and snapshots can copy packed values straight out (see
 * {@linkcode valueBytes} and `./bulk_framer.ts`). It keeps the O(1) random
 * picks of {@linkcode RandomMap}.
 *
 * @module
 */

import type { ReplyWriter } from "../protocol/reply_writer.ts";
import { fromKey, toKey } from "./args.ts";
import { RandomMap } from "./random_access.ts";

/** Values up to this many bytes are stored as latin1 strings. */
export const PACKED_MAX = 256;

/** The stored form of `value`: a string when short, else an array that owns its buffer. */
function pack(value: Uint8Array): string | Uint8Array {
  if (value.length <= PACKED_MAX) return toKey(value);
  // A view of a shared buffer would keep all of it alive.
  return value.byteLength === value.buffer.byteLength ? value : value.slice();
}

/**
 * The bytes of a value as the map stores it (what its iterators yield): a
 * fresh copy of a packed string, or the array itself.
 */
export function valueBytes(stored: string | Uint8Array): Uint8Array {
  return typeof stored === "string" ? fromKey(stored) : stored;
}

/**
 * Writes a stored value as a bulk string. A short ASCII string goes to
 * `reply.bulk` as it is (its encoder writes ASCII by hand); other packed
 * values are copied to bytes first (latin1 is not UTF-8).
 */
export function writeStored(reply: ReplyWriter, stored: string | Uint8Array): void {
  if (typeof stored === "string" && stored.length <= 64) {
    let ascii = true;
    for (let i = 0; i < stored.length && ascii; i++) ascii = stored.charCodeAt(i) < 128;
    if (ascii) return reply.bulk(stored);
  }
  reply.bulk(valueBytes(stored));
}

/**
 * A map of binary-string fields to byte values, compact for short values.
 *
 * @example Store and read a field
 * ```ts
 * import { BytesMap } from "./bytes_map.ts";
 *
 * const hash = new BytesMap([["f", new Uint8Array([1, 2])]]);
 * console.log(hash.get("f"), hash.valueLength("f")); // Uint8Array(2) [1, 2] 2
 * ```
 */
export class BytesMap extends RandomMap<string | Uint8Array> {
  /** @param entries Initial fields and values. */
  constructor(entries?: Iterable<readonly [string, string | Uint8Array]> | null) {
    super();
    if (entries != null) { for (const [field, value] of entries) this.set(field, value); }
  }

  /** The value of `field` (a copy when stored packed), or `undefined`. */
  override get(field: string): Uint8Array | undefined {
    const stored = super.get(field);
    return stored === undefined ? undefined : valueBytes(stored);
  }

  /** The value of `field` in stored form (a latin1 string when packed), or `undefined`. */
  getStored(field: string): string | Uint8Array | undefined {
    return super.get(field);
  }

  /** The byte length of the value of `field`, without copying it; `undefined` when missing. */
  valueLength(field: string): number | undefined {
    return super.get(field)?.length;
  }

  /**
   * Sets `field` to `value`, packed when short; a string is a value already
   * in stored form (from another map's iteration). Returns the map.
   */
  override set(field: string, value: string | Uint8Array): this {
    return super.set(field, typeof value === "string" ? value : pack(value));
  }
}
