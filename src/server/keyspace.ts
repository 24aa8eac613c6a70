/**
 * One logical database of the embedded server: a map of binary-string keys to
 * entries, with lazy expiry on read, an active expiry sweep by sampling,
 * WATCH bookkeeping and the hook that wakes blocked clients.
 *
 * @module
 */

import { ByteList } from "./byte_list.ts";
import { ownedBytes } from "./string_buffer.ts";
import { accountedMemory, type MemoryAccount } from "./memory.ts";
import { BytesMap } from "./bytes_map.ts";
import { RandomSet, SlottedMap } from "./random_access.ts";
import { SortedSet } from "./sorted_set.ts";
import type {
  Entry,
  HashEntry,
  ListEntry,
  SetEntry,
  StringEntry,
  ValueType,
  ZSetEntry,
} from "./types.ts";

/** Something that watches keys (a client's transaction state). */
export interface Watcher {
  /** Set to true when a watched key changes. */
  dirty: boolean;
}

// Entries are born with every field Database sets (lru, mem): one object
// shape, and no property storage added on insert.

/** A new string entry without TTL. */
export function stringEntry(value: Uint8Array): StringEntry {
  return { type: "string", value, expiresAt: 0, lru: 0, mem: 0 };
}

/** A new, empty hash entry. */
export function hashEntry(value: BytesMap = new BytesMap()): HashEntry {
  return { type: "hash", value, expiresAt: 0, lru: 0, mem: 0 };
}

/** A new, empty list entry. */
export function listEntry(value: ByteList = new ByteList()): ListEntry {
  return { type: "list", value, expiresAt: 0, lru: 0, mem: 0 };
}

/** A new, empty set entry. */
export function setEntry(value: RandomSet = new RandomSet()): SetEntry {
  return { type: "set", value, expiresAt: 0, lru: 0, mem: 0 };
}

/** A new, empty sorted set entry. */
export function zsetEntry(value: SortedSet = new SortedSet()): ZSetEntry {
  return { type: "zset", value, expiresAt: 0, lru: 0, mem: 0 };
}

/** A deep copy of `entry` (COPY, RESTORE), TTL included. */
export function cloneEntry(entry: Entry): Entry {
  switch (entry.type) {
    case "string":
      // An owned value is edited in place later (string_buffer.ts): the copy gets its own bytes.
      return { type: "string", value: ownedBytes(entry), expiresAt: entry.expiresAt };
    case "hash":
      return { type: "hash", value: new BytesMap(entry.value), expiresAt: entry.expiresAt };
    case "list":
      return { type: "list", value: ByteList.from(entry.value), expiresAt: entry.expiresAt };
    case "set":
      return { type: "set", value: new RandomSet(entry.value), expiresAt: entry.expiresAt };
    case "zset":
      return { type: "zset", value: entry.value.clone(), expiresAt: entry.expiresAt };
  }
}

/** The number of elements of a container entry (1 for strings). */
export function entrySize(entry: Entry): number {
  switch (entry.type) {
    case "string":
      return 1;
    case "list":
      return entry.value.length;
    default:
      return entry.value.size;
  }
}

/** The LFU counter of a new key (Redis's `LFU_INIT_VAL`). */
export const LFU_INIT_VAL = 5;

/** How LFU counters grow and decay (Redis's `lfu-log-factor`, `lfu-decay-time`). */
export interface LfuSettings {
  /** Higher values make the counter grow more slowly (Redis default 10). */
  logFactor: number;
  /** Minutes per decrement of an idle key's counter; 0 never decays (Redis default 1). */
  decayTime: number;
}

interface ScanState {
  iterator: Iterator<string>;
  position: number;
}

const SCAN_CACHE_LIMIT = 256;

/**
 * A database: keys are latin1 binary strings (one char per byte).
 *
 * @example Store and read a value
 * ```ts
 * import { Database, stringEntry } from "./keyspace.ts";
 *
 * const db = new Database(0);
 * db.set("k", stringEntry(new TextEncoder().encode("v")));
 * console.log(db.get("k")?.type); // "string"
 * ```
 */
