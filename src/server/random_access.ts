/**
 * `Set` and `Map` subclasses with uniform random picks in O(1): the storage
 * behind sets, hashes and the keyspace of the embedded server.
 *
 * A JavaScript `Set`/`Map` gives no access by position, so a random member
 * used to cost a walk of half the container (10k SRANDMEMBER on a 1M-member
 * set: 15 s; Redis, which picks a random hash bucket: 0.2 s). These classes
 * keep, from the first random pick on, a dense array of the keys plus each
 * key's position in it; a delete moves the last key into the hole (swap-remove),
 * so picks, adds and deletes stay O(1). Containers never sampled pay nothing
 * but two empty fields. Iteration order, and with it the SCAN guarantees,
 * is the plain `Set`/`Map` order: the index lives beside the container.
 *
 * The first pick builds the index in one pass, less work than the inserts
 * that filled the container (1M members: 0.2-0.4 s, once; 5M: 2.5-5.7 s).
 * The keyspace, whose values are objects, uses {@linkcode SlottedMap}: the
 * position lives in the entry, so the build does no hashing (5M keys: about
 * 0.5 s). Measured with 10k picks on 1M members (Deno, TCP, index builds
 * included): SRANDMEMBER 28.7 s -> 0.22 s, HRANDFIELD 53.5 s -> 0.21 s,
 * RANDOMKEY 30.9 s -> 0.20 s, SRANDMEMBER with count 5 22.7 s -> 0.06 s;
 * redis-server 0.02-0.13 s.
 *
 * Everything that mutates goes through `add`/`set`/`delete`/`clear`, which
 * every existing call site already uses, so no call site changes.
 *
 * @module
 */

/** Keys in a dense array plus each key's position: O(1) add, swap-remove, pick. */
class DenseIndex<K> {
  readonly keys: K[] = [];
  readonly #position = new Map<K, number>();

  constructor(keys: Iterable<K>) {
    for (const key of keys) this.add(key);
  }

  /** Appends `key` (the caller knows it is new). */
  add(key: K): void {
    this.#position.set(key, this.keys.length);
    this.keys.push(key);
  }

  /** Removes `key` by moving the last key into its slot. */
  remove(key: K): void {
    const index = this.#position.get(key);
    if (index === undefined) return;
    this.#position.delete(key);
    const last = this.keys.pop()!;
    if (index < this.keys.length) {
      this.keys[index] = last;
      this.#position.set(last, index);
    }
  }
}

/** A uniformly random integer in `0..n-1`. */
function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * A `Set<string>` with O(1) uniform random picks.
 *
 * @example Pick a random member
 * ```ts
 * import { RandomSet } from "./random_access.ts";
 *
 * const set = new RandomSet(["a", "b", "c"]);
 * set.delete("b");
 * console.log(["a", "c"].includes(set.randomKey())); // true
 * ```
 */
export class RandomSet extends Set<string> {
  #index: DenseIndex<string> | null = null;

  /** @param members Initial members. */
  constructor(members?: Iterable<string> | null) {
    // Members are added after super(): Set's constructor would call the
    // overridden add() before the private field exists.
    super();
    if (members != null) { for (const member of members) this.add(member); }
  }

  /** Adds `member`; returns the set. */
  override add(member: string): this {
    if (this.#index !== null && !super.has(member)) this.#index.add(member);
    return super.add(member);
  }

  /** Removes `member`; returns true when it was there. */
  override delete(member: string): boolean {
    if (!super.delete(member)) return false;
    this.#index?.remove(member);
    return true;
  }

  /** Removes every member. */
  override clear(): void {
    super.clear();
    this.#index = null;
  }

  /** True once a random pick built the dense index (which memory accounting counts). */
  get indexed(): boolean {
    return this.#index !== null;
  }

  /**
   * The member at `position` of the dense index (0 <= position < size): an
   * arbitrary but fixed order until the next delete, for picking distinct
   * members by distinct positions.
   */
  keyAt(position: number): string {
    this.#index ??= new DenseIndex(this);
    return this.#index.keys[position];
  }

  /** A uniformly random member; the set must not be empty. */
  randomKey(): string {
    return this.keyAt(randomBelow(this.size));
  }
}

/**
 * A `Map<string, V>` with O(1) uniform random picks of keys.
 *
 * @example Pick a random key
 * ```ts
 * import { RandomMap } from "./random_access.ts";
 *
 * const map = new RandomMap<number>([["a", 1], ["b", 2]]);
 * console.log(map.get(map.randomKey()) !== undefined); // true
 * ```
 */
export class RandomMap<V> extends Map<string, V> {
  #index: DenseIndex<string> | null = null;

