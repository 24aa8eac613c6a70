/**
 * The workloads against this library's client (`createStore` from mod.ts),
 * on Deno or on Bun:
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 deno run --allow-net --allow-env bench/workloads_pulsar.ts [a,b,c,d]
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/workloads_pulsar.ts [a,b,c,d]
 *
 * @module
 */

import { createStore } from "../mod.ts";
// @ts-types="./workloads.d.mts"
import { main } from "./workloads.mjs";

await main(async (url) => {
  const store = createStore(url);
  await store.execute("PING"); // connect + handshake before any timing
  return {
    client: "@pulsar/datastore",
    set: (key, value) => store.set(key, value),
    get: (key) => store.get(key),
    incr: (key) => store.incr(key),
    flush: () => store.execute("FLUSHDB"),
    close: () => store.close(),
  };
});
