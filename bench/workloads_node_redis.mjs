/**
 * The workloads against node-redis (the `redis` npm package, v5), with its
 * default options, on Node or on Bun:
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 node bench/workloads_node_redis.mjs [a,b,c,d,e]
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/workloads_node_redis.mjs [a,b,c,d,e]
 *
 * In (e) the subscriber is `client.duplicate()` (a connection of its own),
 * receiving through the listener given to `subscribe(channel, listener)`.
 *
 * @module
 */

import { createClient } from "redis";
import { main } from "./workloads.mjs";

await main(async (url) => {
  const client = createClient({ url });
  client.on("error", () => {}); // failures surface through the commands
  await client.connect();
  return {
    client: "node-redis",
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    incr: (key) => client.incr(key),
    flush: () => client.flushDb(),
    close: () => client.close(),
    publish: (channel, message) => client.publish(channel, message),
    async subscribe(channel, onMessage) {
      const subscriber = client.duplicate();
      subscriber.on("error", () => {});
      await subscriber.connect();
      await subscriber.subscribe(
        channel,
        (message, from) => onMessage(message, from),
      );
      return () => subscriber.close();
    },
  };
});
