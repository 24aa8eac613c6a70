/**
 * Every typed command method, one module per family, collected in
 * {@linkcode COMMAND_FAMILIES}. The families do not extend one another: each
 * extends `CommandCore` (the executor's members) and
 * {@linkcode RedisCommands} is their union, whose methods
 * `attachCommands()` puts on the store, views and batches.
 *
 * @module
 */

import { attachCommands, type CommandCore } from "../commands.ts";
import { HashCommands } from "./hashes.ts";
import { KeyCommands } from "./keys.ts";
import { ListCommands } from "./lists.ts";
import { ScanCommands } from "./scan.ts";
import { ServerCommands } from "./server.ts";
import { SetCommands } from "./sets.ts";
import { SortedSetCommands } from "./sorted_sets.ts";
import { StringCommands } from "./strings.ts";
import { StreamCommands } from "./streams.ts";
import { HyperLogLogCommands } from "./hyperloglog.ts";
import { GeoCommands } from "./geo.ts";
import { BitfieldCommands } from "./bitfield.ts";
import { ScriptingCommands } from "./scripting.ts";
import { AdminCommands } from "./admin.ts";

export type { KeyCommands } from "./keys.ts";
export type {
  CopyOptions,
  ExpireOptions,
  Key,
  RestoreOptions,
  SortOptions,
  SortStoreOptions,
  Value,
} from "./keys.ts";
export type { StringCommands } from "./strings.ts";
export type { BitRange, GetExOptions, MsetEntries, SetOptions } from "./strings.ts";
export type { HashCommands } from "./hashes.ts";
export type { HashEntries } from "./hashes.ts";
export type { ListCommands } from "./lists.ts";
export type {
  ListEnd,
  LposCountOptions,
  LposOptions,
  MpopOptions,
  PoppedElement,
  PoppedElements,
} from "./lists.ts";
export type { SetCommands } from "./sets.ts";
export type { IntercardOptions } from "./sets.ts";
export type { SortedSetCommands } from "./sorted_sets.ts";
export type {
  Bound,
  Limit,
  ScoredMember,
  ZAddOptions,
  ZCombineOptions,
  ZEnd,
  ZMember,
  ZMembers,
  ZPoppedMember,
  ZPoppedMembers,
  ZRangeByOptions,
  ZRangeOptions,
} from "./sorted_sets.ts";
export type { ServerCommands } from "./server.ts";
export type { FlushOptions, InfoSections } from "./server.ts";
export type { ScanCommands } from "./scan.ts";
export type { KeyScanOptions, ScanOptions, ScanPage } from "./scan.ts";
export type { StreamCommands } from "./streams.ts";
export type {
  AutoClaimed,
  PendingEntry,
  PendingSummary,
  StreamConsumerInfo,
  StreamEntry,
  StreamFields,
  StreamGroupInfo,
  StreamInfo,
  StreamTrim,
  XAddOptions,
  XClaimOptions,
  XGroupCreateOptions,
  XPendingRangeOptions,
  XReadGroupOptions,
  XReadOptions,
} from "./streams.ts";
export type { HyperLogLogCommands } from "./hyperloglog.ts";
export type { GeoCommands } from "./geo.ts";
export { BitfieldOps, BitfieldReads } from "./bitfield.ts";
export type {
  BitfieldCommands,
  BitfieldOffset,
  BitfieldOverflow,
  BitfieldType,
} from "./bitfield.ts";
export type { AdminCommands, ClientKillFilter, LatencyEvent, SlowlogEntry } from "./admin.ts";
export type {
  FunctionLibrary,
  FunctionListOptions,
  LibraryFunction,
  ScriptingCommands,
} from "./scripting.ts";
export type {
  GeoAddOptions,
  GeoBy,
  GeoFrom,
  GeoMatch,
  GeoMember,
  GeoPosition,
  GeoSearchOptions,
  GeoStoreOptions,
  GeoUnit,
} from "./geo.ts";

/** Every command family, in the order their methods are attached. */
export const COMMAND_FAMILIES: readonly (abstract new () => CommandCore)[] = [
  KeyCommands,
  StringCommands,
  HashCommands,
  ListCommands,
  SetCommands,
  SortedSetCommands,
  ServerCommands,
  ScanCommands,
  StreamCommands,
  HyperLogLogCommands,
  GeoCommands,
  BitfieldCommands,
  ScriptingCommands,
  AdminCommands,
];

/**
 * Every typed command method: the union of the families
 * {@linkcode KeyCommands}, {@linkcode StringCommands},
 * {@linkcode HashCommands}, {@linkcode ListCommands},
 * {@linkcode SetCommands}, {@linkcode SortedSetCommands},
 * {@linkcode ServerCommands}, {@linkcode ScanCommands},
 * {@linkcode StreamCommands}, {@linkcode HyperLogLogCommands},
 * {@linkcode GeoCommands}, {@linkcode BitfieldCommands},
 * {@linkcode ScriptingCommands} and {@linkcode AdminCommands}. The store, its
 * `with()` views, `watch()` handles, pipelines and transactions all have
 * these methods, over different executors.
 */
export interface RedisCommands
  extends
    KeyCommands,
    StringCommands,
    HashCommands,
    ListCommands,
    SetCommands,
    SortedSetCommands,
    ServerCommands,
    ScanCommands,
    StreamCommands,
    HyperLogLogCommands,
    GeoCommands,
    BitfieldCommands,
    ScriptingCommands,
    AdminCommands {}

/**
 * Puts every command method on `prototype` (see `attachCommands`).
 *
 * @param prototype The prototype of a class implementing the executor members.
 */
export function attachRedisCommands(prototype: object): void {
  attachCommands(prototype, COMMAND_FAMILIES);
}
