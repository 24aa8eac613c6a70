/**
 * A compact way to write a {@linkcode CommandSpec}.
 *
 * @module
 */

import type { CommandContext, CommandFlag, CommandSpec } from "./types.ts";

/**
 * Builds a command spec.
 *
 * @param name Lowercase command name.
 * @param arity Redis arity (negative = at least).
 * @param flags Command flags.
 * @param keys `[firstKey, lastKey, step]`; `[0, 0, 0]` for keyless commands.
 * @param run The implementation.
 * @param subcommands Subcommands of a container command.
 * @returns the spec.
 *
 * @example
 * ```ts
 * import { command } from "./define.ts";
 *
 * const ping = command("ping", -1, ["fast"], [0, 0, 0], (ctx) => ctx.reply.simple("PONG"));
 * console.log(ping.name); // "ping"
 * ```
 */
export function command(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: readonly [number, number, number],
  run: (ctx: CommandContext) => void,
  subcommands?: readonly CommandSpec[],
): CommandSpec {
  return {
    name,
    arity,
    flags,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    run,
    subcommands,
  };
}

/** `[0, 0, 0]`: the command takes no keys. */
export const NO_KEYS: readonly [number, number, number] = [0, 0, 0];
/** `[1, 1, 1]`: one key, the first argument. */
export const ONE_KEY: readonly [number, number, number] = [1, 1, 1];
/** `[1, -1, 1]`: every argument is a key. */
export const ALL_KEYS: readonly [number, number, number] = [1, -1, 1];
