/**
 * The benchmark workloads, written once and run by every client: each
 * `workloads_<client>.{ts,mjs}` file wraps one client in a small
 * {@linkcode Adapter} and calls {@linkcode main}. Plain JavaScript so that
 * Node, Deno and Bun all load it as it is.
 *
 * Every workload is count-based, warmed up before it is timed, verified after
 * (a GET must return what was SET; INCRs must add up), and bounded by a
 * deadline. Results go to stdout as one JSON object per line.
 *
 * @module
 */

/**
 * What a benchmarked client provides. Values are ASCII strings.
 *
 * @typedef {object} Adapter
 * @property {string} client Name of the client, e.g. `"ioredis"`.
 * @property {(key: string, value: string) => Promise<unknown>} set SET key value.
 * @property {(key: string) => Promise<string | null>} get GET key, as a string.
 * @property {(key: string) => Promise<number>} incr INCR key.
 * @property {() => Promise<unknown>} flush FLUSHDB.
 * @property {() => Promise<unknown>} close Closes the client.
 * @property {number} [maxInFlight] Largest number of commands the client takes
 *   at once in workload (b); (b) then runs in awaited batches of this size.
 * @property {string} [note] Anything about the client's configuration worth a footnote.
 */

/** The workloads, by id: what each measures and its sizes. */
export const workloads = {
  a: {
    title: "(a) 20k sequential awaited SET then GET",
    n: 20_000,
    warm: 2_000,
  },
  b: { title: "(b) 200k SET + 200k GET in flight", n: 200_000, warm: 20_000 },
  c: {
    title: "(c) 200 SET/GET of 1 MiB values",
    n: 200,
    warm: 10,
    size: 1 << 20,
  },
  d: {
    title: "(d) 50 callers x 2,000 awaited INCR",
    n: 2_000,
    warm: 200,
    callers: 50,
  },
};

/** Milliseconds a single workload (warm-up included) may take before it is abandoned. */
const deadlineMs = Number(
  globalThis.process?.env?.BENCH_WORKLOAD_TIMEOUT_MS ?? 60_000,
);

/** "deno 2.9.6", "bun 1.4.5" or "node v20.20.2". */
export function runtimeName() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`;
  return `node ${globalThis.process.version}`;
}

function args() {
  if (globalThis.Deno) return globalThis.Deno.args;
  return globalThis.process.argv.slice(2);
}

function env(name) {
  if (globalThis.Deno) return globalThis.Deno.env.get(name);
  return globalThis.process.env[name];
}

class VerifyError extends Error {
  name = "VerifyError";
}

/** Throws a VerifyError; callers test first, so the message costs nothing on success. */
function fail(message) {
  throw new VerifyError(`Cannot verify: ${message}`);
}

function quote(value) {
  const text = typeof value === "string" && value.length > 40
    ? `${value.slice(0, 40)}... (${value.length} chars)`
    : value;
  return JSON.stringify(text);
}

/** (a): one command at a time, each awaited: round-trip latency bound. */
async function sequential(store, n, tag) {
  let ops = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const key = `a:${tag}:${i}`;
    const value = `v${i}:${tag}`;
    await store.set(key, value);
    const got = await store.get(key);
    if (got !== value) {
      fail(`GET ${key} returned ${quote(got)}, expected ${quote(value)}`);
    }
    ops += 2;
  }
  return { ops, ms: performance.now() - t0 };
}

async function inBatches(count, batch, issue) {
  const out = new Array(count);
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    const promises = [];
    for (let i = start; i < end; i++) promises.push(issue(i));
    const values = await Promise.all(promises);
    for (let i = start; i < end; i++) out[i] = values[i - start];
  }
  return out;
}

/** (b): every SET issued without awaiting, then every GET: throughput bound. */
async function inFlight(store, n, tag) {
  const batch = store.maxInFlight ?? n;
  const t0 = performance.now();
  const sets = await inBatches(n, batch, (i) => store.set(`b:${tag}:${i}`, `${i}:${tag}`));
  const t1 = performance.now();
  const gets = await inBatches(n, batch, (i) => store.get(`b:${tag}:${i}`));
  const t2 = performance.now();
  for (let i = 0; i < n; i++) {
    if (sets[i] !== "OK") fail(`SET #${i} returned ${quote(sets[i])}`);
    const value = `${i}:${tag}`;
    if (gets[i] !== value) {
      fail(
        `GET b:${tag}:${i} returned ${quote(gets[i])}, expected ${quote(value)}`,
      );
    }
  }
  return {
    ops: 2 * n,
    ms: t2 - t0,
    detail: {
      setOpsPerSec: n / ((t1 - t0) / 1000),
      getOpsPerSec: n / ((t2 - t1) / 1000),
    },
    note: batch < n ? `in awaited batches of ${batch}` : undefined,
  };
}

