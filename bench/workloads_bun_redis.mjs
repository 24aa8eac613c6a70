/**
 * The workloads against Bun's built-in RedisClient (auto-pipelining on by
 * default), on Bun only:
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/workloads_bun_redis.mjs [a,b,c,d,e]
 *
 * In (e) the subscriber is a second RedisClient (a subscribed client takes
 * no other commands), receiving through `subscribe(channel, listener)`.
 *
 * @module
 */

import { RedisClient } from "bun";
import { main } from "./workloads.mjs";

await main(async (url) => {
  const client = new RedisClient(url);
  await client.connect();
  return {
    client: "Bun RedisClient",
    set: (key, value) => client.set(key, value),
    get: (key) => client.get(key),
    incr: (key) => client.incr(key),
    flush: () => client.send("FLUSHDB", []),
    close: () => Promise.resolve(client.close()),
    publish: (channel, message) => client.publish(channel, message),
    async subscribe(channel, onMessage) {
      const subscriber = new RedisClient(url);
      await subscriber.connect();
      await subscriber.subscribe(channel, (message, from) => onMessage(message, from));
      return () => Promise.resolve(subscriber.close());
    },
  };
});
