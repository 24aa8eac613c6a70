/**
 * CPU-profiles this library's client on Deno through one workload (warm-up
 * included) and prints where the time goes: self time and inclusive time per
 * function, by file:line. Writes the raw profile for Chrome DevTools too.
 *
 *   BENCH_REDIS_URL=redis://127.0.0.1:6379/0 \
 *     deno run --allow-net --allow-env --allow-write --allow-sys bench/profile_pulsar.ts c [out.cpuprofile]
 *
 * (On Bun, use `bun --cpu-prof-md bench/workloads_pulsar.ts c` instead.) For (e),
 * `BENCH_PUBSUB_RECEIVE=iterator` profiles the `for await` subscriber (see
 * workloads_pulsar.ts).
 *
 * @module
 */

import { Session } from "node:inspector";
import { createStore } from "../mod.ts";
import { pulsarAdapter, receiveOptions } from "./_pulsar_adapter.ts";
// @ts-types="./workloads.d.mts"
import { run } from "./workloads.mjs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const [id = "a", out = "bench/.tmp/pulsar.cpuprofile"] = Deno.args;
type Workload = "a" | "b" | "c" | "d" | "e";
if (!["a", "b", "c", "d", "e"].includes(id)) {
  throw new RangeError(`Cannot profile: "${id}" is not one of a, b, c, d, e`);
}
const url = Deno.env.get("BENCH_REDIS_URL") ?? "redis://127.0.0.1:6379/0";
const store = createStore(url);
await store.execute("PING");
await store.execute("FLUSHDB");

const session = new Session();
session.connect();
const post = <T = unknown>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) =>
    session.post(
      method,
      params,
      (error: Error | null, result?: object) => error ? reject(error) : resolve(result as T),
    )
  );
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval: 200 });
await post("Profiler.start");
const result = await run(pulsarAdapter(store, receiveOptions()), id as Workload);
const { profile } = await post<{ profile: Profile }>("Profiler.stop");
await store.close();
await Deno.mkdir(out.replace(/[^/]*$/, "") || ".", { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(profile));

const root = Deno.cwd();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const total = profile.samples.length;
const label = (n: ProfileNode) => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\//, "").replace(root + "/", "") ||
    "(native)";
  return `${file}:${f.lineNumber + 1} ${f.functionName || "(anonymous)"}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const walk = (n: ProfileNode, onStack: Set<string>): number => {
  let hits = n.hitCount ?? 0;
  const key = label(n);
  self.set(key, (self.get(key) ?? 0) + hits);
  const inner = new Set(onStack).add(key);
  for (const child of n.children ?? []) hits += walk(byId.get(child)!, inner);
  if (!onStack.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
  return hits;
};
walk(profile.nodes[0], new Set());
const pct = (hits: number) => `${(100 * hits / total).toFixed(1).padStart(5)}%`;
const top = (
  map: Map<string, number>,
  filter: (k: string) => boolean,
  count: number,
) =>
  [...map].filter(([k]) => filter(k)).sort((x, y) => y[1] - x[1]).slice(
    0,
    count,
  )
    .map(([k, hits]) => `  ${pct(hits)}  ${k}`).join("\n");

console.log(
  `workload ${id}: ${result.ops} ops in ${result.ms.toFixed(0)} ms ` +
    `(${Math.round(result.ops / result.ms * 1000)} ops/s timed part; profile covers warm-up too)`,
);
console.log(
  `profile: ${total} samples, ${
    ((profile.endTime - profile.startTime) / 1000).toFixed(0)
  } ms, written to ${out}`,
);
console.log("\nself time (top 20):\n" + top(self, () => true, 20));
console.log(
  "\ninclusive time, src/ functions (top 20):\n" +
    top(inclusive, (k) => k.startsWith("src/"), 20),
);
