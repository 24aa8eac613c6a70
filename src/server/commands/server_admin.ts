/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, INFO, TIME, COMMAND,
 * CONFIG, MEMORY, SAVE, BGSAVE, LASTSAVE, SHUTDOWN, MONITOR.
 *
 * @module
 */

import {
  DB_OUT_OF_RANGE,
  fromKey,
  isWord,
  lowerWord,
  NOT_INTEGER,
  parseInteger,
  SYNTAX_ERROR,
  toKey,
} from "../args.ts";
import type { Client } from "../client.ts";
import { command, NO_KEYS } from "../define.ts";
import {
  INT_MAX,
  INT_MIN,
  LLONG_MAX,
  type NumericBounds,
  parseMemory,
  parseNumeric,
  UINT_MAX,
  ULLONG_MAX,
} from "../config_values.ts";
import {
  CLIENT_OVERHEAD,
  datasetMemory,
  MAXMEMORY_POLICIES,
  performEvictions,
  resetEvictionPool,
  usedMemory,
} from "../eviction.ts";
import { globMatch } from "../glob.ts";
import { bytesToHuman, entryMemory } from "../memory.ts";
import {
  type OutputBufferLimit,
  type OutputBufferLimits,
  PULSARDS_VERSION,
  REDIS_VERSION,
  type ServerCore as PulsarServer,
} from "../server.ts";
import type { CommandContext, CommandSpec } from "../types.ts";
import { replyHelp } from "./keys.ts";

function serverOf(ctx: CommandContext): PulsarServer {
  return (ctx as Client).server;
}

function flushOptions(ctx: CommandContext): boolean {
  if (ctx.args.length > 2) {
    ctx.reply.error(SYNTAX_ERROR);
    return false;
  }
  if (ctx.args.length === 2 && !isWord(ctx.args[1], "async") && !isWord(ctx.args[1], "sync")) {
    ctx.reply.error(SYNTAX_ERROR);
    return false;
  }
  return true;
}

function flushdb(ctx: CommandContext): void {
  if (!flushOptions(ctx)) return;
  ctx.db.clear();
  ctx.reply.simple("OK");
}

function flushall(ctx: CommandContext): void {
  if (!flushOptions(ctx)) return;
  for (const db of ctx.server.databases) db.clear();
  ctx.reply.simple("OK");
}

function swapdb(ctx: CommandContext): void {
  ctx.reply.error("ERR SWAPDB is not supported by the embedded server");
}

interface MemoryUsage {
  heapUsed?: number;
  rss?: number;
}

function memoryUsage(): MemoryUsage {
  const process = (globalThis as { process?: { memoryUsage?: () => MemoryUsage } }).process;
  try {
    return process?.memoryUsage?.() ?? {};
  } catch {
    return {};
  }
}

