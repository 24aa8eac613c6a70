/**
 * Memory accounting of the embedded server: what one keyspace entry costs.
 *
 * Every entry carries `mem`, the bytes it was last accounted for, and each
 * {@linkcode Database} keeps the sum (`usedMemory`, also added to the
 * {@linkcode MemoryAccount} a server's databases share), updated incrementally
 * whenever a key is set, deleted, expired or touched (a command that mutates
 * a value in place touches it). Strings are counted exactly (a grown buffer
 * by its capacity, like an sds allocation); a collection of
 * more than `samples` elements is counted as its element count times the
 * average size of `samples` elements spread over it, like Redis's
 * `MEMORY USAGE ... SAMPLES`. A write re-accounts its collection from the
 * element count and the cached average (`memUnit`), and samples afresh one
 * write in 16 (a small collection also whenever its size changed), so
 * accounting an LPUSH or HSET stays O(1) amortized and reads no element
 * (reading one from a packed list copies it; iterating a Map allocates).
 *
 * The per-object costs below are what V8 (Deno) and JavaScriptCore (Bun)
 * spend, measured with 300k objects of each kind (heap + array buffers per
 * object): a small `Uint8Array` 75-210 B, a 10-char string 42-66 B, a
 * `Map`/`Set` slot about 32 B, a keyspace entry object about 64 B; a small
 * list element is packed (`./byte_list.ts`: its bytes plus about 6). The
 * estimates sit between the two runtimes; they describe this server's data,
 * not the process (which embeds the application too), which is what
 * `maxmemory` is meant to bound.
 *
 * @module
 */

import { SHARED_MAX } from "./byte_list.ts";
import type { Entry, StringEntry } from "./types.ts";

/** Bytes of a `Uint8Array` beyond its contents (object + backing store header). */
export const BYTES_OVERHEAD = 112;
/** Bytes of a string beyond its one-byte characters. */
export const STRING_OVERHEAD = 24;
/** Bytes of one `Map`/`Set` slot (hash table entry at its usual load). */
export const SLOT_OVERHEAD = 32;
/** Bytes of a keyspace entry object (type, value, TTL, LRU/LFU, accounting). */
export const ENTRY_OVERHEAD = 64;
/** Bytes of a collection's container object (Map, Set, Deque, SortedSet). */
export const CONTAINER_OVERHEAD = 96;
/** Bytes of a sorted set node (member, score, links) beyond its member string. */
export const ZSET_NODE_OVERHEAD = 80;
/**
 * Bytes of a list element packed in a chunk beside its contents (its 16-bit
 * boundary, chunk slack and the chunk's own share; see `./byte_list.ts`).
 */
export const PACKED_ELEMENT_OVERHEAD = 6;
/** Bytes of a list slot holding a large element as its own array (a pointer, with slack). */
export const LIST_SLOT_OVERHEAD = 12;

/** Elements sampled when a write re-accounts a large collection (`MEMORY USAGE` default too). */
export const DEFAULT_SAMPLES = 5;

// The byte length of an element, whichever form the container keeps it in
// (bytes, or a latin1 string once stored compactly); 0 for anything else.
function lengthOf(element: unknown): number {
  if (typeof element === "string") return element.length;
  if (element instanceof Uint8Array) return element.byteLength;
  return 0;
}

// A stored value: bytes cost an array's overhead, a value kept packed as a
// latin1 string (short hash values, see ./bytes_map.ts) a string's.
function valueMemory(value: unknown): number {
  if (typeof value === "string") return STRING_OVERHEAD + value.length;
  if (value instanceof Uint8Array) return BYTES_OVERHEAD + value.byteLength;
  return 0;
}

/** The accounted bytes of a server's databases, and the LRU clock they stamp on accesses. */
export interface MemoryAccount {
  /** Bytes of every entry of the databases sharing this account. */
  used: number;
  /** The LRU clock, epoch milliseconds (coarse: advanced by the server). */
  clock: number;
}

/** Writes between two fresh samples of a large collection's average element size. */
const RESAMPLE_EVERY = 16;
let writes = 0;

/**
 * The bytes to account for `entry` after a write: {@linkcode entryMemory}
 * with the default samples, except that a large collection reuses its
 * cached average element size (`memUnit`) on most writes.
 *
 * @param key The key.
 * @param entry The entry just written.
 * @returns bytes.
 */
