/**
 * Every typed command method, as one class chain ending in
 * {@linkcode RedisCommands}: keys → strings → hashes → lists → sets →
 * sorted sets → server → scan.
 *
 * @module
 */

import { ScanCommands } from "./scan.ts";

export { KeyCommands } from "./keys.ts";
export type {
  CopyOptions,
  ExpireOptions,
  Key,
  RestoreOptions,
  SortOptions,
  SortStoreOptions,
  Value,
} from "./keys.ts";
export { StringCommands } from "./strings.ts";
export type { BitRange, GetExOptions, MsetEntries, SetOptions } from "./strings.ts";
export { HashCommands } from "./hashes.ts";
export type { HashEntries } from "./hashes.ts";
export { ListCommands } from "./lists.ts";
export type {
  ListEnd,
  LposCountOptions,
  LposOptions,
  MpopOptions,
  PoppedElement,
  PoppedElements,
} from "./lists.ts";
export { SetCommands } from "./sets.ts";
export type { IntercardOptions } from "./sets.ts";
export { SortedSetCommands } from "./sorted_sets.ts";
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
export { ServerCommands } from "./server.ts";
export type { FlushOptions, InfoSections } from "./server.ts";
export { ScanCommands } from "./scan.ts";
export type { KeyScanOptions, ScanOptions, ScanPage } from "./scan.ts";

/**
 * Every typed command method: the end of the chain
 * {@linkcode KeyCommands} → {@linkcode StringCommands} →
 * {@linkcode HashCommands} → {@linkcode ListCommands} →
 * {@linkcode SetCommands} → {@linkcode SortedSetCommands} →
 * {@linkcode ServerCommands} → {@linkcode ScanCommands}.
 */
export abstract class RedisCommands extends ScanCommands {}