/** Builds the INFO text for `sections` (empty = default sections). */
export function infoText(server: PulsarServer, sections: string[]): string {
  const all = sections.length === 0 || sections.includes("all") ||
    sections.includes("everything") ||
    sections.includes("default");
  const want = (name: string) => all || sections.includes(name);
  const out: string[] = [];
  const now = Date.now();
  if (want("server")) {
    const uptime = Math.floor((now - server.startTime) / 1000);
    out.push(
      "# Server",
      `redis_version:${REDIS_VERSION}`,
      "redis_git_sha1:00000000",
      "redis_git_dirty:0",
      "redis_build_id:0",
      "redis_mode:standalone",
      "os:pulsards",
      "arch_bits:64",
      "multiplexing_api:event-loop",
      `process_id:0`,
      "process_supervised:no",
      `run_id:${server.runId}`,
      `tcp_port:${server.config.port}`,
      `server_time_usec:${now * 1000}`,
      `uptime_in_seconds:${uptime}`,
      `uptime_in_days:${Math.floor(uptime / 86400)}`,
      `hz:${server.config.hz}`,
      `configured_hz:${server.config.hz}`,
      "executable:",
      "config_file:",
      "io_threads_active:0",
      `pulsards_version:${PULSARDS_VERSION}`,
      "",
    );
  }
  if (want("clients")) {
    let pubsubClients = 0;
    for (const client of server.clients.values()) if (client.subscriptionCount > 0) pubsubClients++;
    out.push(
      "# Clients",
      `connected_clients:${server.clients.size}`,
      "cluster_connections:0",
      `maxclients:${server.config.maxClients}`,
      "client_recent_max_input_buffer:0",
      "client_recent_max_output_buffer:0",
      `blocked_clients:${server.blockedClients}`,
      "tracking_clients:0",
      `clients_in_timeout_table:${server.blockedClients}`,
      `pubsub_clients:${pubsubClients}`,
      "",
    );
  }
  if (want("memory")) {
    // used_memory is the server's own accounting (see ../eviction.ts), the
    // number maxmemory bounds; the process figures include the host application.
    const usage = memoryUsage();
    const used = usedMemory(server);
    const peak = Math.max(server.stats.usedMemoryPeak, used);
    server.stats.usedMemoryPeak = peak;
    const dataset = datasetMemory(server);
    const startup = used - dataset - server.clients.size * CLIENT_OVERHEAD;
    const rss = usage.rss ?? 0;
    const maxmemory = server.config.maxmemory;
    const percent = (part: number, whole: number) =>
      `${(whole > 0 ? (part * 100) / whole : 0).toFixed(2)}%`;
    out.push(
      "# Memory",
      `used_memory:${used}`,
      `used_memory_human:${bytesToHuman(used)}`,
      `used_memory_rss:${rss}`,
      `used_memory_rss_human:${bytesToHuman(rss)}`,
      `used_memory_peak:${peak}`,
      `used_memory_peak_human:${bytesToHuman(peak)}`,
      `used_memory_peak_perc:${percent(used, peak)}`,
      `used_memory_overhead:${used - dataset}`,
      `used_memory_startup:${startup}`,
      `used_memory_dataset:${dataset}`,
      `used_memory_dataset_perc:${percent(dataset, used - startup)}`,
      `used_memory_vm_heap:${usage.heapUsed ?? 0}`,
      `maxmemory:${maxmemory}`,
      `maxmemory_human:${bytesToHuman(maxmemory)}`,
      `maxmemory_policy:${server.config.maxmemoryPolicy}`,
      "mem_allocator:js-gc",
      "",
    );
  }
  if (want("persistence")) {
    out.push(
      "# Persistence",
      "loading:0",
      "async_loading:0",
      `rdb_changes_since_last_save:${server.changesSinceSave}`,
      `rdb_bgsave_in_progress:${server.saving !== null ? 1 : 0}`,
      `rdb_last_save_time:${server.lastSave}`,
      `rdb_last_bgsave_status:${server.lastSaveOk ? "ok" : "err"}`,
      `rdb_saves:0`,
      "aof_enabled:0",
      "aof_rewrite_in_progress:0",
      "",
    );
  }
  if (want("stats")) {
    let subscriptions = 0;
    for (const set of server.pubsub.channels.values()) subscriptions += set.size > 0 ? 1 : 0;
    out.push(
      "# Stats",
      `total_connections_received:${server.stats.connectionsReceived}`,
      `total_commands_processed:${server.stats.commandsProcessed}`,
      "instantaneous_ops_per_sec:0",
      `rejected_connections:${server.stats.rejectedConnections}`,
      `expired_keys:${server.stats.expiredKeys}`,
      `evicted_keys:${server.stats.evictedKeys}`,
      "keyspace_hits:0",
      "keyspace_misses:0",
      `pubsub_channels:${subscriptions}`,
      `pubsub_patterns:${server.pubsub.patterns.size}`,
      "",
    );
  }
  if (want("replication")) {
    out.push("# Replication", "role:master", "connected_slaves:0", "");
  }
  if (want("keyspace")) {
    out.push("# Keyspace");
    for (const db of server.databases) {
      if (db.size === 0) continue;
      out.push(`db${db.index}:keys=${db.size},expires=${db.volatileSize},avg_ttl=0`);
    }
    out.push("");
  }
  if (sections.includes("commandstats") || sections.includes("everything")) {
    out.push("# Commandstats");
    for (const cmd of server.table.byName.values()) {
      if (cmd.calls === 0) continue;
      out.push(
        `cmdstat_${cmd.fullName}:calls=${cmd.calls},usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0`,
      );
    }
    out.push("");
  }
  // Redis ends sections with "\r\n" and drops the final blank line.
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.join("\r\n") + (out.length > 0 ? "\r\n" : "");
}

function info(ctx: CommandContext): void {
  const sections: string[] = [];
  for (let i = 1; i < ctx.args.length; i++) sections.push(lowerWord(ctx.args[i]));
  ctx.reply.verbatim(infoText(serverOf(ctx), sections));
}

