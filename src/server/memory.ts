/**
 * Memory accounting of the embedded server: what one keyspace entry costs.
 *
 * Every entry carries `mem`, the bytes it was last accounted for, and each
 * {@linkcode Database} keeps the sum (`usedMemory`, also added to the
 * {@linkcode MemoryAccount} a server's databases share), updated incrementally
 * whenever a key is set, deleted, expired or touched (a command that mutates
 * a value in place touches it).
 *
 * Each value is estimated from the layout it is stored in:
 * - a string: its bytes (a grown buffer by its capacity, like an sds
 *   allocation) plus an array's overhead;
 * - a list (`./byte_list.ts`): counted from the structure, exactly and in
 *   O(1): its chunks (object, boundary array, byte buffer capacity) and its
 *   large elements, which the list keeps counts of;
 * - a hash, set or sorted set: a container's fixed cost plus, per element,
 *   a slot and the strings it keeps (a hash value in the form it is stored,
 *   see `./bytes_map.ts`), and a random-pick index slot once a pick built one
 *   (`./random_access.ts`). A collection of more than `samples` elements is
 *   counted as its element count times the average size of `samples`
 *   elements spread over it, like Redis's `MEMORY USAGE ... SAMPLES`.
 *
 * A write re-accounts a hash, set or sorted set from its element count and
 * the cached average (`memUnit`), and samples afresh one write in 16 (a
 * small collection also whenever its size changed), so accounting an HSET
 * stays O(1) amortized and reads no element (iterating a Map allocates). A
 * random-pick index built by a read (SRANDMEMBER, HRANDFIELD) is counted
 * from the next write that samples.
 *
 * The estimates describe this server's data, not the process (which embeds
 * the application too), which is what `maxmemory` is meant to bound.
 *
 * @module
 */

import type { ByteList } from "./byte_list.ts";
import type { Entry, StringEntry } from "./types.ts";

// --- Measured costs -----------------------------------------------------------
// Every constant below is the live heap of one object or element, measured
// with `bench/server_memory.ts` (heap after a full collection; Deno 2.9.6 /
// V8 15.0 with --expose-gc, Bun 1.4.5 / JavaScriptCore with Bun.gc(true);
// x86_64, December 2026). The two runtimes differ by up to 2x (JSC's small
// Maps cost more, V8's typed arrays more); each constant sits between them,
// so accounted memory is within 0.6x-1.6x of either runtime's heap (see
// `tests/server_memory_accounting_test.ts` and the table in `bench/`).

/**
 * Bytes of a `Uint8Array` that owns its buffer, beyond its contents (object,
 * buffer and backing store). 1000-byte list elements and hash values: Deno
 * 215 and 187, Bun 210 and 185; a 10-byte string value Deno ~220, Bun ~100.
 */
export const BYTES_OVERHEAD = 160;
/** Bytes of a one-byte string beyond its characters (V8 16-24, JSC 24-32). */
export const STRING_OVERHEAD = 24;
/**
 * Bytes of one `Map`/`Set` slot at its usual load. Sets of 500k 10-byte
 * members: Deno 53, Bun 68 per member with the string; hashes of 500k
 * 8-byte fields with 7-byte values: Deno 78, Bun 102 per field.
 */
export const SLOT_OVERHEAD = 32;
/** Bytes of a keyspace entry object (type, value, TTL, LRU/LFU, accounting). */
export const ENTRY_OVERHEAD = 64;
/**
 * Bytes of a hash's fixed parts (the `BytesMap` and its table), from the
 * intercept of 20k hashes of 1, 5 and 20 fields: Deno ~320, Bun ~480 per key
 * (entry included).
 */
export const HASH_OVERHEAD = 350;
/** Bytes of a set's fixed parts (`RandomSet`): Deno ~300, Bun ~470 per key (as above). */
export const SET_OVERHEAD = 300;
/**
 * Bytes of a sorted set's fixed parts (`SortedSet`, the B+tree of
 * `./sorted_set.ts`: its Map and a first leaf): Deno ~770, Bun ~890 per key
 * with one member (entry included).
 */
