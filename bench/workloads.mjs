/**
 * The benchmark workloads, written once and run by every client: each
 * `workloads_<client>.{ts,mjs}` file wraps one client in a small
 * {@linkcode Adapter} and calls {@linkcode main}. Plain JavaScript so that
 * Node, Deno and Bun all load it as it is.
 *
 * Every workload is count-based, warmed up before it is timed, verified after
 * (a GET must return what was SET; INCRs must add up; every published message
 * must arrive once, in order), and bounded by a deadline. Results go to stdout
 * as one JSON object per line.
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
 * @property {(channel: string, message: string) => Promise<unknown>} [publish]
 *   PUBLISH channel message on the client's connection; resolves with the number
 *   of subscribers that got it. Needed by workload (e).
 * @property {(channel: string, onMessage: (message: string, channel: string) => void, onError: (error: unknown) => void) => Promise<() => Promise<unknown>>} [subscribe]
 *   Opens a subscriber connection of its own and subscribes it to `channel`;
 *   resolves once the server confirmed, with a function that closes that
 *   connection. Calls `onError` when receiving fails. Needed by workload (e).
 * @property {number} [maxInFlight] Largest number of commands the client takes
 *   at once in workloads (b) and (e); they then run in awaited batches of this size.
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
  e: {
    title: "(e) 100k PUBLISH to 1 subscriber",
    n: 100_000,
    warm: 10_000,
    size: 16,
  },
};

/** Milliseconds (e) waits for the missing messages once every PUBLISH was acknowledged. */
const drainMs = 10_000;

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
  const sets = await inBatches(
    n,
    batch,
    (i) => store.set(`b:${tag}:${i}`, `${i}:${tag}`),
  );
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
  const base = alphabet.repeat(Math.ceil(size / alphabet.length)).slice(
    6,
    size,
  );
  return Array.from({ length: 16 }, (_, i) => {
    const value = `#${String(i).padStart(4, "0")}#${base}`;
    // Indexing flattens the concatenation now rather than in the first timed SET.
    if (
      value.length !== size ||
      value.charCodeAt(size - 1) !== base.charCodeAt(base.length - 1)
    ) {
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
      fail(
        `GET ${key} returned ${what} that differ from the ${value.length} chars SET`,
      );
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
 * (e): one connection publishes `n` messages without awaiting each, another
 * (same process) is subscribed; timed from the first PUBLISH until the
 * subscriber has received the last message. Message i is i zero-padded to
 * `size` characters, built before timing, so every message is checked:
 * all received, in order, none missing, none extra.
 */
async function publishSubscribe(store, n, size, tag) {
  if (!store.publish || !store.subscribe) {
    throw new TypeError(
      `Cannot run workload e: the ${store.client} adapter cannot publish/subscribe`,
    );
  }
  const channel = `e:${tag}`;
  const payloads = Array.from(
    { length: n },
    (_, i) => String(i).padStart(size, "0"),
  );
  let received = 0;
  let problem;
  let finish;
  const done = new Promise((resolve) => finish = resolve);
  // The callbacks only record: a client may swallow what a callback throws.
  const close = await store.subscribe(channel, (message, from) => {
    if (problem !== undefined) return;
    if (received === n) {
      problem = `message ${quote(message)} arrived after all ${n}`;
    } else if (message !== payloads[received] || from !== channel) {
      problem = `message #${received} was ${quote(message)} on ${quote(from)}, ` +
        `expected ${quote(payloads[received])} on ${quote(channel)}`;
      finish();
    } else if (++received === n) finish();
  }, (error) => {
    problem ??= `receiving failed after ${received} messages: ${error}`;
    finish();
  });
  let timer;
  try {
    const batch = store.maxInFlight ?? n;
    const t0 = performance.now();
    let acked = NaN;
    const published = inBatches(
      n,
      batch,
      (i) => store.publish(channel, payloads[i]),
    )
      .then((replies) => {
        acked = performance.now();
        return replies;
      });
    // Once every PUBLISH is acknowledged the messages are on their way: a
    // bounded wait for the rest, so that a lost message fails rather than hangs.
    const drained = published.then(() =>
      Promise.race([
        done,
        new Promise((resolve) => timer = setTimeout(resolve, drainMs)),
      ])
    );
    await Promise.race([done, drained]);
    const t1 = performance.now();
    if (problem !== undefined) fail(problem);
    if (received !== n) {
      fail(
        `the subscriber got ${received} of ${n} messages within ${drainMs} ms of the last PUBLISH reply`,
      );
    }
    const replies = await published;
    for (let i = 0; i < n; i++) {
      // Number(): integer replies come as numbers from some clients, strings from others.
      if (Number(replies[i]) !== 1) {
        fail(
          `PUBLISH #${i} returned ${quote(replies[i])}, expected 1 receiver`,
        );
      }
    }
    // Let stragglers (duplicates, extras) show up before the check below.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (problem !== undefined) fail(problem);
    return {
      ops: n,
      ms: t1 - t0,
      detail: { publishAckOpsPerSec: n / ((acked - t0) / 1000) },
      note: batch < n ? `PUBLISH in awaited batches of ${batch}` : undefined,
    };
  } finally {
    clearTimeout(timer);
    await close();
  }
}

/**
 * Runs one workload (its warm-up, then the timed run) and verifies it.
 *
 * @param {Adapter} store The client.
 * @param {"a" | "b" | "c" | "d" | "e"} id The workload.
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
    case "e":
      await publishSubscribe(store, w.warm, w.size, "warm");
      return publishSubscribe(store, w.n, w.size, "run");
    default:
      throw new RangeError(
        `Cannot run workload: "${id}" is not one of a, b, c, d, e`,
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
  const ids = (args()[0] ?? "a,b,c,d,e").split(",").filter(Boolean);
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