function time(ctx: CommandContext): void {
  const now = Date.now();
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(String(Math.floor(now / 1000)));
  ctx.reply.bulk(String((now % 1000) * 1000));
}

// --- CONFIG ---------------------------------------------------------------

/**
 * One CONFIG parameter. `set` validates and applies a value (a latin1 binary
 * string), returning Redis's error text or null; `get` gives the current
 * value as CONFIG GET shows it. Parameters keep their state in
 * `server.config` (or `informational` below), which CONFIG SET snapshots so a
 * failed multi-parameter SET restores all of them (Redis 7: all or nothing).
 */
interface ConfigParam {
  get(server: PulsarServer): string;
  /** Absent: CONFIG SET refuses with `refusal` (Redis's immutable/protected configs). */
  set?(server: PulsarServer, value: string): string | null;
  /** Why `set` is absent. */
  refusal?: string;
}

const utf8 = new TextDecoder();

const IMMUTABLE = "can't set immutable config";
const PROTECTED = "can't set protected config";

/** A numeric parameter with Redis's bounds, stored through `store`. */
function numeric(
  bounds: NumericBounds,
  get: (s: PulsarServer) => number,
  store: (s: PulsarServer, n: number) => void,
): ConfigParam {
  return {
    get: (s) => String(get(s)),
    set: (s, v) => {
      const n = parseNumeric(v, bounds);
      if (typeof n === "string") return n;
      store(s, Number(n));
      return null;
    },
  };
}

/** Integer parameters with no effect on the embedded server: validated and kept for CONFIG GET. */
const informational = new WeakMap<PulsarServer, Map<string, number>>();

function informationalValue(server: PulsarServer, name: string, initial: number): number {
  return informational.get(server)?.get(name) ?? initial;
}

/** A parameter the server keeps but does not act on (slowlog, listpack sizes: see issue 11). */
function stored(name: string, initial: number, bounds: NumericBounds): ConfigParam {
  return numeric(bounds, (s) => informationalValue(s, name, initial), (s, n) => {
    let values = informational.get(s);
    if (values === undefined) informational.set(s, values = new Map());
    values.set(name, n);
  });
}

/** A parameter whose only accepted value is its current one (the server cannot change it live). */
function fixedValue(get: (s: PulsarServer) => string, refusal: string): ConfigParam["set"] {
  return (s, v) => v === get(s) ? null : refusal;
}

// Turns access counting on in every database while an LFU policy is selected.
function applyLfu(server: PulsarServer): void {
  const { maxmemoryPolicy, lfuLogFactor, lfuDecayTime } = server.config;
  const settings = maxmemoryPolicy.endsWith("-lfu")
    ? { logFactor: lfuLogFactor, decayTime: lfuDecayTime }
    : null;
  for (const db of server.databases) db.lfu = settings;
}

const INT_RANGE: NumericBounds = { min: 0n, max: INT_MAX };
const LONG_RANGE: NumericBounds = { min: 0n, max: LLONG_MAX };
const MEMORY_1MB_UP: NumericBounds = { min: 1024n * 1024n, max: LLONG_MAX, memory: true };

const CLIENT_CLASSES: Record<string, keyof OutputBufferLimits> = {
  normal: "normal",
  slave: "replica",
  replica: "replica",
  pubsub: "pubsub",
};

function formatOutputLimits(server: PulsarServer): string {
  const limits = server.config.outputBufferLimits;
  return (["normal", "replica", "pubsub"] as const).map((cls) => {
    const { hard, soft, softSeconds } = limits[cls];
    return `${cls === "replica" ? "slave" : cls} ${hard} ${soft} ${softSeconds}`;
  }).join(" ");
}