export const ZSET_OVERHEAD = 600;
/**
 * Bytes of a sorted set member beyond its string and its Map slot: its
 * score and share of a B+tree leaf. 500k 10-byte members: Deno 87, Bun 111
 * per member in all.
 */
export const ZSET_NODE_OVERHEAD = 30;
/**
 * Bytes of a list's fixed parts (`ByteList` and its chunk deque): 20k lists
 * of one element cost Deno 1176, Bun 968 per key, one chunk included.
 */
export const LIST_OVERHEAD = 300;
/**
 * Bytes of one list chunk beyond its byte buffer's capacity: the `Chunk`, its
 * 129-entry `Uint16Array` of boundaries (258 bytes) and two typed arrays'
 * overhead. 1M empty elements (7813 chunks of 0 bytes): Deno 768, Bun 538.
 */
export const CHUNK_OVERHEAD = 650;
/**
 * Bytes of a list element longer than `SHARED_MAX` kept as an array of its
 * own, beyond its contents: the array and its slot in its chunk.
 */
export const LARGE_ELEMENT_OVERHEAD = BYTES_OVERHEAD + 8;
/**
 * Bytes per element of the random-pick index a set or hash builds on its
 * first random pick (a dense array slot and a position Map entry): 500k
 * members, Deno +38, Bun +65.
 */
export const INDEX_OVERHEAD = 50;

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

/**
 * A list's bytes, counted from its layout in O(1): chunks, their buffers'
 * capacity and the large elements (the list keeps these counts).
 */
export function listMemory(list: ByteList): number {
  return LIST_OVERHEAD + list.chunkCount * CHUNK_OVERHEAD + list.chunkBytes +
    list.largeCount * LARGE_ELEMENT_OVERHEAD + list.largeBytes;
}

// The fixed bytes of a hash, set or sorted set container.
function containerMemory(type: "hash" | "set" | "zset"): number {
  return type === "hash" ? HASH_OVERHEAD : type === "set" ? SET_OVERHEAD : ZSET_OVERHEAD;
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
  if (entry.type === "list") return keyMemory(key) + listMemory(entry.value);
  const n = entry.value.size;
  const unit = entry.memUnit;
  const base = keyMemory(key) + containerMemory(entry.type);
  if (unit !== undefined && ++writes % RESAMPLE_EVERY !== 0) {
    // A large collection scales its average; a small one (counted exactly)
    // is recounted when its size changed, not when a value was overwritten.
    if (n > DEFAULT_SAMPLES || Math.round(((entry.mem ?? 0) - base) / unit) === n) {
      return base + Math.round(n * unit);
    }
  }
  const mem = entryMemory(key, entry);
  entry.memUnit = n === 0 ? undefined : (mem - base) / n;
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
    case "list":
      return base + listMemory(entry.value);
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
      const each = SLOT_OVERHEAD + STRING_OVERHEAD + (hash.indexed ? INDEX_OVERHEAD : 0);
      return base + HASH_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
    }
    case "set": {
      const set = entry.value;
      const n = set.size;
      const take = samples <= 0 || samples >= n ? n : samples;
      let sum = 0;
      const members = set.values();
      for (let i = 0; i < take; i++) sum += lengthOf(members.next().value);
      const each = SLOT_OVERHEAD + STRING_OVERHEAD + (set.indexed ? INDEX_OVERHEAD : 0);
      return base + SET_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
    }
    case "zset": {
      const zset = entry.value;
      const n = zset.size;
      const take = samples <= 0 || samples >= n ? n : samples;
      const step = n / Math.max(1, take);
      let sum = 0;
      for (let i = 0; i < take; i++) sum += lengthOf(zset.at(Math.floor(i * step))?.[0]);
      const each = SLOT_OVERHEAD + STRING_OVERHEAD + ZSET_NODE_OVERHEAD;
      return base + ZSET_OVERHEAD + (take === 0 ? 0 : Math.round(n * (each + sum / take)));
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
