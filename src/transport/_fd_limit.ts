/**
 * The open-file limit of this process, read from Linux's `/proc/self/limits`
 * (neither Deno nor Bun exposes `getrlimit`). Both runtimes raise their soft
 * limit to the hard one at startup, so the soft limit read here is the one
 * that makes `accept` fail with EMFILE.
 *
 * @module
 */

/** Where Linux describes the process's resource limits. */
export const LIMITS_PATH = "/proc/self/limits";

/**
 * The soft "Max open files" limit in the text of `/proc/self/limits`.
 *
 * @param text The file's text.
 * @returns The limit, or `undefined` when absent or "unlimited".
 *
 * @example The soft limit is the first number
 * ```ts
 * import { parseOpenFileLimit } from "./_fd_limit.ts";
 *
 * const text = "Max open files            1024                 4096                 files\n";
 * console.log(parseOpenFileLimit(text)); // 1024
 * ```
 */
export function parseOpenFileLimit(text: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (match === null || match[1] === "unlimited") return undefined;
  const limit = Number(match[1]);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
}