// Redis's setConfigClientOutputBufferLimitOption: every class checked before any is applied.
function setOutputLimits(server: PulsarServer, value: string): string | null {
  const words = value.split(" ").filter((word) => word !== "");
  if (words.length % 4 !== 0) return "Wrong number of arguments in buffer limit configuration.";
  const updates: [keyof OutputBufferLimits, OutputBufferLimit][] = [];
  for (let i = 0; i < words.length; i += 4) {
    const name = words[i].toLowerCase();
    const cls = Object.hasOwn(CLIENT_CLASSES, name) ? CLIENT_CLASSES[name] : undefined;
    if (cls === undefined) {
      return "Invalid client class specified in buffer limit configuration.";
    }
    const hard = parseMemory(words[i + 1]);
    const soft = parseMemory(words[i + 2]);
    const seconds = /^[+-]?[0-9]+$/.test(words[i + 3]) ? Number(words[i + 3]) : -1;
    if (hard === null || soft === null || seconds < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    updates.push([cls, { hard: Number(hard), soft: Number(soft), softSeconds: seconds }]);
  }
  for (const [cls, limit] of updates) {
    server.config.outputBufferLimits[cls] = limit;
  }
  return null;
}

// Redis's setConfigSaveOption check: pairs of <seconds >= 1> <changes >= 0>.
function validSave(value: string): boolean {
  const words = value.split(" ").filter((word) => word !== "");
  if (words.length % 2 !== 0) return false;
  return words.every((word, i) => /^-?[0-9]+$/.test(word) && Number(word) >= (i % 2 === 0 ? 1 : 0));
}

const KEYSPACE_EVENT_CLASSES = "Ag$lshzxeKEtmdn";

const CONFIG: Record<string, ConfigParam> = {
  requirepass: {
    get: (s) => s.config.requirepass,
    set: (s, v) => {
      // `v` is a binary string; AUTH compares the UTF-8 bytes of the password.
      s.config.requirepass = utf8.decode(fromKey(v));
      return null;
    },
  },
  port: {
    get: (s) => String(s.config.port),
    set: (s, v) => {
      const n = parseNumeric(v, { min: 0n, max: 65535n });
      if (typeof n === "string") return n;
      return Number(n) === s.config.port ? null : "Unable to listen on this port";
    },
  },
  bind: {
    get: (s) => s.config.bind,
    set: fixedValue((s) => s.config.bind, "Failed to bind to specified addresses."),
  },
  databases: { get: (s) => String(s.databases.length), refusal: IMMUTABLE },
  dbfilename: { get: (s) => s.config.dbfilename, refusal: PROTECTED },
  dir: { get: () => "", refusal: PROTECTED },
  save: {
    get: (s) => s.config.save,
    set: (s, v) => {
      if (!validSave(v)) return "Invalid save parameters";
      // The schedule comes from serve({ snapshot }); it is not rescheduled live.
      return v.split(" ").filter(Boolean).join(" ") === s.config.save
        ? null
        : "the save schedule of the embedded server is set by serve({ snapshot })";
    },
  },
  appendonly: {
    get: () => "no",
    set: (_s, v) => {
      const value = v.toLowerCase();
      if (value !== "yes" && value !== "no") return "argument must be 'yes' or 'no'";
      return value === "no" ? null : "Unable to turn on AOF. Check server logs.";
    },
  },
  maxmemory: numeric({ min: 0n, max: ULLONG_MAX, memory: true }, (s) => s.config.maxmemory, (
    s,
    n,
  ) => (s.config.maxmemory = n)),
  "maxmemory-policy": {
    get: (s) => s.config.maxmemoryPolicy,
    set: (s, v) => {
      const policy = v.toLowerCase();
      if (!MAXMEMORY_POLICIES.includes(policy)) {
        return `argument(s) must be one of the following: ${MAXMEMORY_POLICIES.join(", ")}`;
      }
      if (policy !== s.config.maxmemoryPolicy) resetEvictionPool(s);
      s.config.maxmemoryPolicy = policy;
      applyLfu(s);
      return null;
    },
  },
  "maxmemory-samples": numeric(
    { min: 1n, max: INT_MAX },
    (s) => s.config.maxmemorySamples,
    (s, n) => (s.config.maxmemorySamples = n),
  ),
  "lfu-log-factor": numeric(INT_RANGE, (s) => s.config.lfuLogFactor, (s, n) => {
    s.config.lfuLogFactor = n;
    applyLfu(s);
  }),
  "lfu-decay-time": numeric(INT_RANGE, (s) => s.config.lfuDecayTime, (s, n) => {
    s.config.lfuDecayTime = n;
    applyLfu(s);
  }),
  "notify-keyspace-events": {
    get: () => "",
    set: (_s, v) => {
      for (const c of v) {
        if (!KEYSPACE_EVENT_CLASSES.includes(c)) {
          return `Invalid event class character. Use '${KEYSPACE_EVENT_CLASSES}'.`;
        }
      }
      return v === "" ? null : "keyspace notifications are not supported by the embedded server";
    },
  },
  timeout: numeric(INT_RANGE, (s) => s.config.timeout, (s, n) => (s.config.timeout = n)),
  // Redis clamps hz to 1..500 (CONFIG_MIN_HZ..CONFIG_MAX_HZ) after the range check.
  hz: numeric(
    INT_RANGE,
    (s) => s.config.hz,
    (s, n) => (s.config.hz = Math.min(500, Math.max(1, n))),
  ),
  maxclients: numeric(
    { min: 1n, max: UINT_MAX },
    (s) => s.config.maxClients,
    (s, n) => (s.config.maxClients = n),
  ),
  // Applies to connections made after the change.
  "proto-max-bulk-len": numeric(
    MEMORY_1MB_UP,
    (s) => s.config.maxBulkLength,
    (s, n) => (s.config.maxBulkLength = n),
  ),
  "client-query-buffer-limit": numeric(
    MEMORY_1MB_UP,
    (s) => s.config.maxQueryBuffer,
    (s, n) => (s.config.maxQueryBuffer = n),
  ),
  "client-output-buffer-limit": { get: formatOutputLimits, set: setOutputLimits },
  // lua-time-limit is Redis's old name of busy-reply-threshold: one value.
  "lua-time-limit": stored("busy-reply-threshold", 5000, LONG_RANGE),
  "busy-reply-threshold": stored("busy-reply-threshold", 5000, LONG_RANGE),
  "slowlog-log-slower-than": stored("slowlog-log-slower-than", 10000, {
    min: -1n,
    max: LLONG_MAX,
  }),
  "slowlog-max-len": stored("slowlog-max-len", 128, LONG_RANGE),
  "list-max-listpack-size": stored("list-max-listpack-size", -2, { min: INT_MIN, max: INT_MAX }),
  "hash-max-listpack-entries": stored("hash-max-listpack-entries", 128, LONG_RANGE),
  "hash-max-listpack-value": stored("hash-max-listpack-value", 64, { ...LONG_RANGE, memory: true }),
  "set-max-intset-entries": stored("set-max-intset-entries", 512, LONG_RANGE),
  "zset-max-listpack-entries": stored("zset-max-listpack-entries", 128, LONG_RANGE),
  "zset-max-listpack-value": stored("zset-max-listpack-value", 64, { ...LONG_RANGE, memory: true }),
};

function configGet(ctx: CommandContext): void {
  const server = serverOf(ctx);
  const seen = new Set<string>();
  const pairs: [string, string][] = [];
  for (let i = 2; i < ctx.args.length; i++) {
    const pattern = lowerWord(ctx.args[i]);
    for (const name of Object.keys(CONFIG)) {
      if (seen.has(name) || !globMatch(pattern, name)) continue;
      seen.add(name);
      pairs.push([name, CONFIG[name].get(server)]);
    }
  }
  ctx.reply.mapHeader(pairs.length);
  for (const [name, value] of pairs) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

/**
 * CONFIG SET, as Redis 7's configSetCommand: every name is checked first
 * (unknown, immutable/protected, duplicate: the first problem is reported),
 * then the values are set in order; when one fails, the ones already set get
 * their previous values back, so the command changes all or nothing.
 */
function configSet(ctx: CommandContext): void {
  const server = serverOf(ctx);
  const args = ctx.args;
  // (Fewer than 4 arguments never get here: the arity check answers them.)
  if ((args.length - 2) % 2 !== 0) return ctx.reply.error(SYNTAX_ERROR);
  const names: string[] = [];
  for (let i = 2; i < args.length; i += 2) {
    const given = toKey(args[i]);
    const name = lowerWord(args[i]);
    const param = Object.hasOwn(CONFIG, name) ? CONFIG[name] : undefined;
    if (param === undefined) {
      return ctx.reply.error(
        `ERR Unknown option or number of arguments for CONFIG SET - '${given}'`,
      );
    }
    const problem = param.set === undefined
      ? param.refusal ?? IMMUTABLE
      : names.includes(name)
      ? "duplicate parameter"
      : null;
    if (problem !== null) {
      return ctx.reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${given}') - ${problem}`,
      );
    }
    names.push(name);
  }
  const config = server.config;
  const saved = { ...config, outputBufferLimits: { ...config.outputBufferLimits } };
  const savedStored = new Map(informational.get(server));
  for (let i = 0; i < names.length; i++) {
    const error = CONFIG[names[i]].set!(server, toKey(args[2 + 2 * i + 1]));
    if (error !== null) {
      // All or nothing: the parameters set before this one get their values back.
      Object.assign(config, saved);
      informational.set(server, savedStored);
      applyLfu(server);
      return ctx.reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${names[i]}') - ${error}`,
      );
    }
  }
  // A lower limit takes effect now (Redis starts its eviction right away too).
  if (names.includes("maxmemory") || names.includes("maxmemory-policy")) performEvictions(server);
  ctx.reply.simple("OK");
}

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Print this help.",
];

