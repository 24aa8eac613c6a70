/**
 * This library's client as a benchmark {@linkcode Adapter}, shared by
 * workloads_pulsar.ts and profile_pulsar.ts.
 *
 * @module
 */

import type { RedisStore } from "../mod.ts";
// @ts-types="./workloads.d.mts"
import type { Adapter } from "./workloads.mjs";

/** How the subscriber of workload (e) takes its messages. */
export interface ReceiveOptions {
  /** `"callback"`: `pubsub.addClient(fn)`; `"iterator"`: a `for await` loop. */
  receive: "callback" | "iterator";
  /** The iterator's `bufferSize`; 0 iterates the subscription itself (default buffer). */
  bufferSize: number;
}

// Deno and Bun both have `process.env`; Deno's types do not declare it as a global.
const { process } = globalThis as unknown as { process: { env: Record<string, string> } };

/**
 * Reads the receive options from `BENCH_PUBSUB_RECEIVE` (callback, iterator)
 * and `BENCH_PUBSUB_BUFFER` (default 100000).
 *
 * @returns The options.
 * @throws {RangeError} When `BENCH_PUBSUB_RECEIVE` is something else.
 */
export function receiveOptions(): ReceiveOptions {
  const receive = process.env.BENCH_PUBSUB_RECEIVE ?? "callback";
  if (receive !== "callback" && receive !== "iterator") {
    throw new RangeError(
      `Cannot run: BENCH_PUBSUB_RECEIVE "${receive}" is not one of callback, iterator`,
    );
  }
  return { receive, bufferSize: Number(process.env.BENCH_PUBSUB_BUFFER ?? 100_000) };
}

/**
 * Wraps a connected store. In (e), PUBLISH goes through
 * `store.pubsub().publish()`; the subscriber is a second `store.pubsub()`.
 *
 * @param store The store.
 * @param options How (e) receives.
 * @returns The adapter.
 */
export function pulsarAdapter(store: RedisStore, options: ReceiveOptions): Adapter {
  const { receive, bufferSize } = options;
  const publisher = store.pubsub(); // publishes on the store's connection
  return {
    client: receive === "iterator" ? "@pulsar/datastore (for await)" : "@pulsar/datastore",
    note: receive === "iterator"
      ? `for await over ${bufferSize > 0 ? `sub.messages({ bufferSize: ${bufferSize} })` : "sub"}`
      : undefined,
    set: (key, value) => store.set(key, value),
    get: (key) => store.get(key),
    incr: (key) => store.incr(key),
    flush: () => store.execute("FLUSHDB"),
    close: () => store.close(),
    publish: (channel, message) => publisher.publish(channel, message),
    async subscribe(channel, onMessage, onError) {
      const pubsub = store.pubsub({ onError });
      if (receive === "callback") {
        pubsub.addClient((from, message) => onMessage(message as string, from));
        await pubsub.subscribe(channel);
        return () => pubsub.close();
      }
      const sub = await pubsub.subscribe(channel);
      const messages = bufferSize > 0 ? sub.messages({ bufferSize }) : sub;
      const loop = (async () => {
        for await (const { channel: from, message } of messages) {
          onMessage(message as string, from);
        }
      })().catch(onError);
      return async () => {
        await pubsub.close(); // ends the loop
        await loop;
      };
    },
  };
}