export class Database {
  /** The index (`SELECT n`). */
  readonly index: number;
  /** Writes since the server last saved (summed by the server). */
  changes = 0;
  /** key -> watchers (WATCH). Managed by the server. */
  readonly watchers: Map<string, Set<Watcher>> = new Map();
  /** key -> blocked clients in FIFO order. Managed by the server. */
  readonly blocked: Map<string, Set<object>> = new Map();
  /** Called when a key with blocked clients is touched. Set by the server. */
  onKeyReady: ((db: Database, key: string) => void) | null = null;
  /** Returns the current time in Unix epoch milliseconds (injectable for tests). */
  now: () => number = Date.now;
  /**
   * LFU settings while an LFU maxmemory-policy is selected (set by CONFIG
   * SET); `null` tracks nothing. When set, every {@linkcode Database.get}
   * counts an access the way Redis's `updateLFU` does.
   */
  lfu: LfuSettings | null = null;
  /**
   * Bytes accounted for this database's entries (keys included), kept
   * incrementally on every set, delete, expiry and touch (see `./memory.ts`).
   */
  usedMemory = 0;
  /**
   * The account this database adds its bytes to, shared by a server's
   * databases (see {@linkcode Database.shareMemory}), and its LRU clock:
   * epoch milliseconds stamped on entries when accessed, advanced by the
   * server's cron (every 100 ms) and before evictions, so an access costs a
   * store, not a clock read.
   */
  memory: MemoryAccount = { used: 0, clock: Date.now() };

  // O(1) random keys (RANDOMKEY, eviction sampling) without changing iteration order.
  readonly #map = new SlottedMap<Entry>();
  #volatile: string[] = [];
  readonly #volatileIndex = new Map<string, number>();
  readonly #scans = new Map<number, ScanState>();
  #scanId = 0;

  /** @param index The database index. */
  constructor(index: number) {
    this.index = index;
  }

  /** The number of keys, expired-but-not-yet-deleted ones included. */
  get size(): number {
    return this.#map.size;
  }

  /** The number of keys with a TTL. */
  get volatileSize(): number {
    return this.#volatile.length;
  }