const configCommand = command("config", -2, [], NO_KEYS, () => {}, [
  command("get", -3, ["admin", "noscript", "loading", "stale"], NO_KEYS, configGet),
  command("set", -4, ["admin", "noscript", "loading", "stale"], NO_KEYS, configSet),
  command("resetstat", 2, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const server = serverOf(ctx);
    server.stats.commandsProcessed = 0;
    server.stats.connectionsReceived = 0;
    server.stats.rejectedConnections = 0;
    server.stats.expiredKeys = 0;
    server.stats.evictedKeys = 0;
    server.stats.usedMemoryPeak = usedMemory(server);
    for (const cmd of server.table.byName.values()) cmd.calls = 0;
    ctx.reply.simple("OK");
  }),
  command("rewrite", 2, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    ctx.reply.error("ERR The server is running without a config file");
  }),
  command("help", 2, ["loading", "stale"], NO_KEYS, (ctx) => replyHelp(ctx, CONFIG_HELP)),
]);

// --- COMMAND ----------------------------------------------------------------

function writeCommandInfo(ctx: CommandContext, name: string): void {
  const server = serverOf(ctx);
  const cmd = server.table.byName.get(name);
  const reply = ctx.reply;
  if (cmd === undefined) return reply.nullBulk();
  const spec = cmd.spec;
  writeInfoHead(ctx, spec.name, spec);
  const subs = spec.subcommands ?? [];
  reply.arrayHeader(subs.length);
  for (const sub of subs) {
    writeInfoHead(ctx, `${spec.name}|${sub.name}`, sub);
    reply.arrayHeader(0);
  }
}

