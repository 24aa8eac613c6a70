/**
 * Turns the JSON lines written by bench/run.sh into a markdown report:
 *
 *   node bench/report.mjs results.jsonl > bench/results.md
 *
 * Rates are medians over rounds; a client's ratio is the median, over rounds,
 * of its rate divided by redis-benchmark's rate measured in the same round.
 *
 * @module
 */

import { readFileSync } from "node:fs";

const titles = {
  a: "(a) 20k sequential SET→GET",
  b: "(b) 200k+200k in flight",
  c: "(c) 200 × 1 MiB SET/GET",
  d: "(d) 50 × 2k awaited INCR",
  e: "(e) 100k PUBLISH → SUBSCRIBE",
};
/** Reference runs shown for scale (not a ratio's base), by the workload they go with. */
const scale = { b: "b1", e: "e1" };
const order = [
  "redis-benchmark",
  "pulsar-deno",
  "pulsar-bun",
  "pulsar-deno-iter",
  "pulsar-bun-iter",
  "bun-redis",
  "ioredis-node",
  "ioredis-bun",
  "node-redis-node",
  "node-redis-bun",
];

const lines = readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l.startsWith("{"));
const records = lines.map((l) => JSON.parse(l));
const meta = records.find((r) => r.kind === "meta") ?? {};
const processes = records.filter((r) => r.kind === "process");
const results = records.filter((r) => !r.kind && r.label);
const workloadIds = (meta.workloads ?? "a,b,c,d").split(",");

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
const ratio = (n) => Number.isFinite(n) ? `${n.toFixed(2)}×` : "–";

const labels = [...new Set(results.map((r) => r.label))].sort((x, y) => {
  const i = order.indexOf(x), j = order.indexOf(y);
  return (i < 0 ? 99 : i) - (j < 0 ? 99 : j) || x.localeCompare(y);
});

function reference(workload, round) {
  return results.find((r) =>
    r.label === "redis-benchmark" && r.workload === workload &&
    r.round === round && r.ok
  )?.opsPerSec;
}

/** Median rate, median ratio, per-round rates and failures of one label and workload. */
function cell(label, workload) {
  const rows = results.filter((r) => r.label === label && r.workload === workload);
  const ok = rows.filter((r) => r.ok);
  const rates = ok.map((r) => r.opsPerSec);
  const ratios = ok.map((r) => r.opsPerSec / reference(workload, r.round))
    .filter(Number.isFinite);
  const failed = rows.filter((r) => !r.ok);
  // Processes that were to run this workload (older records name none: all of meta's).
  const rounds = [
    ...new Set(
      processes.filter((p) =>
        p.label === label && (p.workloads ?? meta.workloads ?? "").split(",").includes(workload)
      ).map((p) => p.round),
    ),
  ];
  // Rounds whose process ended without a line for this workload (timeout, crash, earlier failure).
  const missing = rounds.filter((round) => !rows.some((r) => r.round === round));
  return {
    rows,
    ok,
    rates,
    ratios,
    failed,
    missing,
    rate: median(rates),
    ratio: median(ratios),
  };
}

function runtimeOf(label) {
  return results.find((r) => r.label === label && r.runtime)?.runtime ?? "";
}

function clientOf(label) {
  return results.find((r) => r.label === label && r.client && r.client !== "?")
    ?.client ?? label;
}

