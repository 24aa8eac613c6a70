/**
 * The client's command table: one descriptor per Redis command (name, arity,
 * flags, where its keys are), one module per Redis command group, collected
 * here like the embedded server's `FAMILIES`. It answers what the client
 * must know about a command it did not build itself: whether `execute()` may
 * send it on the shared connection, whether it needs a connection of its
 * own, and which of its arguments are keys (for cluster slot routing).
 *
 * To add a group: generate `src/redis/table/<group>.ts` with
 * `tests/_gen_command_table.ts` and list it in {@linkcode FAMILIES}.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { type CommandDescriptor, type KeySpec, MOVABLE_KEYS } from "./_descriptor.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { connectionCommands } from "./connection.ts";
import { geoCommands } from "./geo.ts";
import { hashCommands } from "./hashes.ts";
import { hyperLogLogCommands } from "./hyperloglog.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./lists.ts";
import { pubsubCommands } from "./pubsub.ts";
import { scriptingCommands } from "./scripting.ts";
import { serverCommands } from "./server.ts";
import { setCommands } from "./sets.ts";
import { sortedSetCommands } from "./sorted_sets.ts";
import { streamCommands } from "./streams.ts";
import { stringCommands } from "./strings.ts";
import { transactionCommands } from "./transactions.ts";

export {
  BLOCKING,
  CONNECTION_STATE,
  MAY_REPLAY,
  MOVABLE_KEYS,
  PUBSUB,
  READONLY,
  REPLY_DOUBLE,
  REPLY_DOUBLES,
  REPLY_MAP,
  REPLY_MAPS,
  REPLY_PAIRS,
  REPLY_SCORED,
  WRITE,
} from "./_descriptor.ts";
export type { CommandDescriptor, KeySpec } from "./_descriptor.ts";

/** Every command family of the table. */
export const FAMILIES: readonly (readonly CommandDescriptor[])[] = [
  keyCommands,
  stringCommands,
  bitmapCommands,
  hashCommands,
  listCommands,
  setCommands,
  sortedSetCommands,
  streamCommands,
  geoCommands,
  hyperLogLogCommands,
  pubsubCommands,
  transactionCommands,
  scriptingCommands,
  connectionCommands,
  serverCommands,
];

const byName = new Map<string, CommandDescriptor>();
for (const family of FAMILIES) {
  for (const descriptor of family) byName.set(descriptor.name, descriptor);
}

/** Every command of the table, by upper-case name. */
export const COMMANDS: ReadonlyMap<string, CommandDescriptor> = byName;

const textDecoder = new TextDecoder();

function upper(arg: CommandArg | undefined): string {
  if (typeof arg === "string") return arg.toUpperCase();
  if (arg instanceof Uint8Array && arg.length <= 32) return textDecoder.decode(arg).toUpperCase();
  return "";
}

/**
 * The descriptor of the command `args` would run: the subcommand's for a
 * container command (`CLIENT REPLY`), the container's when the subcommand
 * is unknown.
 *
 * @param args The command name and its arguments.
 * @returns The descriptor, or `undefined` for a command the table lacks.
 */
export function describeCommand(args: readonly CommandArg[]): CommandDescriptor | undefined {
  const descriptor = byName.get(upper(args[0]));
  if (descriptor?.subcommands === undefined || args.length < 2) return descriptor;
  return descriptor.subcommands.get(upper(args[1])) ?? descriptor;
}

/**
 * The flag bits of the command `args` would run (0 when unknown).
 *
 * @param args The command name and its arguments.
 * @returns The flags.
 */
export function commandFlags(args: readonly CommandArg[]): number {
  return describeCommand(args)?.flags ?? 0;
}

function specKeys(spec: KeySpec, args: readonly CommandArg[], out: number[]): void {
  let begin = spec.index;
  if (spec.keyword !== undefined) {
    const keyword = spec.keyword.toUpperCase();
    const from = spec.index >= 0 ? spec.index : args.length + spec.index;
    const step = spec.index >= 0 ? 1 : -1;
    let found = -1;
    for (let i = from; i > 0 && i < args.length; i += step) {
      if (upper(args[i]) === keyword) {
        found = i;
        break;
      }
    }
    if (found < 0) return;
    begin = found + 1;
  }
  if (begin >= args.length) return;
  if (spec.kind === "range") {
    let last: number;
    if (spec.lastKey >= 0) last = begin + spec.lastKey;
    else if (spec.limit > 1) {
      last = begin + Math.floor((args.length - begin) / spec.limit) - 1;
    } else last = args.length + spec.lastKey;
    for (let i = begin; i <= last && i < args.length; i += spec.step) out.push(i);
    return;
  }
  const count = Number(
    typeof args[begin + spec.keyNum] === "string" || typeof args[begin + spec.keyNum] === "number"
      ? args[begin + spec.keyNum]
      : NaN,
  );
  if (!Number.isSafeInteger(count) || count < 0) return;
  const first = begin + spec.firstKey;
  for (let n = 0, i = first; n < count && i < args.length; n++, i += spec.step) out.push(i);
}

/**
 * The indexes of the keys among `args`, as the command's key specs say (the
 * command name is index 0). Keys whose place Redis itself marks unknown
 * (SORT ... BY) are not listed.
 *
 * @param args The command name and its arguments.
 * @returns Key indexes in ascending order, without duplicates.
 */
export function keyPositions(args: readonly CommandArg[]): number[] {
  const descriptor = describeCommand(args);
  if (!descriptor) return [];
  const out: number[] = [];
  for (const spec of descriptor.keys) specKeys(spec, args, out);
  if (out.length < 2 && (descriptor.flags & MOVABLE_KEYS) === 0) return out;
  return [...new Set(out)].sort((a, b) => a - b);
}