/** A COMMAND INFO entry's `*10` header and first nine fields; the caller writes the subcommands. */
function writeInfoHead(ctx: CommandContext, fullName: string, spec: CommandSpec): void {
  const reply = ctx.reply;
  reply.arrayHeader(10);
  reply.bulk(fullName);
  reply.integer(spec.arity);
  reply.setHeader(spec.flags.length);
  for (const flag of spec.flags) reply.simple(flag);
  reply.integer(spec.firstKey);
  reply.integer(spec.lastKey);
  reply.integer(spec.step);
  reply.setHeader(0);
  reply.arrayHeader(0);
  reply.arrayHeader(0);
}

const commandCommand = command("command", -1, ["loading", "stale"], NO_KEYS, (ctx) => {
  const server = serverOf(ctx);
  if (ctx.args.length === 1) {
    ctx.reply.arrayHeader(server.table.byName.size);
    for (const name of server.table.byName.keys()) writeCommandInfo(ctx, name);
    return;
  }
  const sub = lowerWord(ctx.args[1]);
  const args = ctx.args;
  switch (sub) {
    case "count":
      if (args.length !== 2) break;
      return ctx.reply.integer(server.table.byName.size);
    case "info": {
      const names = args.length === 2
        ? [...server.table.byName.keys()]
        : args.slice(2).map(lowerWord);
      ctx.reply.arrayHeader(names.length);
      for (const name of names) writeCommandInfo(ctx, name);
      return;
    }
    case "docs": {
      const names = args.length === 2
        ? [...server.table.byName.keys()]
        : args.slice(2).map(lowerWord);
      const known = names.filter((n) => server.table.byName.has(n));
      ctx.reply.mapHeader(known.length);
      for (const name of known) {
        ctx.reply.bulk(name);
        ctx.reply.mapHeader(1);
        ctx.reply.bulk("summary");
        ctx.reply.bulk(`The ${name.toUpperCase()} command.`);
      }
      return;
    }
    case "list": {
      ctx.reply.arrayHeader(server.table.byName.size);
      for (const name of server.table.byName.keys()) ctx.reply.bulk(name);
      return;
    }
    case "getkeys": {
      if (args.length < 3) break;
      const cmd = server.table.lookup(args[2]);
      if (cmd === undefined) return ctx.reply.error("ERR Invalid command specified");
      const spec = cmd.spec;
      const argv = args.slice(2);
      if (spec.firstKey === 0) {
        return ctx.reply.error("ERR The command has no key arguments");
      }
      const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
      const keys: Uint8Array[] = [];
      for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step || 1) {
        keys.push(argv[i]);
      }
      ctx.reply.arrayHeader(keys.length);
      for (const key of keys) ctx.reply.bulk(key);
      return;
    }
    case "help":
      return replyHelp(ctx, [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "HELP",
        "    Print this help.",
      ]);
    default:
      return ctx.reply.error(
        `ERR unknown subcommand '${toKey(args[1])}'. Try COMMAND HELP.`,
      );
  }
  ctx.reply.error(`ERR wrong number of arguments for 'command|${sub}' command`);
});