  /** @param entries Initial entries. */
  constructor(entries?: Iterable<readonly [string, V]> | null) {
    super();
    if (entries != null) { for (const [key, value] of entries) this.set(key, value); }
  }

  /** Sets `key` to `value`; returns the map. */
  override set(key: string, value: V): this {
    if (this.#index !== null && !super.has(key)) this.#index.add(key);
    return super.set(key, value);
  }

  /** Removes `key`; returns true when it was there. */
  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    this.#index?.remove(key);
    return true;
  }

  /** Removes every entry. */
  override clear(): void {
    super.clear();
    this.#index = null;
  }

  /** True once a random pick built the dense index (see {@linkcode RandomSet.indexed}). */
  get indexed(): boolean {
    return this.#index !== null;
  }

  /** The key at `position` of the dense index (see {@linkcode RandomSet.keyAt}). */
  keyAt(position: number): string {
    this.#index ??= new DenseIndex(this.keys());
    return this.#index.keys[position];
  }

  /** A uniformly random key; the map must not be empty. */
  randomKey(): string {
    return this.keyAt(randomBelow(this.size));
  }
}

/** A value that can hold its key's position in a {@linkcode SlottedMap}'s index. */
export interface Slotted {
  /** The key's position in the dense index; managed by the map. */
  slot?: number;
}

/**
 * A `Map<string, V>` with O(1) uniform random keys that keeps each key's
 * position in its value object (`slot`) instead of a second map: the
 * keyspace, whose entries are objects. Building the index on the first
 * pick is one pass with no hashing (10M keys: a few hundred milliseconds,
 * where a position map took over ten seconds), and it costs one array slot
 * per key.
 *
 * An entry object moved to another map (MOVE, SWAPDB) may have its slot
 * overwritten there; a delete that finds its slot taken by another key
 * drops the index, to be rebuilt at the next pick, so picks stay exact.
 *
 * @example Pick a random key
 * ```ts
 * import { SlottedMap } from "./random_access.ts";
 *
 * const map = new SlottedMap<{ slot?: number }>();
 * map.set("a", {}).set("b", {});
 * console.log(map.has(map.randomKey())); // true
 * ```
 */
export class SlottedMap<V extends Slotted> extends Map<string, V> {
  #keys: string[] | null = null;

  /** Sets `key` to `value`; returns the map. */
  override set(key: string, value: V): this {
    const keys = this.#keys;
    if (keys !== null) {
      const old = super.get(key);
      if (old === undefined) {
        value.slot = keys.length;
        keys.push(key);
      } else {
        value.slot = old.slot;
      }
    }
    return super.set(key, value);
  }

  /** Removes `key`; returns true when it was there. */
  override delete(key: string): boolean {
    const old = super.get(key);
    if (old === undefined) return false;
    super.delete(key);
    const keys = this.#keys;
    if (keys !== null) {
      const slot = old.slot;
      if (slot === undefined || keys[slot] !== key) {
        this.#keys = null; // the slot was overwritten elsewhere: rebuild at the next pick
      } else {
        const last = keys.pop()!;
        if (slot < keys.length) {
          keys[slot] = last;
          super.get(last)!.slot = slot;
        }
      }
    }
    return true;
  }

  /** Removes every entry. */
  override clear(): void {
    super.clear();
    this.#keys = null;
  }

  /** The key at `position` of the dense index (see {@linkcode RandomSet.keyAt}). */
  keyAt(position: number): string {
    let keys = this.#keys;
    if (keys === null) {
      keys = this.#keys = [];
      for (const [key, value] of super.entries()) {
        value.slot = keys.length;
        keys.push(key);
      }
    }
    return keys[position];
  }

  /** A uniformly random key; the map must not be empty. */
  randomKey(): string {
    return this.keyAt(randomBelow(this.size));
  }
}
