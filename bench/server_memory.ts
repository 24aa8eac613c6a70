/**
 * Live heap per element of the embedded server's value structures, against
 * what `src/server/memory.ts` accounts for them: the numbers behind the
 * constants in that module.
 *
 * Each case fills a fresh `Database` the way commands do (a write, then
 * `set` or `touch`, so the incremental accounting runs), reads the live
 * heap after a full collection, and prints bytes per element: measured
 * growth, the incremental account (`usedMemory`) and a full recount
 * (`entryMemory(..., 0)`).
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/server_memory.ts
 * bun bench/server_memory.ts
 * ```
 *
 * @module
 */

import process from "node:process";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { toKey } from "../src/server/args.ts";
import {
  Database,
  hashEntry,
  listEntry,
  setEntry,
  stringEntry,
  zsetEntry,
} from "../src/server/keyspace.ts";
import { entryMemory } from "../src/server/memory.ts";
import type { Entry } from "../src/server/types.ts";

const runtime = globalThis as { Bun?: { gc(force: boolean): void }; gc?: () => void };
if (runtime.Bun === undefined && runtime.gc === undefined) {
  throw new Error("Cannot measure: run Deno with --v8-flags=--expose-gc");
}

/** Live bytes after a full collection (V8 keeps array buffers outside its heap). */
function live(): number {
  for (let i = 0; i < 3; i++) {
    if (runtime.Bun !== undefined) runtime.Bun.gc(true);
    else runtime.gc!();
  }
  const usage = process.memoryUsage();
  return runtime.Bun !== undefined ? usage.heapUsed : usage.heapUsed + usage.external;
}

// Elements are unique across keys too: equal short strings would be shared
// (`toKey` interns recent ones), which a real dataset may or may not do.
let unique = 0;

/** `length` bytes, unique (a counter's decimal digits at the end). */
function bytes(length: number, _i: number): Uint8Array {
  const i = unique++;
  const out = new Uint8Array(length).fill(120);
  const digits = String(i);
  for (let d = 0; d < digits.length && d < length; d++) {
    out[length - 1 - d] = digits.charCodeAt(digits.length - 1 - d);
  }
  return out;
}

type Fill = (db: Database, key: string, n: number, size: number, pick: boolean) => void;

const fills: Record<string, Fill> = {
  list(db, key, n, size) {
    const entry = listEntry();
    db.set(key, entry);
    for (let i = 0; i < n; i++) {
      entry.value.pushBack(bytes(size, i));
      db.touch(key);
    }
  },
  hash(db, key, n, size, pick) {
    const entry = hashEntry();
    db.set(key, entry);
    for (let i = 0; i < n; i++) {
      entry.value.set(toKey(bytes(8, i)), bytes(size, i));
      db.touch(key);
    }
    if (pick) entry.value.randomKey();
  },
  set(db, key, n, size, pick) {
    const entry = setEntry();
    db.set(key, entry);
    for (let i = 0; i < n; i++) {
      entry.value.add(toKey(bytes(size, i)));
      db.touch(key);
    }
    if (pick) entry.value.randomKey();
  },
  zset(db, key, n, size) {
    const entry = zsetEntry();
    db.set(key, entry);
    for (let i = 0; i < n; i++) {
      entry.value.add(toKey(bytes(size, i)), i);
      db.touch(key);
    }
  },
  string(db, key, _n, size) {
    db.set(key, stringEntry(bytes(size, 0).slice()));
  },
};

interface Case {
  type: string;
  /** Keys, and elements per key. */
  keys: number;
  n: number;
  /** Element (member, value) bytes. */
  size: number;
  /** Build the random-pick index after filling. */
  pick?: boolean;
}

const cases: Case[] = [
  { type: "string", keys: 200_000, n: 1, size: 10 },
  { type: "string", keys: 20_000, n: 1, size: 1000 },
  { type: "list", keys: 1, n: 1_000_000, size: 0 },
  { type: "list", keys: 1, n: 1_000_000, size: 7 },
  { type: "list", keys: 1, n: 200_000, size: 100 },
  { type: "list", keys: 1, n: 50_000, size: 1000 },
  { type: "list", keys: 20_000, n: 5, size: 10 },
  { type: "hash", keys: 1, n: 500_000, size: 7 },
  { type: "hash", keys: 1, n: 200_000, size: 100 },
  { type: "hash", keys: 1, n: 50_000, size: 1000 },
  { type: "hash", keys: 1, n: 500_000, size: 7, pick: true },
  { type: "hash", keys: 20_000, n: 5, size: 10 },
  { type: "set", keys: 1, n: 500_000, size: 10 },
  { type: "set", keys: 1, n: 200_000, size: 100 },
  { type: "set", keys: 1, n: 50_000, size: 1000 },
  { type: "set", keys: 1, n: 500_000, size: 10, pick: true },
  { type: "set", keys: 20_000, n: 5, size: 10 },
  { type: "zset", keys: 1, n: 500_000, size: 10 },
  { type: "zset", keys: 1, n: 200_000, size: 100 },
  { type: "zset", keys: 1, n: 50_000, size: 1000 },
  { type: "zset", keys: 20_000, n: 5, size: 10 },
];
if (process.argv.includes("--fixed")) {
  // Per-key fixed costs: the intercept of 1, 5 and 20 elements per key.
  cases.length = 0;
  cases.push({ type: "string", keys: 50_000, n: 1, size: 0 });
  for (const type of ["list", "hash", "set", "zset"]) {
    for (const n of [1, 5, 20]) cases.push({ type, keys: 20_000, n, size: 10 });
  }
}

const name = runtime.Bun !== undefined ? "bun" : "deno";
const which = process.argv.indexOf("--case");
if (which === -1) {
  // One process per case: a runtime frees array buffers lazily, so a case
  // measured after another would see the previous one's memory leave.
  console.log(`${name}: bytes per element (strings: per key); ratio = accounted / measured`);
  console.log("case                          measured  account  recount  ratio");
  const file = fileURLToPath(import.meta.url);
  const filter = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const label = `${c.type} ${c.keys}x${c.n} of ${c.size} B${c.pick ? " +pick" : ""}`;
    if (filter.length > 0 && !filter.some((word) => label.includes(word))) continue;
    const args = runtime.Bun !== undefined
      ? [file, ...process.argv.slice(2), "--case", String(i)]
      : [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        file,
        ...process.argv.slice(2),
        "--case",
        String(i),
      ];
    const row = execFileSync(process.execPath, args, { encoding: "utf8" }).trim();
    console.log(label.padEnd(30) + row);
  }
} else {
  const c = cases[Number(process.argv[which + 1])];
  const db = new Database(0);
  // Keys are made before the baseline: the keyspace's own cost is the string cases.
  const names = Array.from({ length: c.keys }, (_, i) => toKey(bytes(12, i)));
  const start = live();
  for (const key of names) fills[c.type](db, key, c.n, c.size, c.pick ?? false);
  const measured = live() - start;
  let recount = 0;
  for (const key of names) recount += entryMemory(key, db.peek(key) as Entry, 0);
  const count = c.keys * c.n;
  const row = [measured / count, db.usedMemory / count, recount / count];
  console.log(
    row.map((v) => v.toFixed(1).padStart(9)).join("") +
      (db.usedMemory / measured).toFixed(2).padStart(7),
  );
}