// --- MEMORY -----------------------------------------------------------------

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

// MEMORY USAGE key [SAMPLES count]: the accounting estimate, sampled like Redis's.
function memoryUsageCommand(ctx: CommandContext): void {
  const args = ctx.args;
  let samples = 5;
  for (let i = 3; i < args.length; i++) {
    if (!isWord(args[i], "samples") || i + 1 >= args.length) return ctx.reply.error(SYNTAX_ERROR);
    const n = parseInteger(args[++i]);
    if (n === null) return ctx.reply.error(NOT_INTEGER);
    if (n < 0) return ctx.reply.error(SYNTAX_ERROR);
    samples = Number(n);
  }
  const key = toKey(args[2]);
  const entry = ctx.db.peek(key);
  if (entry === undefined) return ctx.reply.nullBulk();
  ctx.reply.integer(entryMemory(key, entry, samples));
}

function memoryStats(ctx: CommandContext): void {
  const server = serverOf(ctx);
  const used = usedMemory(server);
  const dataset = datasetMemory(server);
  let keys = 0;
  for (const db of server.databases) keys += db.size;
  const startup = used - dataset - server.clients.size * CLIENT_OVERHEAD;
  const fields: [string, number][] = [
    ["peak.allocated", Math.max(server.stats.usedMemoryPeak, used)],
    ["total.allocated", used],
    ["startup.allocated", startup],
    ["clients.normal", server.clients.size * CLIENT_OVERHEAD],
    ["overhead.total", used - dataset],
    ["keys.count", keys],
    ["keys.bytes-per-key", keys === 0 ? 0 : Math.floor((used - startup) / keys)],
    ["dataset.bytes", dataset],
  ];
  ctx.reply.mapHeader(fields.length);
  for (const [name, value] of fields) {
    ctx.reply.bulk(name);
    ctx.reply.integer(value);
  }
}

const memoryCommand = command("memory", -2, [], NO_KEYS, () => {}, [
  command("usage", -3, ["readonly"], [2, 2, 1], memoryUsageCommand),
  command("stats", 2, [], NO_KEYS, memoryStats),
  command("doctor", 2, [], NO_KEYS, (ctx) => {
    ctx.reply.verbatim(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.",
    );
  }),
  command("malloc-stats", 2, [], NO_KEYS, (ctx) => {
    ctx.reply.verbatim("Stats not supported for the current allocator");
  }),
  command("purge", 2, [], NO_KEYS, (ctx) => ctx.reply.simple("OK")),
  command("help", 2, ["loading", "stale"], NO_KEYS, (ctx) => replyHelp(ctx, MEMORY_HELP)),
]);

// --- persistence & lifecycle ----------------------------------------------------

function save(ctx: CommandContext): void {
  const server = serverOf(ctx);
  if (server.config.dbfilename === "") {
    return ctx.reply.error(
      "ERR snapshots are not configured (start the server with a snapshot path)",
    );
  }
  if (server.saving !== null) return ctx.reply.error("ERR Background save already in progress");
  const client = ctx as Client;
  if (client.inTransaction) {
    server.save().catch(() => {});
    return ctx.reply.simple("OK");
  }
  // The reply is sent when the save completes: hold it in a block-like state.
  client.block({
    keys: [],
    timeoutMs: 0,
    retry: () => false,
  });
  server.save().then(
    () => client.reply.simple("OK"),
    (error) => client.reply.error(`ERR ${(error as Error).message}`),
  ).finally(() => {
    client.unblock();
    client.flush();
    client.resume();
  });
}

