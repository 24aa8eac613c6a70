/**
 * Picks the runtime adapter by feature test.
 *
 * @module
 */

import type { Runtime } from "./types.ts";
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import { decodeUtf8Js } from "./_utf8.ts";

export type * from "./types.ts";
export { memoryPair } from "./memory.ts";

function detect(): Runtime {
  const global = globalThis as { Bun?: unknown; Deno?: unknown };
  if (global.Bun) return bunRuntime;
  if (global.Deno) return denoRuntime;
  const unsupported = (): never => {
    throw new Error("Cannot open a socket: no Deno or Bun runtime here (use a memory store)");
  };
  return { name: "unknown", connect: unsupported, listen: unsupported };
}

/** The adapter for the runtime this code runs on. */
export const runtime: Runtime = detect();

/**
 * Decodes the UTF-8 text in `bytes[from, to)` (invalid bytes become U+FFFD;
 * a leading BOM is kept, so text round-trips), the fastest way the runtime
 * offers.
 */
export const decodeUtf8: (bytes: Uint8Array, from: number, to: number) => string =
  runtime.decodeUtf8 ?? decodeUtf8Js;

/**
 * A decoder of text in `encoding` out of a range of bytes: the fast
 * {@linkcode decodeUtf8} for UTF-8, a `TextDecoder` otherwise. Either keeps
 * a leading BOM, so text round-trips.
 *
 * @param encoding A `TextDecoder` label, e.g. `"utf-8"`.
 * @returns The decoder.
 */
export function rangeDecoder(
  encoding: string,
): (bytes: Uint8Array, from: number, to: number) => string {
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  return decoder.encoding === "utf-8"
    ? decodeUtf8
    : (bytes, from, to) => decoder.decode(bytes.subarray(from, to));
}
