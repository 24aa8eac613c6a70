/**
 * A short tour of the client on the embedded server: nothing to install.
 *
 *   deno task tour        (or: bun run examples/tour.ts)
 *
 * Pass a URL to tour another server: `deno task tour redis://127.0.0.1:6379/15`.
 */
import { startStore } from "../mod.ts";

const url = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
  (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? "pulsar://127.0.0.1:0/3";

await using store = await startStore(url);
console.log(`connected: ${store} (RESP${store.protocol})`);

await store.set("tour:greeting", "hello", { ex: 60 });
console.log("get        ->", await store.get("tour:greeting"));
console.log("incr       ->", await store.incr("tour:visits"));

const replies = await store.pipeline()
  .set("tour:a", "1")
  .incr("tour:a")
  .get("tour:a")
  .commit();
console.log("pipeline   ->", replies);

console.log("transaction->", await store.transaction().incr("tour:x").incr("tour:x").commit());

await store.watch(["tour:balance"], async (tx) => {
  const balance = Number(await tx.get("tour:balance") ?? 0);
  tx.multi().set("tour:balance", balance + 10);
});
console.log("watch      ->", await store.get("tour:balance"));

await using pubsub = store.pubsub({ protocol: JSON });
const news = await pubsub.subscribe("tour:news");
await pubsub.publish("tour:news", { headline: "pulsar datastore on Deno and Bun" });
for await (const { channel, message } of news) {
  console.log("pubsub     ->", channel, message);
  break;
}

await using lock = store.lock("tour:lock", { timeout: 5 });
console.log("lock       ->", await lock.acquire());

const started = performance.now();
const count = 20_000;
await Promise.all(Array.from({ length: count }, (_, i) => store.set(`tour:k${i}`, i)));
const ms = performance.now() - started;
console.log(`auto-pipelined ${count} SETs in ${ms.toFixed(0)} ms`);
await store.flush();
