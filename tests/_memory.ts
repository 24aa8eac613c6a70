/**
 * Memory readings for the bounded-memory tests: the process's RSS after a
 * full collection where the runtime offers one. Bun collects lazily, so
 * garbage from parsing millions of arguments can sit in its RSS for seconds
 * and make a bound on live memory fail for the wrong reason; `Bun.gc(true)`
 * collects synchronously. Deno exposes no collector without V8 flags: its
 * reading includes garbage, so bounds keep a margin for it.
 */
import process from "node:process";
import { execFileSync } from "node:child_process";

/** The process's resident set size in bytes, after a full collection on Bun. */
export function settledRss(): number {
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
  return process.memoryUsage().rss;
}

/**
 * The resident set size of another process, in bytes, read with `ps` (Deno
 * refuses `/proc/<pid>/status` without `--allow-all`; `--allow-run` is given).
 */
export function processRss(pid: number): number {
  const kib = Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }));
  if (!Number.isFinite(kib)) throw new Error(`Cannot read the RSS of process ${pid}`);
  return kib * 1024;
}
