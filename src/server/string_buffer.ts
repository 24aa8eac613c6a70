/**
 * In-place growth for string values modified by offset (SETBIT, SETRANGE,
 * APPEND), like Redis's sds strings.
 *
 * A stored string is normally immutable: `SET` stores the request argument's
 * bytes without copying, and COPY, SORT ... STORE and friends may share them.
 * The first modification by offset therefore copies the value into a buffer
 * the entry owns ({@linkcode StringEntry.room}), with spare capacity by
 * Redis's greedy rule (`sdsMakeRoomFor`: double below 1 MiB, then add 1 MiB);
 * later modifications write into that buffer and grow within it, so 200
 * SETBITs on a 100 MB string cost 200 byte writes rather than 200 copies of
 * 100 MB (20 GB of allocation before this module).
 *
 * Readers never see a half-made change: commands run one at a time, and
 * whatever keeps bytes past a command (a reply, a snapshot, a DUMP payload)
 * copies them while encoding. Code that keeps `entry.value` itself (COPY's
 * clone) must copy an owned value: see {@linkcode ownedBytes}.
 *
 * @module
 */

import type { StringEntry } from "./types.ts";

/** Redis's `SDS_MAX_PREALLOC`: below it growth doubles, above it adds this much. */
export const MAX_PREALLOC: number = 1024 * 1024;

/**
 * The capacity Redis's greedy `sdsMakeRoomFor` gives a string that must hold
 * `length` bytes: twice that below 1 MiB, else 1 MiB more; never more than
 * `limit` (the longest string allowed) unless `length` itself is.
 *
 * @param length The bytes needed.
 * @param limit The maximum string length (`proto-max-bulk-len`).
 * @returns The capacity to allocate, at least `length`.
 *
 * @example Doubling, then 1 MiB steps
 * ```ts
 * import { greedyCapacity } from "./string_buffer.ts";
 *
 * console.log(greedyCapacity(100, 1 << 29)); // 200
 * console.log(greedyCapacity(3 << 20, 1 << 29)); // 4194304
 * ```
 */
export function greedyCapacity(length: number, limit: number): number {
  const greedy = length < MAX_PREALLOC ? length * 2 : length + MAX_PREALLOC;
  return Math.max(length, Math.min(greedy, limit));
}

/**
 * True when `entry` owns its bytes: `value` is a prefix view of `room`, so
 * they may be written in place.
 *
 * @param entry A string entry.
 * @returns Whether `entry.value` may be modified in place.
 */
export function ownsBytes(entry: StringEntry): boolean {
  const room = entry.room;
  return room !== undefined && entry.value.buffer === room.buffer &&
    entry.value.byteOffset === room.byteOffset && entry.value.length <= room.length;
}

/**
 * The bytes of `entry` to keep beyond the current command: the value itself
 * when it is immutable, a copy when the entry owns it (a later SETBIT would
 * change it under the holder).
 *
 * @param entry A string entry.
 * @returns Bytes that no later command modifies.
 */
export function ownedBytes(entry: StringEntry): Uint8Array {
  return ownsBytes(entry) ? entry.value.slice() : entry.value;
}

/**
 * Makes `entry`'s value writable in place and at least `length` bytes long
 * (new bytes are zero), growing greedily; the first call on a value the entry
 * does not own copies it once.
 *
 * @param entry The string entry to modify (already stored).
 * @param length The length the value must reach; shorter values are zero-padded.
 * @param limit The maximum string length (`proto-max-bulk-len`); the caller
 *   has checked `length` against it.
 * @returns `entry.value`, now writable.
 *
 * @example Grow a value, then set a byte in place
 * ```ts
 * import { writableBytes } from "./string_buffer.ts";
 * import type { StringEntry } from "./types.ts";
 *
 * const entry: StringEntry = { type: "string", value: new Uint8Array([1]), expiresAt: 0 };
 * writableBytes(entry, 4, 1 << 29)[3] = 7;
 * console.log(entry.value); // Uint8Array(4) [ 1, 0, 0, 7 ]
 * ```
 */
export function writableBytes(entry: StringEntry, length: number, limit: number): Uint8Array {
  const value = entry.value;
  const oldLength = value.length;
  const newLength = Math.max(length, oldLength);
  if (ownsBytes(entry)) {
    const room = entry.room!;
    if (newLength <= room.length) {
      // Bytes past the old end may hold a discarded tail: clear what we expose.
      if (newLength > oldLength) room.fill(0, oldLength, newLength);
      if (newLength !== oldLength) entry.value = room.subarray(0, newLength);
      return entry.value;
    }
  }
  // A first write copies at the exact size (like dbUnshareStringValue); growth is greedy.
  const capacity = newLength > oldLength ? greedyCapacity(newLength, limit) : newLength;
  const room = new Uint8Array(capacity);
  room.set(value);
  entry.room = room;
  entry.value = room.subarray(0, newLength);
  return entry.value;
}