function bgsave(ctx: CommandContext): void {
  const server = serverOf(ctx);
  if (ctx.args.length > 2 || (ctx.args.length === 2 && !isWord(ctx.args[1], "schedule"))) {
    return ctx.reply.error(SYNTAX_ERROR);
  }
  if (server.config.dbfilename === "") {
    return ctx.reply.error(
      "ERR snapshots are not configured (start the server with a snapshot path)",
    );
  }
  if (server.saving !== null) {
    if (ctx.args.length === 2) return ctx.reply.simple("Background saving scheduled");
    return ctx.reply.error("ERR Background save already in progress");
  }
  server.save().catch(() => {});
  ctx.reply.simple("Background saving started");
}

function shutdown(ctx: CommandContext): void {
  const server = serverOf(ctx);
  let save: boolean | undefined;
  for (let i = 1; i < ctx.args.length; i++) {
    if (isWord(ctx.args[i], "nosave")) save = false;
    else if (isWord(ctx.args[i], "save")) save = true;
    else if (isWord(ctx.args[i], "now") || isWord(ctx.args[i], "force")) continue;
    else if (isWord(ctx.args[i], "abort")) {
      return ctx.reply.error("ERR No shutdown in progress.");
    } else return ctx.reply.error(SYNTAX_ERROR);
  }
  // Like Redis, a successful SHUTDOWN closes the connection without a reply.
  queueMicrotask(() => server.shutdown(save));
}

function monitor(ctx: CommandContext): void {
  const client = ctx as Client;
  if (client.inTransaction) return ctx.reply.error("ERR MONITOR isn't allowed in MULTI");
  client.monitor = true;
  client.server.monitors.add(client);
  ctx.reply.simple("OK");
}

const ADMIN = ["admin", "noscript", "loading", "stale"] as const;

/** The server family. */
export const serverCommands: readonly CommandSpec[] = [
  command("dbsize", 1, ["readonly", "fast"], NO_KEYS, (ctx) => ctx.reply.integer(ctx.db.size)),
  command("flushdb", -1, ["write"], NO_KEYS, flushdb),
  command("flushall", -1, ["write"], NO_KEYS, flushall),
  command("swapdb", 3, ["write", "fast"], NO_KEYS, (ctx) => {
    for (const arg of [ctx.args[1], ctx.args[2]]) {
      const index = parseInteger(arg);
      if (index === null) return ctx.reply.error("ERR invalid first DB index");
      if (index < 0 || Number(index) >= ctx.server.databases.length) {
        return ctx.reply.error(DB_OUT_OF_RANGE);
      }
    }
    swapdb(ctx);
  }),
  command("info", -1, ["loading", "stale"], NO_KEYS, info),
  command("time", 1, ["loading", "stale", "fast"], NO_KEYS, time),
  commandCommand,
  configCommand,
  memoryCommand,
  command("save", 1, ["admin", "noscript", "no_multi"], NO_KEYS, save),
  command("bgsave", -1, ["admin", "noscript"], NO_KEYS, bgsave),
  command(
    "lastsave",
    1,
    ["loading", "stale", "fast"],
    NO_KEYS,
    (ctx) => ctx.reply.integer(serverOf(ctx).lastSave),
  ),
  command(
    "shutdown",
    -1,
    ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
    NO_KEYS,
    shutdown,
  ),
  command("monitor", 1, ADMIN, NO_KEYS, monitor),
  command("debug", -2, ADMIN, NO_KEYS, (ctx) => {
    if (isWord(ctx.args[1], "sleep") && ctx.args.length === 3) return ctx.reply.simple("OK");
    if (isWord(ctx.args[1], "set-active-expire") && ctx.args.length === 3) {
      return ctx.reply.simple("OK");
    }
    ctx.reply.error("ERR DEBUG is not supported by the embedded server");
  }),
  command(
    "readonly",
    1,
    ["fast", "loading", "stale"],
    NO_KEYS,
    (ctx) => ctx.reply.error("ERR This instance has cluster support disabled"),
  ),
  command("wait", 3, ["noscript"], NO_KEYS, (ctx) => {
    const n = parseInteger(ctx.args[1]);
    if (n === null || parseInteger(ctx.args[2]) === null) return ctx.reply.error(NOT_INTEGER);
    ctx.reply.integer(0);
  }),
];
