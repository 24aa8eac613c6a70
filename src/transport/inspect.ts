/**
 * The symbols runtimes look up to print an object (`Deno.inspect`,
 * `Bun.inspect` and `node:util` use `nodejs.util.inspect.custom`).
 *
 * @module
 */

/** Deno's custom-inspect symbol. */
export const inspectDeno: unique symbol = Symbol.for("Deno.customInspect") as never;
/** The node-compatible custom-inspect symbol (Bun and node:util). */
export const inspectNode: unique symbol = Symbol.for("nodejs.util.inspect.custom") as never;