/** Sixteen distinct 1 MiB ASCII values, built (and flattened) before timing. */
function bigValues(size) {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const base = alphabet.repeat(Math.ceil(size / alphabet.length)).slice(6, size);
  return Array.from({ length: 16 }, (_, i) => {
    const value = `#${String(i).padStart(4, "0")}#${base}`;
    // Indexing flattens the concatenation now rather than in the first timed SET.
    if (value.length !== size || value.charCodeAt(size - 1) !== base.charCodeAt(base.length - 1)) {
      fail("bad test value");
    }
    return value;
  });
}

/**
 * (c): large values, each SET and GET awaited. Key i % 8 gets value i % 16,
 * so a stale or truncated GET is caught. Only the SET and GET are timed: the
 * 1 MiB comparison that verifies each reply is left out of the clock.
 */
async function large(store, n, values) {
  let ms = 0;
  for (let i = 0; i < n; i++) {
    const key = `c:${i % 8}`;
    const value = values[i % 16];
    const t0 = performance.now();
    await store.set(key, value);
    const got = await store.get(key);
    ms += performance.now() - t0;
    if (got !== value) {
      const what = typeof got === "string" ? `${got.length} chars` : quote(got);
      fail(`GET ${key} returned ${what} that differ from the ${value.length} chars SET`);
    }
  }
  return { ops: 2 * n, ms };
}

/** (d): many callers sharing one client, each awaiting its own INCRs. */
async function concurrentIncr(store, callers, n, tag) {
  const key = `d:${tag}`;
  const total = callers * n;
  const seen = new Uint8Array(total + 1);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    for (let i = 0; i < n; i++) {
      const value = await store.incr(key);
      if (!(Number.isInteger(value) && value >= 1 && value <= total)) {
        fail(`INCR returned ${quote(value)}`);
      }
      if (seen[value] !== 0) fail(`INCR returned ${value} twice`);
      seen[value] = 1;
    }
  }));
  const ms = performance.now() - t0;
  const final = await store.get(key);
  if (final !== String(total)) {
    fail(`the counter is ${quote(final)}, expected "${total}"`);
  }
  return { ops: total, ms, detail: { final: Number(final) } };
}

/**
 * Runs one workload (its warm-up, then the timed run) and verifies it.
 *
 * @param {Adapter} store The client.
 * @param {"a" | "b" | "c" | "d"} id The workload.
 * @returns {Promise<{ ops: number, ms: number, detail?: object, note?: string }>}
 */
export async function run(store, id) {
  const w = workloads[id];
  switch (id) {
    case "a":
      await sequential(store, w.warm, "warm");
      return sequential(store, w.n, "run");
    case "b":
      await inFlight(store, w.warm, "warm");
      await store.flush();
      return inFlight(store, w.n, "run");
    case "c": {
      const values = bigValues(w.size);
      await large(store, w.warm, values);
      return large(store, w.n, values);
    }
    case "d":
      await concurrentIncr(store, w.callers, w.warm, "warm");
      return concurrentIncr(store, w.callers, w.n, "run");
    default:
      throw new RangeError(
        `Cannot run workload: "${id}" is not one of a, b, c, d`,
      );
  }
}

function withDeadline(promise, ms, id) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `Cannot finish workload ${id}: still running after ${ms} ms`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs the workloads named on the command line (default all) against one
 * client and prints one JSON line per workload. Exits non-zero when any failed.
 *
 * @param {(url: string) => Promise<Adapter>} open Connects the client (called once) to the
 *   server at `url` (from `BENCH_REDIS_URL`, default `redis://127.0.0.1:6379/0`).
 */
export async function main(open) {
  const ids = (args()[0] ?? "a,b,c,d").split(",").filter(Boolean);
  const round = Number(env("BENCH_ROUND") ?? 1);
  const runtime = runtimeName();
  const label = env("BENCH_LABEL");
  let store;
  let failed = false;
  const emit = (record) => console.log(JSON.stringify({ round, label, runtime, ...record }));
  try {
    store = await open(env("BENCH_REDIS_URL") ?? "redis://127.0.0.1:6379/0");
  } catch (error) {
    for (const id of ids) {
      emit({ client: "?", workload: id, ok: false, error: String(error) });
    }
    exit(1);
  }
  for (const id of ids) {
    try {
      await store.flush();
      const result = await withDeadline(run(store, id), deadlineMs, id);
      emit({
        client: store.client,
        workload: id,
        ok: true,
        ops: result.ops,
        ms: Math.round(result.ms * 100) / 100,
        opsPerSec: Math.round(result.ops / (result.ms / 1000)),
        ...(result.detail ? { detail: result.detail } : {}),
        ...(result.note || store.note
          ? { note: [result.note, store.note].filter(Boolean).join("; ") }
          : {}),
      });
    } catch (error) {
      failed = true;
      emit({
        client: store.client,
        workload: id,
        ok: false,
        error: String(error?.stack ?? error),
      });
      // A client that hung or broke may be unusable: stop rather than report garbage.
      if (!(error instanceof VerifyError)) break;
    }
  }
  try {
    await withDeadline(store.close(), 5_000, "close");
  } catch {
    // Closing is not measured.
  }
  exit(failed ? 1 : 0);
}

function exit(code) {
  if (globalThis.Deno) globalThis.Deno.exit(code);
  globalThis.process.exit(code);
}
