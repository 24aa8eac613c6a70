/**
 * A growable ring buffer: O(1) push/pop at both ends and O(1) indexed access.
 * Holds the chunks of the list type of the embedded server (`./byte_list.ts`).
 *
 * @module
 */

/**
 * A double-ended queue.
 *
 * @example Push and pop at both ends
 * ```ts
 * import { Deque } from "./deque.ts";
 *
 * const list = new Deque<number>();
 * list.pushBack(2);
 * list.pushFront(1);
 * console.log(list.popBack(), list.popFront(), list.length); // 2 1 0
 * ```
 */
export class Deque<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  /** @param capacity Initial capacity (rounded up to a power of two). */
  constructor(capacity = 8) {
    let size = 8;
    while (size < capacity) size *= 2;
    this.#items = new Array(size);
  }

  /** Builds a deque holding `items`, first item at the head. */
  static from<T>(items: Iterable<T>): Deque<T> {
    const deque = new Deque<T>();
    for (const item of items) deque.pushBack(item);
    return deque;
  }

  /** The number of elements. */
  get length(): number {
    return this.#length;
  }

  #grow(): void {
    const old = this.#items;
    const items = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }

  /** Appends at the tail. */
  pushBack(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  /** Prepends at the head. */
  pushFront(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** Removes and returns the head, or `undefined` when empty. */
  popFront(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** Removes and returns the tail, or `undefined` when empty. */
  popBack(): T | undefined {
    if (this.#length === 0) return undefined;
    const index = (this.#head + this.#length - 1) & (this.#items.length - 1);
    const item = this.#items[index];
    this.#items[index] = undefined;
    this.#length--;
    return item;
  }

  /** The element at `index` (0 = head; negative counts from the tail), or `undefined`. */
  at(index: number): T | undefined {
    if (index < 0) index += this.#length;
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Replaces the element at `index` (0 <= index < length). */
  set(index: number, item: T): void {
    if (index < 0 || index >= this.#length) {
      throw new RangeError("Cannot set element: index out of range");
    }
    this.#items[(this.#head + index) & (this.#items.length - 1)] = item;
  }

  /** The elements from `start` to `end` (exclusive), head first. */
  slice(start = 0, end: number = this.#length): T[] {
    start = Math.max(0, start);
    end = Math.min(this.#length, end);
    const out: T[] = [];
    for (let i = start; i < end; i++) {
      out.push(this.#items[(this.#head + i) & (this.#items.length - 1)] as T);
    }
    return out;
  }

  /** Replaces all elements with `items`, head first. */
  replace(items: readonly T[]): void {
    let size = 8;
    while (size < items.length) size *= 2;
    this.#items = new Array(size);
    for (let i = 0; i < items.length; i++) this.#items[i] = items[i];
    this.#head = 0;
    this.#length = items.length;
  }

  /** Iterates head to tail. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) {
      yield this.#items[(this.#head + i) & (this.#items.length - 1)] as T;
    }
  }
}
