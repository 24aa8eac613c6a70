/**
 * The bounded buffer behind each pub/sub async iterator.
 *
 * @module
 */

import type { IterateOptions, MessageIterator, OverflowPolicy, PubSubMessage } from "./pubsub.ts";
import { Queue } from "./queue.ts";
import { RecordQueue } from "./record_queue.ts";

/**
 * Messages an iterator holds for a slow consumer. One socket read can carry
 * thousands of small messages, all delivered before the loop runs again.
 */
export const defaultBufferSize = 65_536;

/** What a pub/sub handler delivers each received message to. */
export interface Listener {
  /** Whether this listener takes messages of `channel` (and `pattern`, for pattern messages). */
  accepts(channel: string, pattern: string | undefined): boolean;
  /** Takes a message; `reconnected` marks the first one after a reconnection. */
  push(channel: string, pattern: string | undefined, message: unknown, reconnected: boolean): void;
  /** Ends the iteration, with an error or not. */
  end(error?: unknown): void;
  /** The next message follows a reconnection. */
  gap: boolean;
}

/** What a queue serving one subscription knows of it. */
export interface QueueOwner {
  readonly kind: string;
  readonly names: readonly string[];
}

// Slots of one buffered message.
const CHANNEL = 0;
const PATTERN = 1;
const MESSAGE = 2;
const RECONNECTED = 3;
const SLOTS = 4;

/** The message object an iterator yields. */
function toMessage(
  channel: string,
  pattern: string | undefined,
  message: unknown,
  reconnected: boolean,
): PubSubMessage {
  const event: PubSubMessage = pattern === undefined
    ? { channel, message }
    : { channel, pattern, message };
  if (reconnected) event.reconnected = true;
  return event;
}

/**
 * A bounded queue feeding one async iterator. Buffered messages are kept as
 * their parts, flat, and become objects only when the loop takes them: a
 * subscription that buffers for a loop that may never come allocates
 * nothing per message.
 */
export class MessageQueue implements MessageIterator, Listener {
  /** The buffered messages, as their parts. */
  #buffer = new RecordQueue(SLOTS);
  /** `next()` calls waiting for a message, oldest first. */
  #waiters = new Queue<{
    resolve(result: IteratorResult<PubSubMessage>): void;
    reject(error: unknown): void;
  }>();
  #error: unknown;
  #done = false;
  #size = defaultBufferSize;
  #policy: OverflowPolicy = "error";
  #onReturn: () => Promise<void>;
  #signal: AbortSignal | undefined;
  // An aborted loop does not call return(): unsubscribe here as return() would.
  #onAbort = () => {
    const done = this.#done;
    this.end(this.#signal!.reason);
    if (!done) this.#onReturn().catch(() => {});
  };
  /** Messages dropped because the buffer was full (drop policies). */
  dropped = 0;
  gap = false;
  accepts: (channel: string, pattern: string | undefined) => boolean;
  /** The subscription this queue serves, if any: it ends with it. */
  owner: QueueOwner | undefined;

  /**
   * Creates a queue.
   *
   * @param accepts Which messages it takes.
   * @param options Signal, buffer size, overflow policy.
   * @param onReturn Called when the loop is left early.
   */
  constructor(
    accepts: (channel: string, pattern: string | undefined) => boolean,
    options: IterateOptions,
    onReturn: () => Promise<void>,
  ) {
    this.accepts = accepts;
    this.#onReturn = onReturn;
    this.configure(options);
  }

  /** Whether unsubscribing `gone` (all of `kind` when empty) ends this queue. */
  ownedBy(kind: string, gone: ReadonlySet<string>): boolean {
    const owner = this.owner;
    if (!owner || owner.kind !== kind) return false;
    return gone.size === 0 || owner.names.some((name) => gone.has(name));
  }

  /** Applies iteration options (also to a queue that buffered before the loop started). */
  configure(options: IterateOptions): void {
    const size = options.bufferSize ?? defaultBufferSize;
    if (!(size >= 1)) throw new RangeError(`Cannot iterate: bufferSize ${size} is not at least 1`);
    this.#size = size;
    this.#policy = options.overflow ?? "error";
    while (this.#buffer.length > size) this.#dropOldest();
    options.signal?.throwIfAborted();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Drops the oldest message; a `reconnected` mark it carried moves to the next one. */
  #dropOldest(): void {
    const buffer = this.#buffer;
    const marked = buffer.segment(0)[buffer.base(0) + RECONNECTED] === true;
    buffer.dropFirst();
    this.dropped++;
    if (!marked) return;
    if (buffer.length > 0) buffer.segment(0)[buffer.base(0) + RECONNECTED] = true;
    else this.gap = true; // the next message pushed gets it
  }

  push(channel: string, pattern: string | undefined, message: unknown, reconnected: boolean): void {
    if (this.#done) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ value: toMessage(channel, pattern, message, reconnected), done: false });
      return;
    }
    if (this.#buffer.length >= this.#size) {
      if (this.#policy === "drop-newest") {
        this.dropped++;
        if (reconnected) this.gap = true; // the next message kept gets the mark
        return;
      }
      if (this.#policy === "error") {
        this.dropped++;
        this.end(
          new RangeError(
            `Cannot keep up: the iterator's buffer of ${this.#size} messages is full (a message on "${channel}" was dropped)`,
          ),
        );
        this.#onReturn().catch(() => {});
        return;
      }
      this.#dropOldest();
      if (this.gap) {
        // The dropped message carried the mark and left none behind: this one takes it.
        this.gap = false;
        reconnected = true;
      }
    }
    const base = this.#buffer.append();
    const slots = this.#buffer.last;
    slots[base + CHANNEL] = channel;
    slots[base + PATTERN] = pattern;
    slots[base + MESSAGE] = message;
    slots[base + RECONNECTED] = reconnected;
  }

  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    const waiters = this.#waiters.drain();
    if (waiters.length > 0 && error !== undefined) this.#error = undefined;
    for (const waiter of waiters) {
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<PubSubMessage>> {
    const buffer = this.#buffer;
    if (buffer.length > 0) {
      const slots = buffer.segment(0);
      const base = buffer.base(0);
      const value = toMessage(
        slots[base + CHANNEL] as string,
        slots[base + PATTERN] as string | undefined,
        slots[base + MESSAGE],
        slots[base + RECONNECTED] as boolean,
      );
      buffer.dropFirst();
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      const error = this.#error;
      this.#error = undefined;
      return error !== undefined
        ? Promise.reject(error)
        : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<PubSubMessage>> {
    const wasDone = this.#done;
    this.end();
    this.#buffer.clear();
    if (!wasDone) await this.#onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): MessageIterator {
    return this;
  }
}