const out = [];
out.push("# Benchmarks");
out.push("");
out.push(
  `Measured by \`bash bench/run.sh\` on ${meta.date ?? "?"}: ${meta.cpu ?? "?"}, ${
    meta.cpus ?? "?"
  } CPUs ` +
    `shared with other work (noisy), redis-server ${
      meta.redis ?? "?"
    } on 127.0.0.1 with no persistence; ` +
    `deno ${meta.deno}, bun ${meta.bun}, node ${meta.node}; ioredis ${meta.ioredis}, node-redis (\`redis\`) ` +
    `${meta.nodeRedis}. Every client runs with its default options, over one connection, in its own process, ` +
    `one after another.`,
);
out.push("");
out.push(
  `Cells: median ops/s over ${
    meta.rounds ?? "?"
  } round(s), and in parentheses the median over rounds of ` +
    `(client ÷ redis-benchmark measured in the same round). Higher is better. A cell is only filled ` +
    `when the workload's results were verified (every GET returned what was SET; the INCRs returned ` +
    `1..100000 once each and the counter ended at 100000; the subscriber got every published message ` +
    `once, in order, and every PUBLISH reported 1 receiver).`,
);
out.push("");
out.push(
  `| client | runtime | ${workloadIds.map((w) => titles[w] ?? w).join(" | ")} |`,
);
out.push(`| --- | --- | ${workloadIds.map(() => "---:").join(" | ")} |`);
const notes = [];
for (const label of labels) {
  const cells = workloadIds.map((w) => {
    const c = cell(label, w);
    if (c.ok.length === 0) {
      return c.rows.length || c.missing.length ? "**failed**" : "n/a";
    }
    const partial = c.failed.length + c.missing.length > 0
      ? ` ⚠ ${c.failed.length + c.missing.length} of ${
        c.ok.length + c.failed.length + c.missing.length
      } rounds failed`
      : "";
    const base = label === "redis-benchmark" ? fmt(c.rate) : `${fmt(c.rate)} (${ratio(c.ratio)})`;
    return base + partial;
  });
  const name = label === "redis-benchmark" ? "redis-benchmark (reference)" : clientOf(label);
  out.push(`| ${name} | ${runtimeOf(label)} | ${cells.join(" | ")} |`);
}
out.push("");
out.push("## Workloads and references");
out.push("");
const refNote = (w) =>
  results.find((r) => r.label === "redis-benchmark" && r.workload === w)
    ?.note ?? "?";
