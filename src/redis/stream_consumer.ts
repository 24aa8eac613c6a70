/**
 * `store.streams.consume()`: a consumer-group reader as an async iterator.
 * It recovers this consumer's own pending entries first, then (with
 * `claimIdle`) takes over entries other consumers left pending too long
 * (XAUTOCLAIM), and otherwise waits for new entries with XREADGROUP BLOCK on
 * a connection of its own. Delivery is at least once: an entry is
 * acknowledged when the loop asks for the next one, so an entry whose body
 * threw (or broke out of the loop) stays pending and is delivered again.
 *
 * @module
 */

import { ReplyError } from "../errors.ts";
import type { CallOptions } from "./connection.ts";
import type { RedisCommands } from "./commands/mod.ts";
import type { StreamEntry } from "./commands/streams.ts";

/** Options of {@linkcode Streams.consume}. */
export interface ConsumeOptions {
  /** Entries asked per read. @default {10} */
  count?: number;
  /** Milliseconds each XREADGROUP waits for new entries before the loop checks again. @default {5000} */
  block?: number;
  /**
   * Create the group (and the stream) when missing, reading from this ID
   * (`"$"`: new entries only; `"0"`: the whole stream); `false` to require
   * an existing group.
   * @default {"$"}
   */
  create?: string | false;
  /**
   * Take over entries pending for at least this many milliseconds on other
   * consumers (XAUTOCLAIM) before reading new ones.
   * @default {undefined} (no take-over)
   */
  claimIdle?: number;
  /** Ends the loop: it throws `signal.reason` (a blocked read is given up at once). */
  signal?: AbortSignal;
}

/** An entry read by {@linkcode Streams.consume}. */
export interface ConsumedEntry extends StreamEntry {
  /** The stream it came from. */
  stream: string;
  /** How it came: new, this consumer's pending history, or taken over. */
  source: "new" | "pending" | "claimed";
  /**
   * Acknowledges it now (otherwise it is acknowledged when the loop asks for
   * the next entry).
   */
  ack(): Promise<void>;
}

/** What the reader needs from a store. */
export type StreamHost = RedisCommands & { with(options: CallOptions): RedisCommands };

/**
 * Stream helpers of a store: `store.streams`.
 *
 * @example Process a stream with a consumer group
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * const controller = new AbortController();
 * for await (const entry of store.streams.consume("jobs", "workers", "w1", {
 *   claimIdle: 60_000,
 *   signal: controller.signal,
 * })) {
 *   console.log(entry.id, entry.fields); // acknowledged when the loop goes on
 * }
 * ```
 */
export class Streams {
  #host: StreamHost;

  /**
   * Creates the helpers; use `store.streams`.
   *
   * @param host The store.
   */
  constructor(host: StreamHost) {
    this.#host = host;
  }

  /**
   * Reads a stream as `consumer` of `group`, forever (until `signal`
   * aborts or the loop ends).
   *
   * @param stream The stream.
   * @param group The consumer group.
   * @param consumer This consumer's name.
   * @param options `count`, `block`, `create`, `claimIdle`, `signal`.
   * @returns The entries, one at a time.
   * @throws {ReplyError} When the group does not exist and `create` is false.
   */
  async *consume(
    stream: string,
    group: string,
    consumer: string,
    options: ConsumeOptions = {},
  ): AsyncGenerator<ConsumedEntry, void, undefined> {
    const { count = 10, block = 5000, create = "$", claimIdle, signal } = options;
    const store = signal ? this.#host.with({ signal }) : this.#host;
    if (create !== false) {
      try {
        await store.xgroupCreate(stream, group, create, { mkstream: true });
      } catch (error) {
        if (!(error instanceof ReplyError && error.code === "BUSYGROUP")) throw error;
      }
    }
    let unacked: ConsumedEntry | undefined;
    const settle = async () => {
      if (unacked) await unacked.ack();
      unacked = undefined;
    };
    const wrap = (entry: StreamEntry, source: ConsumedEntry["source"]): ConsumedEntry => {
      let acked = false;
      return {
        ...entry,
        stream,
        source,
        ack: async () => {
          if (acked) return;
          acked = true;
          await store.xack(stream, group, entry.id);
        },
      };
    };
    // This consumer's own pending history first (a restart after a crash).
    let history = "0";
    for (;;) {
      signal?.throwIfAborted();
      const read = await store.xreadgroup(group, consumer, { [stream]: history }, { count });
      const entries = read?.[stream] ?? [];
      if (entries.length === 0) break;
      for (const entry of entries) {
        history = entry.id;
        if (entry.fields === null) {
          // Deleted while pending: nothing to deliver.
          await store.xack(stream, group, entry.id);
          continue;
        }
        await settle();
        yield unacked = wrap(entry, "pending");
      }
    }
    let cursor = "0";
    for (;;) {
      signal?.throwIfAborted();
      if (claimIdle !== undefined) {
        const claimed = await store.xautoclaim(stream, group, consumer, claimIdle, cursor, count);
        cursor = claimed.next;
        for (const entry of claimed.entries) {
          await settle();
          yield unacked = wrap(entry, "claimed");
        }
        if (claimed.entries.length > 0) continue;
      }
      await settle();
      const read = await store.xreadgroup(group, consumer, { [stream]: ">" }, { count, block });
      for (const entry of read?.[stream] ?? []) {
        await settle();
        yield unacked = wrap(entry, "new");
      }
    }
  }
}