export function accountedMemory(key: string, entry: Entry): number {
  if (entry.type === "string") return keyMemory(key) + stringMemory(entry);
  const n = entry.type === "list" ? entry.value.length : entry.value.size;
  const unit = entry.memUnit;
  if (unit !== undefined && ++writes % RESAMPLE_EVERY !== 0) {
    const base = keyMemory(key) + CONTAINER_OVERHEAD;
    // A large collection scales its average; a small one (counted exactly)
    // is recounted when its size changed, not when a value was overwritten.
    if (n > DEFAULT_SAMPLES || Math.round(((entry.mem ?? 0) - base) / unit) === n) {
      return base + Math.round(n * unit);
    }
  }
  const mem = entryMemory(key, entry);
  entry.memUnit = n === 0 ? undefined : (mem - keyMemory(key) - CONTAINER_OVERHEAD) / n;
  return mem;
}

/**
 * A string value's bytes: its capacity when it owns a grown buffer (`room`,
 * see `./string_buffer.ts`), as Redis counts an sds string's allocation.
 */
function stringMemory(entry: StringEntry): number {
  const { value, room } = entry;
  if (room === undefined) return BYTES_OVERHEAD + value.byteLength;
  return BYTES_OVERHEAD + room.byteLength + (value.buffer === room.buffer ? 0 : value.byteLength);
}

/** What a stored key costs beside its value: the key string, its slot and the entry. */
export function keyMemory(key: string): number {
  return STRING_OVERHEAD + key.length + SLOT_OVERHEAD + ENTRY_OVERHEAD;
}

/**
 * The estimated bytes `entry` stored under `key` costs, key included.
 *
 * @param key The key (a latin1 binary string).
 * @param entry The entry.
 * @param samples Collections with more elements are estimated from this many
 *   elements spread over them; `0` counts every element (`MEMORY USAGE
 *   SAMPLES 0`).
 * @returns bytes.
 *
 * @example A string value
 * ```ts
 * import { entryMemory } from "./memory.ts";
 *
 * const entry = { type: "string" as const, value: new Uint8Array(100), expiresAt: 0 };
 * console.log(entryMemory("k", entry) > 100); // true
 * ```
 */
export function entryMemory(key: string, entry: Entry, samples = DEFAULT_SAMPLES): number {
  const base = keyMemory(key);
  switch (entry.type) {
    case "string":
      return base + stringMemory(entry);
    case "list": {
      const list = entry.value;
      const n = list.length;
      if (n === 0) return base + CONTAINER_OVERHEAD;
      const take = samples <= 0 || samples >= n ? n : samples;
      // Spread the sample over the list: pushes at either end are both seen.
      const step = n / take;
      let sum = 0;
      for (let i = 0; i < take; i++) {
        // Small elements are packed into chunks; larger ones stay arrays of their own.
        const length = lengthOf(list.at(Math.floor(i * step)));
        sum += length <= SHARED_MAX
          ? PACKED_ELEMENT_OVERHEAD + length
          : LIST_SLOT_OVERHEAD + BYTES_OVERHEAD + length;
      }
      return base + CONTAINER_OVERHEAD + Math.round((n * sum) / take);
    }
    case "hash": {
      const hash = entry.value;
      const n = hash.size;
      const take = samples <= 0 || samples >= n ? n : samples;
      let sum = 0;
      // Separate key/value iterators: no [field, value] pair per element.
      const fields = hash.keys();
      const values = hash.values();
      for (let i = 0; i < take; i++) {
        sum += lengthOf(fields.next().value) + valueMemory(values.next().value);
      }
      const each = SLOT_OVERHEAD + STRING_OVERHEAD;
      return base + CONTAINER_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
    }
    case "set": {
      const set = entry.value;
      const n = set.size;
      const take = samples <= 0 || samples >= n ? n : samples;
      let sum = 0;
      const members = set.values();
      for (let i = 0; i < take; i++) sum += lengthOf(members.next().value);
      const each = SLOT_OVERHEAD + STRING_OVERHEAD;
      return base + CONTAINER_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
    }
    case "zset": {
      const zset = entry.value;
      const n = zset.size;
      const take = samples <= 0 || samples >= n ? n : samples;
      const step = n / Math.max(1, take);
      let sum = 0;
      for (let i = 0; i < take; i++) sum += lengthOf(zset.at(Math.floor(i * step))?.[0]);
      const each = SLOT_OVERHEAD + STRING_OVERHEAD + ZSET_NODE_OVERHEAD;
      return base + CONTAINER_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
    }
  }
}

/**
 * Formats bytes like Redis's `bytesToHuman` (`used_memory_human`): `512B`,
 * `1.50K`, `953.67M`...
 *
 * @param bytes A byte count.
 * @returns the human-readable text.
 */
export function bytesToHuman(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ["K", "M", "G", "T", "P"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
}
