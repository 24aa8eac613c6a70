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
