/**
 * Workload (b) in one process, for comparing two versions of the client on a
 * busy machine: 200,000 SET then 200,000 GET in flight, 7 times after a
 * warm-up, reporting the client's CPU time (user + system) per command and
 * the wall-clock rate. CPU per command moves far less than ops/s when other
 * processes share the cores; compare two trees by alternating runs.
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 deno run -A bench/client_cpu_b.mjs [tree]
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bun bench/client_cpu_b.mjs [tree]
 *
 * `tree` is the checkout whose mod.ts is measured (default: this one);
 * BENCH_OPTIONS is JSON store options (e.g. '{"captureStack":true}').
 */
import process from "node:process";

const tree = (globalThis.Deno ? Deno.args[0] : process.argv[2]) ??
  new URL("..", import.meta.url).pathname;
const { createStore } = await import(`${tree.replace(/\/$/, "")}/mod.ts`);
const store = createStore(
  process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0",
  JSON.parse(process.env.BENCH_OPTIONS ?? "{}"),
);
await store.execute("PING");
const count = 200_000;

async function run(n) {
  const sets = new Array(n);
  const gets = new Array(n);
  for (let i = 0; i < n; i++) sets[i] = store.set(`b:${i}`, `v${i}`);
  await Promise.all(sets);
  for (let i = 0; i < n; i++) gets[i] = store.get(`b:${i}`);
  const values = await Promise.all(gets);
  if (values[n - 1] !== `v${n - 1}`) {
    throw new Error("Cannot verify (b): a GET returned a wrong value");
  }
}

await run(count / 10);
const cpu = [];
const rates = [];
for (let round = 0; round < 7; round++) {
  await store.execute("FLUSHDB");
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await run(count);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu0);
  cpu.push((used.user + used.system) / (2 * count));
  rates.push(Math.round((2 * count) / (ms / 1000)));
}
await store.close();
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
console.log(JSON.stringify({
  cpuMicrosecondsPerCommand: { min: +Math.min(...cpu).toFixed(3), median: +median(cpu).toFixed(3) },
  opsPerSecond: { median: median(rates), max: Math.max(...rates) },
}));