const describe = {
  a: "20,000 × (`await set(k, v)`; `await get(k)`), distinct keys; 40,000 ops.",
  b: "200,000 `set` issued without awaiting (one `Promise.all`), then 200,000 `get` the same way; 400,000 ops.",
  c: "200 × (`await set(k, v)`; `await get(k)`) with 1 MiB ASCII values (16 distinct values over 8 keys); 400 ops.",
  d: "50 async callers sharing one client, each doing 2,000 × `await incr(k)` on one key; 100,000 ops.",
  e: "100,000 × `publish(ch, m)` issued without awaiting (16-byte messages, the sequence number " +
    "zero-padded) on one connection, while a second connection of the same process, subscribed to " +
    "`ch`, receives them; timed from the first PUBLISH until the subscriber got the 100,000th " +
    "message; 100,000 ops.",
};
for (const w of workloadIds) {
  out.push(
    `- **${titles[w]}**: ${describe[w]} Reference: \`redis-benchmark ${refNote(w)}\`` +
      (w === "b" || w === "a" || w === "c"
        ? " (combined SET+GET rate: 2 / (1/SET + 1/GET))."
        : "."),
  );
}
if (workloadIds.includes("b")) {
  const c = cell("redis-benchmark", "b1");
  if (c.ok.length) {
    out.push(
      `- For scale in (b): one connection with a deep pipeline, \`redis-benchmark ${
        refNote("b1")
      }\`, ` +
        `gave a median ${
          fmt(c.rate)
        } ops/s (SET+GET combined); the ratios use the \`-c 50 -P 16\` ` +
        `figure above, the server's multi-client throughput.`,
    );
  }
}
if (workloadIds.includes("e")) {
  const c = cell("redis-benchmark", "e1");
  out.push(
    "- (e)'s reference is redis-benchmark's custom-command mode (7.0 has no publish test: " +
      "`-t publish` runs nothing), with no subscriber, so the server only counts receivers." +
      (c.ok.length
        ? ` For scale, with one \`redis-cli subscribe bench:ch\` (output to /dev/null) ` +
          `attached, it gave a median ${fmt(c.rate)} PUBLISH/s.`
        : ""),
  );
  out.push(
    "- (e) subscribers: ours: `pubsub.addClient((channel, message) => …)` after " +
      "`await pubsub.subscribe(ch)` on a second `store.pubsub()` (the *for await* rows iterate " +
      "the subscription instead); Bun: a second `RedisClient`, `subscribe(ch, listener)`; " +
      'ioredis: a second `Redis`, `on("message")`; node-redis: `client.duplicate()`, ' +
      "`subscribe(ch, listener)`." +
      (results.some((r) => r.workload === "e" && r.note?.includes("batches"))
        ? ""
        : " No client needed batching: all 100,000 PUBLISH were in flight at once."),
  );
}
if (workloadIds.includes("d")) {
  out.push(
    "- (d)'s reference is 50 connections without pipelining; a client that coalesces the 50 " +
      "callers' commands into one write per tick can beat it (ratio > 1×).",
  );
}
if (workloadIds.includes("c")) {
  out.push(
    "- In (c) only the SET and GET are timed, not the 1 MiB comparison that verifies each GET.",
  );
}
out.push(
  "- Every workload is preceded by a warm-up run of the same code (1/10 of the size, 1/20 for (c); " +
    "(e) warms up on another channel and subscriber connection) " +
    "and by FLUSHDB.",
);
out.push("");
out.push("## Per round");
out.push("");
out.push(
  "| client | runtime | workload | ops/s per round | ratio per round | notes |",
);
out.push("| --- | --- | --- | --- | --- | --- |");
for (const label of labels) {
  for (
    const w of label === "redis-benchmark"
      ? workloadIds.flatMap((id) => scale[id] ? [id, scale[id]] : [id])
      : workloadIds
  ) {
    const c = cell(label, w);
    if (c.rows.length === 0 && c.missing.length === 0) continue;
    const perRound = c.rows.sort((x, y) => x.round - y.round).map((r) =>
      r.ok ? fmt(r.opsPerSec) : "fail"
    );
    const perRatio = c.ok.map((r) => ratio(r.opsPerSec / reference(w, r.round)));
    const extra = [];
    const split = c.ok.filter((r) => r.detail?.setOpsPerSec);
    if (split.length) {
      extra.push(
        `median SET ${fmt(median(split.map((r) => r.detail.setOpsPerSec)))}/s, ` +
          `GET ${fmt(median(split.map((r) => r.detail.getOpsPerSec)))}/s`,
      );
    }
    const acked = c.ok.filter((r) => r.detail?.publishAckOpsPerSec);
    if (acked.length) {
      extra.push(
        `PUBLISH replies: median ${fmt(median(acked.map((r) => r.detail.publishAckOpsPerSec)))}/s`,
      );
    }
    const note = c.ok.find((r) => r.note && label !== "redis-benchmark")?.note;
    if (note) extra.unshift(note);
    for (const r of c.failed) {
      notes.push(`${label} ${w} round ${r.round}: ${r.error.split("\n")[0]}`);
    }
    for (const round of c.missing) {
      const p = processes.find((p) => p.label === label && p.round === round);
      const why = p?.exit === 124 || p?.exit === 137
        ? `killed by the ${p.seconds} s process timeout`
        : `no result (process exit ${p?.exit}${
          p?.stderr ? `: ${p.stderr.split("\n").pop()}` : ""
        })`;
      notes.push(`${label} ${w} round ${round}: ${why}`);
    }
    if (label === "redis-benchmark" && Object.values(scale).includes(w)) continue;
    out.push(
      `| ${clientOf(label)} | ${runtimeOf(label)} | ${w} | ${perRound.join(", ")} | ` +
        `${label === "redis-benchmark" ? "" : perRatio.join(", ")} | ${extra.join("; ")} |`,
    );
  }
}
if (notes.length) {
  out.push("");
  out.push("## Failures");
  out.push("");
  for (const n of notes) out.push(`- ${n}`);
}
console.log(out.join("\n"));
