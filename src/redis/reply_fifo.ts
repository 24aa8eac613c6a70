/**
 * The commands a connection has sent (or will send) and whose replies it
 * awaits, in order: replies are matched to them first in, first out.
 *
 * @module
 */

import type { CommandArg } from "../protocol/types.ts";
import { RecordQueue } from "./record_queue.ts";

/** Shapes a raw reply into what a command method returns. */
// deno-lint-ignore no-explicit-any
type AnyShape = (value: any) => unknown;

const ignore = () => {};

/** A command waiting for its write or its reply. Every field is set up front: one shape. */
export class Pending {
  resolve: (value: unknown) => void = ignore;
  reject: (error: unknown) => void = ignore;
  /** Settled already (timed out, aborted): its reply is read and dropped. */
  done = false;
  /** Times it was re-sent. */
  resends = 0;
  /** When the store-wide default deadline expires it (ms since the epoch); 0: none. */
  deadline = 0;
  /** The unit (MULTI ... EXEC) it belongs to: sent whole or not at all. */
  group: Pending[] | undefined = undefined;
  cleanup: (() => void) | undefined = undefined;
  /** Where the command was issued, when the connection captures stacks. */
  site: Error | undefined = undefined;

  /**
   * Creates an entry.
   *
   * @param name The command's name, for messages.
   * @param shape Shapes its reply.
   * @param args The arguments, kept until the command is written (offline
   * commands are encoded only once connected, so one given up meanwhile is
   * never sent), and after that for idempotent ones, which are re-sent
   * after a drop.
   * @param errorsAsValues Resolve with error replies instead of rejecting (pipelines).
   * @param idempotent May run twice: re-sent after a drop.
   * @param noReply A command whose replies come as pushes: no reply is matched to it.
   */
  constructor(
    public name: string,
    public shape: AnyShape,
    public args: readonly CommandArg[] | undefined,
    readonly errorsAsValues: boolean,
    readonly idempotent: boolean,
    readonly noReply: boolean,
  ) {}
}

// Slots of one record.
const RICH = 0; // the Pending object, or undefined for a lean entry
const NAME = 1;
const SHAPE = 2;
const RESOLVE = 3;
const REJECT = 4;
const ARGS = 5;
const STRIDE = 6;

/** Copies a lean record's parts into `entry` (its arguments excepted); returns it. */
function fill(entry: Pending, slots: unknown[], base: number): Pending {
  entry.name = slots[base + NAME] as string;
  entry.shape = slots[base + SHAPE] as AnyShape;
  entry.resolve = slots[base + RESOLVE] as (value: unknown) => void;
  entry.reject = slots[base + REJECT] as (error: unknown) => void;
  return entry;
}

/**
 * A FIFO of commands. Most commands have no options (no deadline, signal,
 * retry or unit): those are kept "lean", as their parts in the queue's slots,
 * with no object of their own, since a burst of 100,000 commands would
 * otherwise hold 100,000 such objects until their replies. The others are
 * kept as {@linkcode Pending} objects. A lean entry becomes an object only
 * when code outside the reply path looks at it ({@linkcode ReplyFifo.at},
 * {@linkcode ReplyFifo.drain}).
 */
export class ReplyFifo {
  #records = new RecordQueue(STRIDE);
  /** Lent by {@linkcode ReplyFifo.shift} for a lean entry; valid until the next call. */
  #view = new Pending("", ignore, undefined, false, false, false);

  /** Number of entries. */
  get length(): number {
    return this.#records.length;
  }

  /** Appends an entry object. */
  push(entry: Pending): void {
    const base = this.#records.append();
    this.#records.last[base + RICH] = entry;
  }

  /** Appends a lean entry: a command without options whose arguments are kept until written. */
  pushLean(
    name: string,
    shape: AnyShape,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    args: readonly CommandArg[],
  ): void {
    const base = this.#records.append();
    const slots = this.#records.last;
    slots[base + NAME] = name;
    slots[base + SHAPE] = shape;
    slots[base + RESOLVE] = resolve;
    slots[base + REJECT] = reject;
    slots[base + ARGS] = args;
  }

  /**
   * Removes the oldest entry. A lean one comes back as a shared view object,
   * valid until the next call: settle it, do not keep it.
   *
   * @returns The entry, or `undefined` when empty.
   */
  shift(): Pending | undefined {
    const records = this.#records;
    if (records.length === 0) return undefined;
    const slots = records.segment(0);
    const base = records.base(0);
    let entry = slots[base + RICH] as Pending | undefined;
    if (entry === undefined) {
      entry = fill(this.#view, slots, base);
      entry.done = false;
    }
    records.dropFirst();
    return entry;
  }

  /**
   * The entry at `index` from the front, as an object (a lean one is turned
   * into one for good).
   *
   * @param index The position.
   * @returns The entry, or `undefined` past the end.
   */
  at(index: number): Pending | undefined {
    if (index < 0 || index >= this.#records.length) return undefined;
    return this.#object(index);
  }

  /**
   * Whether the entry at `index` was given up already (lean entries never are).
   *
   * @param index The position.
   * @returns Whether it is done.
   */
  done(index: number): boolean {
    return this.#rich(index)?.done ?? false;
  }

  /**
   * The store-wide deadline of the entry at `index`, 0 when it has none.
   *
   * @param index The position.
   * @returns The deadline in ms since the epoch.
   */
  deadline(index: number): number {
    return this.#rich(index)?.deadline ?? 0;
  }

  /**
   * Drops the arguments of the entries in `[from, to)` (they were written),
   * except those of idempotent ones, which may be re-sent.
   *
   * @param from The first position.
   * @param to The end position (exclusive).
   */
  written(from: number, to: number): void {
    const records = this.#records;
    for (let i = from; i < to; i++) {
      const slots = records.segment(i);
      const base = records.base(i);
      const entry = slots[base + RICH] as Pending | undefined;
      if (entry === undefined) slots[base + ARGS] = undefined;
      else if (!entry.idempotent) entry.args = undefined;
    }
  }

  /**
   * Removes every entry and returns them in order, as objects.
   *
   * @returns The entries.
   */
  drain(): Pending[] {
    const out = new Array<Pending>(this.#records.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#object(i);
    this.#records.clear();
    return out;
  }

  #rich(index: number): Pending | undefined {
    return this.#records.segment(index)[this.#records.base(index) + RICH] as Pending | undefined;
  }

  /** The entry at `index` as an object, making one for a lean entry. */
  #object(index: number): Pending {
    const slots = this.#records.segment(index);
    const base = this.#records.base(index);
    const rich = slots[base + RICH] as Pending | undefined;
    if (rich !== undefined) return rich;
    const entry = fill(new Pending("", ignore, undefined, false, false, false), slots, base);
    entry.args = slots[base + ARGS] as readonly CommandArg[] | undefined;
    for (let i = 1; i < STRIDE; i++) slots[base + i] = undefined;
    slots[base + RICH] = entry;
    return entry;
  }
}
