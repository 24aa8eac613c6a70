/**
 * pulsar datastore: a Redis client (and an embedded Redis-compatible server)
 * for Deno and Bun, with no dependencies.
 *
 * @example Connect, set and get
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("greeting", "hello");
 * console.log(await store.get("greeting")); // "hello"
 * ```
 *
 * @module
 */

export { buildStoreUrl, maskUrl, parseStoreUrl } from "./src/url.ts";
export type { StoreParam, StoreUrl } from "./src/url.ts";
export { Command, Store } from "./src/store.ts";
export type { PubSubClient, StoreOptions } from "./src/store.ts";
export { RemoteStore } from "./src/remote_store.ts";
export { createStore, dataStores, registerStore } from "./src/registry.ts";
export { startStore } from "./src/start.ts";
export type { StartStoreOptions } from "./src/start.ts";
export type { StoreFactory } from "./src/registry.ts";
export { RedisStore } from "./src/redis/store.ts";
export type { RedisStoreOptions, WatchedStore, WatchOptions } from "./src/redis/store.ts";
export type {
  ChainedCommands,
  CommandName,
  Pipeline,
  ReplyOf,
  Transaction,
} from "./src/redis/pipeline.ts";
export { PubSub, Subscription } from "./src/redis/pubsub.ts";
export { RedisScript, scriptSha } from "./src/redis/script.ts";
export { Lock } from "./src/redis/lock.ts";
export type { LockOptions } from "./src/redis/lock.ts";
export type {
  IterateOptions,
  JsonLike,
  MessageIterator,
  OverflowPolicy,
  PubSubMessage,
  PubSubOptions,
  PubSubProtocol,
  SubscriptionKind,
} from "./src/redis/pubsub.ts";
export type {
  Conn,
  Connect,
  ConnectOptions,
  ConnSink,
  Listen,
  Listener,
  ListenOptions,
  Runtime,
  TlsOptions,
} from "./src/transport/types.ts";
export type { FileSystem } from "./src/server/persistence.ts";
export type { ServeOptions, SnapshotOptions } from "./src/server/server.ts";
export { BitfieldOps, BitfieldReads } from "./src/redis/commands/mod.ts";
export type {
  AdminCommands,
  AutoClaimed,
  BitfieldCommands,
  BitfieldOffset,
  BitfieldOverflow,
  BitfieldType,
  ClientKillFilter,
  FunctionLibrary,
  FunctionListOptions,
  GeoAddOptions,
  GeoBy,
  GeoCommands,
  GeoFrom,
  GeoMatch,
  GeoMember,
  GeoPosition,
  GeoSearchOptions,
  GeoStoreOptions,
  GeoUnit,
  HashCommands,
  HyperLogLogCommands,
  KeyCommands,
  LatencyEvent,
  LibraryFunction,
  ListCommands,
  RedisCommands,
  ScanCommands,
  ScriptingCommands,
  ServerCommands,
  SetCommands,
  SlowlogEntry,
  SortedSetCommands,
  StreamCommands,
  StringCommands,
} from "./src/redis/commands/mod.ts";
export type {
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
} from "./src/redis/commands/mod.ts";
export { CommandSet } from "./src/redis/command_set.ts";
export type {
  BitRange,
  Bound,
  CopyOptions,
  ExpireOptions,
  FlushOptions,
  GetExOptions,
  HashEntries,
  InfoSections,
  IntercardOptions,
  Key,
  KeyScanOptions,
  Limit,
  ListEnd,
  LposCountOptions,
  LposOptions,
  MpopOptions,
  MsetEntries,
  PoppedElement,
  PoppedElements,
  RestoreOptions,
  ScanOptions,
  ScanPage,
  SetOptions,
  SortOptions,
  SortStoreOptions,
  Value,
  ZAddOptions,
  ZCombineOptions,
  ZEnd,
  ZMember,
  ZMembers,
  ZPoppedMember,
  ZPoppedMembers,
  ZRangeByOptions,
  ZRangeOptions,
} from "./src/redis/commands/mod.ts";
export type { CommandCore } from "./src/redis/commands.ts";
export type { CallOptions, ReconnectOptions, Shape } from "./src/redis/connection.ts";
export type { Replies, ScoredMember } from "./src/redis/replies.ts";
export type { ReplyValue } from "./src/redis/execute_reply.ts";
export { Streams } from "./src/redis/stream_consumer.ts";
export type { ConsumedEntry, ConsumeOptions, StreamHost } from "./src/redis/stream_consumer.ts";
export {
  ConnectionClosedError,
  ConnectionError,
  LockError,
  NoScriptError,
  ProtocolError,
  ReplyError,
  WatchError,
} from "./src/errors.ts";
export { RespPush, VerbatimString } from "./src/protocol/types.ts";
export type { CommandArg, RespValue } from "./src/protocol/types.ts";
