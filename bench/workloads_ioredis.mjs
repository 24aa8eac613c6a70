/**
 * The workloads against ioredis (npm), with its default options (no
 * auto-pipelining), on Node or on Bun:
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 node bench/workloads_ioredis.mjs [a,b,c,d,e]
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/workloads_ioredis.mjs [a,b,c,d,e]
 *
 * In (e) the subscriber is a second Redis instance (connection), receiving
 * through its "message" event.
 *
 * @module
 */

import Redis from "ioredis";
import { main } from "./workloads.mjs";

await main(async (url) => {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  return {
    client: "ioredis",
    set: (key, value) => redis.set(key, value),
    get: (key) => redis.get(key),
    incr: (key) => redis.incr(key),
    flush: () => redis.flushdb(),
    close: () => redis.quit(),
    publish: (channel, message) => redis.publish(channel, message),
    async subscribe(channel, onMessage) {
      const subscriber = new Redis(url, { lazyConnect: true });
      await subscriber.connect();
      subscriber.on("message", (from, message) => onMessage(message, from));
      await subscriber.subscribe(channel);
      return () => subscriber.quit();
    },
  };
});
