/**
 * The workloads against this library's client (`createStore` from mod.ts),
 * on Deno or on Bun:
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 deno run --allow-net --allow-env bench/workloads_pulsar.ts [a,b,c,d,e]
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/workloads_pulsar.ts [a,b,c,d,e]
 *
 * In (e), PUBLISH goes through `store.pubsub().publish()` and the subscriber,
 * a second `store.pubsub()`, receives through an `addClient()` callback; with
 * `BENCH_PUBSUB_RECEIVE=iterator` it receives by iterating the subscription
 * instead, `for await (const m of sub.messages({ bufferSize: 100_000 }))`
 * (`BENCH_PUBSUB_BUFFER=0`: `for await (const m of sub)`, whose default buffer
 * of 1000 messages with overflow "error" ends the loop with a RangeError: one
 * socket read can hold more than 1000 messages, all delivered before the loop
 * runs again).
 *
 * @module
 */

import { createStore } from "../mod.ts";
import { pulsarAdapter, receiveOptions } from "./_pulsar_adapter.ts";
// @ts-types="./workloads.d.mts"
import { main } from "./workloads.mjs";

const options = receiveOptions();

await main(async (url) => {
  const store = createStore(url);
  await store.execute("PING"); // connect + handshake before any timing
  return pulsarAdapter(store, options);
});