  /**
   * The entry under `key`, or `undefined`; an expired key is deleted first.
   * Counts as an access of the key (LFU), like Redis's `lookupKey`.
   */
  get(key: string): Entry | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.now()) {
      this.#expire(key);
      return undefined;
    }
    if (this.lfu !== null) this.#countAccess(entry, this.lfu);
    else entry.lru = this.memory.clock;
    return entry;
  }

  /**
   * Like {@linkcode Database.get} but not counted as an access (Redis's
   * `LOOKUP_NOTOUCH`: EXISTS, TYPE, TTL, OBJECT, SCAN's TYPE filter).
   */
  peek(key: string): Entry | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.now()) {
      this.#expire(key);
      return undefined;
    }
    return entry;
  }

  /** True when `key` exists (and is not expired). Not an access. */
  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** The type of `key`, or `undefined` when missing. Not an access. */
  typeOf(key: string): ValueType | undefined {
    return this.peek(key)?.type;
  }

  /**
   * The LFU counter of `entry` after decay, as OBJECT FREQ reports it
   * (Redis's `LFUDecrAndReturn`); does not count an access.
   */
  lfuCounter(entry: Entry): number {
    const packed = entry.lfu;
    if (packed === undefined) return LFU_INIT_VAL;
    const counter = packed % 256;
    const decayTime = this.lfu?.decayTime ?? 1;
    if (decayTime <= 0) return counter;
    const elapsed = Math.floor(this.now() / 60_000) - Math.floor(packed / 256);
    const periods = Math.floor(elapsed / decayTime);
    return periods <= 0 ? counter : periods > counter ? 0 : counter - periods;
  }

  // Redis's updateLFU: decay, then a logarithmic increment (LFULogIncr).
  #countAccess(entry: Entry, settings: LfuSettings): void {
    let counter = this.lfuCounter(entry);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT_VAL);
      if (Math.random() < 1 / (base * settings.logFactor + 1)) counter++;
    }
    entry.lfu = Math.floor(this.now() / 60_000) * 256 + counter;
  }

  /**
   * Stores `entry` under `key`, replacing any previous value; the TTL is the
   * entry's `expiresAt`. Touches the key.
   */
  set(key: string, entry: Entry): void {
    const old = this.#map.get(key);
    if (this.lfu !== null && entry.lfu === undefined) {
      // A new value keeps the counter of the value it overwrites (dbOverwrite).
      const now = this.now();
      entry.lfu = old !== undefined && old.lfu !== undefined &&
          (old.expiresAt === 0 || old.expiresAt > now)
        ? old.lfu
        : Math.floor(now / 60_000) * 256 + LFU_INIT_VAL;
    }
    entry.lru = this.memory.clock;
    const mem = accountedMemory(key, entry);
    this.#addMemory(old === undefined ? mem : mem - (old.mem ?? 0));
    entry.mem = mem;
    this.#map.set(key, entry);
    if (entry.expiresAt !== 0) {
      if (old === undefined || old.expiresAt === 0) this.#addVolatile(key);
    } else if (old !== undefined && old.expiresAt !== 0) {
      this.#removeVolatile(key);
    }
    this.#signal(key);
  }

  /** Deletes `key`; returns true when it existed (and was not expired). Touches it. */
  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (entry === undefined) return false;
    this.#map.delete(key);
    this.#addMemory(-(entry.mem ?? 0));
    if (entry.expiresAt !== 0) {
      this.#removeVolatile(key);
      if (entry.expiresAt <= this.now()) {
        this.#signal(key);
        return false;
      }
    }
    this.#signal(key);
    return true;
  }

  /**
   * Records a write to `key`: invalidates WATCH and wakes blocked clients.
   * Call it after mutating a stored value in place: it also re-accounts the
   * entry's memory (sampled for large collections, see `./memory.ts`).
   */
  touch(key: string): void {
    const entry = this.#map.get(key);
    if (entry !== undefined) {
      const mem = accountedMemory(key, entry);
      this.#addMemory(mem - (entry.mem ?? 0));
      entry.mem = mem;
    }
    this.#signal(key);
  }

  #addMemory(bytes: number): void {
    this.usedMemory += bytes;
    this.memory.used += bytes;
  }

  /**
   * Makes this database add its bytes to `memory`, the account (and LRU
   * clock) shared by a server's databases; what it holds moves along.
   */
  shareMemory(memory: MemoryAccount): void {
    this.memory.used -= this.usedMemory;
    memory.used += this.usedMemory;
    this.memory = memory;
  }

  // Invalidates WATCH and wakes blocked clients (touch without re-accounting).
  #signal(key: string): void {
    this.changes++;
    if (this.watchers.size !== 0) {
      const watchers = this.watchers.get(key);
      if (watchers !== undefined) { for (const watcher of watchers) watcher.dirty = true; }
    }
    if (this.blocked.size !== 0 && this.blocked.has(key) && this.onKeyReady !== null) {
      this.onKeyReady(this, key);
    }
  }

  /**
   * Sets the absolute expiry of an existing key (`0` removes it, like
   * PERSIST). Does not touch: the caller decides (EXPIRE touches, GETEX too).
   */
  setExpiry(key: string, expiresAt: number): void {
    const entry = this.#map.get(key);
    if (entry === undefined) return;
    if (expiresAt !== 0 && entry.expiresAt === 0) this.#addVolatile(key);
    else if (expiresAt === 0 && entry.expiresAt !== 0) this.#removeVolatile(key);
    entry.expiresAt = expiresAt;
  }

  /** Moves the entry under `from` (TTL included) to `to`, replacing `to`. */
  rename(from: string, to: string): boolean {
    const entry = this.get(from);
    if (entry === undefined) return false;
    if (from === to) return true;
    this.delete(from);
    this.set(to, entry);
    return true;
  }

  /** Deletes every key; returns how many there were. Touches watched keys that existed. */
  clear(): number {
    const count = this.#map.size;
    for (const key of this.watchers.keys()) {
      if (this.#map.has(key)) this.#signal(key);
    }
    this.#map.clear();
    this.#addMemory(-this.usedMemory);
    this.#volatile = [];
    this.#volatileIndex.clear();
    this.#scans.clear();
    this.changes += count;
    return count;
  }

  /** Iterates live keys (expired keys met on the way are deleted). */
  *keys(): IterableIterator<string> {
    const now = this.now();
    for (const [key, entry] of this.#map) {
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
        this.#expire(key);
        continue;
      }
      yield key;
    }
  }

  /** Iterates `[key, entry]` without expiring anything (persistence, DEBUG). */
  rawEntries(): IterableIterator<[string, Entry]> {
    return this.#map.entries();
  }

  /**
   * A uniformly random live key in O(1), or `undefined` when the database is
   * empty. Like Redis's `dbRandomKey` on a master, an expired key that is
   * picked is deleted and another is picked, so the loop ends: each retry
   * removes a key. Not an access.
   */
  randomKey(): string | undefined {
    const now = this.now();
    while (this.#map.size > 0) {
      const key = this.#map.randomKey();
      const entry = this.#map.get(key)!;
      if (entry.expiresAt === 0 || entry.expiresAt > now) return key;
      this.#expire(key);
    }
    return undefined;
  }

  /**
   * One SCAN step: up to about `count` keys from `cursor` on. Keys present
   * for the whole scan are returned at least once (a live Map iterator is kept
   * for each cursor handed out).
   *
   * @returns the next cursor (0 when done) and the keys.
   */
  scan(cursor: number, count: number): [number, string[]] {
    let state = this.#scans.get(cursor);
    if (state !== undefined) {
      this.#scans.delete(cursor);
    } else {
      const iterator = this.#map.keys();
      let position = 0;
      const target = Math.floor(cursor / 1024);
      while (position < target) {
        if (iterator.next().done) break;
        position++;
      }
      state = { iterator, position };
    }
    const keys: string[] = [];
    const now = this.now();
    while (keys.length < count) {
      const next = state.iterator.next();
      if (next.done) return [0, keys];
      state.position++;
      const entry = this.#map.get(next.value);
      if (entry === undefined) continue;
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
        this.#expire(next.value);
        continue;
      }
      keys.push(next.value);
    }
    if (state.position >= this.#map.size) {
      // Peek: nothing left means the scan is complete.
      const next = state.iterator.next();
      if (next.done) return [0, keys];
      state.iterator = prepend(next.value, state.iterator);
    }
    const id = this.#nextScanCursor(state.position);
    this.#scans.set(id, state);
    if (this.#scans.size > SCAN_CACHE_LIMIT) {
      this.#scans.delete(this.#scans.keys().next().value!);
    }
    return [id, keys];
  }

  #nextScanCursor(position: number): number {
    // Cursors encode the position (so an evicted cursor still resumes close
    // to where it was) and a tag that keeps concurrent scans apart.
    this.#scanId = (this.#scanId + 1) & 1023;
    let id = position * 1024 + this.#scanId;
    while (this.#scans.has(id) || id === 0) id += 1024;
    return id;
  }

  /**
   * Deletes expired keys by sampling (Redis's active expire cycle): samples up
   * to 20 volatile keys, repeats while more than a quarter were expired,
   * within `budgetMs`.
   *
   * @returns how many keys were deleted.
   */
  activeExpire(budgetMs = 1): number {
    if (this.#volatile.length === 0) return 0;
    const start = this.now();
    let deleted = 0;
    for (let round = 0; round < 1000; round++) {
      const sample = Math.min(20, this.#volatile.length);
      if (sample === 0) break;
      const now = this.now();
      let expired = 0;
      for (let i = 0; i < sample && this.#volatile.length > 0; i++) {
        const key = this.#volatile[Math.floor(Math.random() * this.#volatile.length)];
        const entry = this.#map.get(key);
        if (entry !== undefined && entry.expiresAt !== 0 && entry.expiresAt <= now) {
          this.#expire(key);
          expired++;
        }
      }
      deleted += expired;
      if (expired * 4 <= sample || this.now() - start >= budgetMs) break;
    }
    return deleted;
  }

  #expire(key: string): void {
    const entry = this.#map.get(key);
    if (entry === undefined) return;
    this.#map.delete(key);
    this.#addMemory(-(entry.mem ?? 0));
    this.#removeVolatile(key);
    this.#signal(key);
  }

  /**
   * Up to `count` keys picked uniformly at random (with repetition), for
   * eviction sampling; from the keys with a TTL only when `volatileOnly`.
   * Expired keys met by the pick are deleted. O(count). When `count` covers
   * every candidate, they are all returned, once each (like Redis's
   * `dictGetSomeKeys` on a small dictionary).
   */
  sampleKeys(count: number, volatileOnly: boolean): string[] {
    if (volatileOnly && count >= this.#volatile.length) return [...this.#volatile];
    if (!volatileOnly && count >= this.#map.size) return [...this.#map.keys()];
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = volatileOnly ? this.randomVolatileKey() : this.randomKey();
      if (key === undefined) break;
      keys.push(key);
    }
    return keys;
  }

  /** A uniformly random key with a TTL (possibly expired), or `undefined`. O(1). */
  randomVolatileKey(): string | undefined {
    const volatile = this.#volatile;
    return volatile.length === 0
      ? undefined
      : volatile[Math.floor(Math.random() * volatile.length)];
  }

  #addVolatile(key: string): void {
    if (this.#volatileIndex.has(key)) return;
    this.#volatileIndex.set(key, this.#volatile.length);
    this.#volatile.push(key);
  }

  #removeVolatile(key: string): void {
    const index = this.#volatileIndex.get(key);
    if (index === undefined) return;
    const last = this.#volatile.pop()!;
    if (index < this.#volatile.length) {
      this.#volatile[index] = last;
      this.#volatileIndex.set(last, index);
    }
    this.#volatileIndex.delete(key);
  }
}

function prepend(first: string, rest: Iterator<string>): Iterator<string> {
  let pending = true;
  return {
    next(): IteratorResult<string> {
      if (pending) {
        pending = false;
        return { value: first, done: false };
      }
      return rest.next();
    },
  };
}
