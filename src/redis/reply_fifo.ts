/**
 * The commands a connection has sent (or will send) and whose replies it
 * awaits, in order: replies are matched to them first in, first out.
 *
 * @module
 */

import type { CommandArg } from "../protocol/types.ts";

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

/**
 * A FIFO of commands on a growable ring. Most commands have no options
 * (no deadline, signal, retry or unit): those are kept "lean", as their parts
 * in parallel arrays, with no object of their own, since a burst of 100,000
 * commands would otherwise hold 100,000 such objects until their replies.
 * The others are kept as {@linkcode Pending} objects. A lean entry becomes
 * an object only when code outside the reply path looks at it
 * ({@linkcode ReplyFifo.at}, {@linkcode ReplyFifo.drain}).
 */
export class ReplyFifo {
  #mask = 15;
  #head = 0;
  #length = 0;
  #rich: (Pending | undefined)[] = new Array(16);
  #name: (string | undefined)[] = new Array(16);
  #shape: (AnyShape | undefined)[] = new Array(16);
  #resolve: (((value: unknown) => void) | undefined)[] = new Array(16);
  #reject: (((error: unknown) => void) | undefined)[] = new Array(16);
  #args: (readonly CommandArg[] | undefined)[] = new Array(16);
  /** Lent by {@linkcode ReplyFifo.shift} for a lean entry; valid until the next call. */
  #view = new Pending("", ignore, undefined, false, false, false);

  /** Number of entries. */
  get length(): number {
    return this.#length;
  }

  /** Appends an entry object. */
  push(entry: Pending): void {
    const slot = this.#claim();
    this.#rich[slot] = entry;
  }

  /** Appends a lean entry: a command without options whose arguments are kept until written. */
  pushLean(
    name: string,
    shape: AnyShape,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    args: readonly CommandArg[],
  ): void {
    const slot = this.#claim();
    this.#name[slot] = name;
    this.#shape[slot] = shape;
    this.#resolve[slot] = resolve;
    this.#reject[slot] = reject;
    this.#args[slot] = args;
  }

  /**
   * Removes the oldest entry. A lean one comes back as a shared view object,
   * valid until the next call: settle it, do not keep it.
   *
   * @returns The entry, or `undefined` when empty.
   */
  shift(): Pending | undefined {
    if (this.#length === 0) return undefined;
    const slot = this.#head;
    let entry = this.#rich[slot];
    if (entry === undefined) {
      const view = this.#view;
      view.done = false;
      view.name = this.#name[slot]!;
      view.shape = this.#shape[slot]!;
      view.resolve = this.#resolve[slot]!;
      view.reject = this.#reject[slot]!;
      view.args = this.#args[slot];
      entry = view;
    }
    this.#clear(slot);
    this.#head = (slot + 1) & this.#mask;
    this.#length--;
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
    if (index < 0 || index >= this.#length) return undefined;
    return this.#object((this.#head + index) & this.#mask);
  }

  /**
   * Whether the entry at `index` was given up already (lean entries never are).
   *
   * @param index The position.
   * @returns Whether it is done.
   */
  done(index: number): boolean {
    return this.#rich[(this.#head + index) & this.#mask]?.done ?? false;
  }

  /**
   * The store-wide deadline of the entry at `index`, 0 when it has none.
   *
   * @param index The position.
   * @returns The deadline in ms since the epoch.
   */
  deadline(index: number): number {
    return this.#rich[(this.#head + index) & this.#mask]?.deadline ?? 0;
  }

  /**
   * Drops the arguments of the entries in `[from, to)` (they were written),
   * except those of idempotent ones, which may be re-sent.
   *
   * @param from The first position.
   * @param to The end position (exclusive).
   */
  written(from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const slot = (this.#head + i) & this.#mask;
      const entry = this.#rich[slot];
      if (entry === undefined) this.#args[slot] = undefined;
      else if (!entry.idempotent) entry.args = undefined;
    }
  }

  /**
   * Removes every entry and returns them in order, as objects.
   *
   * @returns The entries.
   */
  drain(): Pending[] {
    const out = new Array<Pending>(this.#length);
    for (let i = 0; i < this.#length; i++) out[i] = this.#object((this.#head + i) & this.#mask);
    for (let i = 0; i < this.#length; i++) this.#clear((this.#head + i) & this.#mask);
    this.#head = 0;
    this.#length = 0;
    return out;
  }

  /** The entry in `slot` as an object, making one for a lean entry. */
  #object(slot: number): Pending {
    const rich = this.#rich[slot];
    if (rich !== undefined) return rich;
    const entry = new Pending(
      this.#name[slot]!,
      this.#shape[slot]!,
      this.#args[slot],
      false,
      false,
      false,
    );
    entry.resolve = this.#resolve[slot]!;
    entry.reject = this.#reject[slot]!;
    this.#clear(slot);
    this.#rich[slot] = entry;
    return entry;
  }

  #clear(slot: number): void {
    this.#rich[slot] = undefined;
    this.#name[slot] = undefined;
    this.#shape[slot] = undefined;
    this.#resolve[slot] = undefined;
    this.#reject[slot] = undefined;
    this.#args[slot] = undefined;
  }

  /** The slot of a new last entry. */
  #claim(): number {
    if (this.#length > this.#mask) this.#grow();
    const slot = (this.#head + this.#length) & this.#mask;
    this.#length++;
    return slot;
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const head = this.#head;
    const length = this.#length;
    const mask = this.#mask;
    const move = <T>(from: T[]): T[] => {
      const to = new Array<T>(capacity);
      for (let i = 0; i < length; i++) to[i] = from[(head + i) & mask];
      return to;
    };
    this.#rich = move(this.#rich);
    this.#name = move(this.#name);
    this.#shape = move(this.#shape);
    this.#resolve = move(this.#resolve);
    this.#reject = move(this.#reject);
    this.#args = move(this.#args);
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
