/**
 * A short tour of the client on the embedded server: nothing to install.
 *
 *   deno task tour        (or: bun run examples/tour.ts)
 *
 * Pass a URL to tour another server: `deno task tour redis://127.0.0.1:6379/15`.
 * It touches only keys under its own namespace, `pulsar-tour:` (after any
 * namespace the URL gives), and removes them at the end: your data stays.
 */
import { parseStoreUrl, startStore } from "../mod.ts";

const url = (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
  (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? "pulsar://127.0.0.1:0/3";

const namespace = `${parseStoreUrl(url).params.namespace ?? ""}pulsar-tour:`;
await using store = await startStore(url, { namespace });
console.log(`connected: ${store} (RESP${store.protocol}), keys under "${namespace}"`);
try {
  await tour();
} finally {
  await store.flush(); // this namespace only (SCAN + UNLINK), never FLUSHDB
}

async function tour(): Promise<void> {
  await store.set("greeting", "hello", { ex: 60 });
  console.log("get        ->", await store.get("greeting"));
  console.log("incr       ->", await store.incr("visits"));

  const replies = await store.pipeline()
    .set("a", "1")
    .incr("a")
    .get("a")
    .commit();
  console.log("pipeline   ->", replies);

  console.log("transaction->", await store.transaction().incr("x").incr("x").commit());

  await store.watch(["balance"], async (tx) => {
    const balance = Number(await tx.get("balance") ?? 0);
    tx.multi().set("balance", balance + 10);
  });
  console.log("watch      ->", await store.get("balance"));

  await using pubsub = store.pubsub({ protocol: JSON });
  const news = await pubsub.subscribe("news");
  await pubsub.publish("news", { headline: "pulsar datastore on Deno and Bun" });
  for await (const { channel, message } of news) {
    console.log("pubsub     ->", channel, message);
    break;
  }

  await using lock = store.lock("lock", { timeout: 5 });
  console.log("lock       ->", await lock.acquire());

  const started = performance.now();
  const count = 20_000;
  await Promise.all(Array.from({ length: count }, (_, i) => store.set(`k${i}`, i)));
  const ms = performance.now() - started;
  console.log(`auto-pipelined ${count} SETs in ${ms.toFixed(0)} ms`);
}
