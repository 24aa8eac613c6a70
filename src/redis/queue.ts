/**
 * A FIFO with O(1) push and shift, in segments (see {@linkcode RecordQueue}):
 * replies are matched to callers and waiting iterators are served through
 * such queues, so they sit on hot paths.
 */

import { RecordQueue } from "./record_queue.ts";

/** A FIFO of items. */
export class Queue<T> {
  #records = new RecordQueue(1);

  /** Number of items. */
  get length(): number {
    return this.#records.length;
  }

  /** Appends an item. */
  push(item: T): void {
    const base = this.#records.append();
    this.#records.last[base] = item;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#records.length === 0) return undefined;
    const item = this.#records.segment(0)[this.#records.base(0)] as T;
    this.#records.dropFirst();
    return item;
  }

  /** The item at `index` from the front, without removing it. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#records.length) return undefined;
    return this.#records.segment(index)[this.#records.base(index)] as T;
  }

  /** Removes every item and returns them in order. */
  drain(): T[] {
    const out = new Array<T>(this.#records.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i) as T;
    this.#records.clear();
    return out;
  }
}
