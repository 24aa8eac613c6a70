/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, INFO, TIME, COMMAND,
 * CONFIG, SAVE, BGSAVE, LASTSAVE, SHUTDOWN, MONITOR.
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
import { globMatch } from "../glob.ts";
import { PULSARDS_VERSION, REDIS_VERSION, type ServerCore as PulsarServer } from "../server.ts";
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

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  const units = ["K", "M", "G", "T"];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
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
    const usage = memoryUsage();
    const used = usage.heapUsed ?? 0;
    const rss = usage.rss ?? 0;
    out.push(
      "# Memory",
      `used_memory:${used}`,
      `used_memory_human:${human(used)}`,
      `used_memory_rss:${rss}`,
      `used_memory_rss_human:${human(rss)}`,
      `used_memory_peak:${used}`,
      `used_memory_peak_human:${human(used)}`,
      "maxmemory:0",
      "maxmemory_human:0B",
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
      "evicted_keys:0",
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

interface ConfigParam {
  get(server: PulsarServer): string;
  set?(server: PulsarServer, value: string): string | null; // error text or null
}

function memoryValue(value: string): number | null {
  const match = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value);
  if (match === null) return null;
  const unit = (match[2] ?? "b").toLowerCase();
  const scale: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000_000,
    mb: 1024 * 1024,
    g: 1000_000_000,
    gb: 1024 * 1024 * 1024,
  };
  return Number(match[1]) * scale[unit];
}

const utf8 = new TextDecoder();

const fixed = (value: string): ConfigParam => ({ get: () => value, set: () => null });

const MAXMEMORY_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
];

// Turns access counting on in every database while an LFU policy is selected.
function applyLfu(server: PulsarServer): void {
  const { maxmemoryPolicy, lfuLogFactor, lfuDecayTime } = server.config;
  const settings = maxmemoryPolicy.endsWith("-lfu")
    ? { logFactor: lfuLogFactor, decayTime: lfuDecayTime }
    : null;
  for (const db of server.databases) db.lfu = settings;
}

/** A non-negative integer parameter in `[min, max]`, as Redis's createIntConfig checks it. */
function intParam(
  get: (s: PulsarServer) => number,
  set: (s: PulsarServer, n: number) => void,
  min = 0,
  max = 2147483647,
): ConfigParam {
  return {
    get: (s) => String(get(s)),
    set: (s, v) => {
      if (!/^-?\d+$/.test(v)) return "argument couldn't be parsed into an integer";
      const n = Number(v);
      if (n < min || n > max) return `argument must be between ${min} and ${max} inclusive`;
      set(s, n);
      return null;
    },
  };
}

const CONFIG: Record<string, ConfigParam> = {
  requirepass: {
    get: (s) => s.config.requirepass,
    set: (s, v) => {
      // `v` is a binary string; AUTH compares the UTF-8 bytes of the password.
      s.config.requirepass = utf8.decode(fromKey(v));
      return null;
    },
  },
  port: { get: (s) => String(s.config.port) },
  bind: { get: (s) => s.config.bind },
  databases: { get: (s) => String(s.databases.length) },
  dbfilename: { get: (s) => s.config.dbfilename },
  dir: { get: () => "" },
  save: { get: (s) => s.config.save },
  appendonly: fixed("no"),
  maxmemory: {
    get: () => "0",
    set: (_s, v) => memoryValue(v) === null ? "argument must be a memory value" : null,
  },
  "maxmemory-policy": {
    get: (s) => s.config.maxmemoryPolicy,
    set: (s, v) => {
      const policy = v.toLowerCase();
      if (!MAXMEMORY_POLICIES.includes(policy)) {
        return `argument(s) must be one of the following: ${MAXMEMORY_POLICIES.join(", ")}`;
      }
      s.config.maxmemoryPolicy = policy;
      applyLfu(s);
      return null;
    },
  },
  "lfu-log-factor": intParam((s) => s.config.lfuLogFactor, (s, n) => {
    s.config.lfuLogFactor = n;
    applyLfu(s);
  }),
  "lfu-decay-time": intParam((s) => s.config.lfuDecayTime, (s, n) => {
    s.config.lfuDecayTime = n;
    applyLfu(s);
  }),
  "notify-keyspace-events": fixed(""),
  timeout: {
    get: (s) => String(s.config.timeout),
    set: (s, v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v)) return "argument couldn't be parsed into an integer";
      s.config.timeout = n;
      return null;
    },
  },
  // Redis clamps hz to 1..500 (CONFIG_MIN_HZ..CONFIG_MAX_HZ) after the range check.
  hz: intParam((s) => s.config.hz, (s, n) => (s.config.hz = Math.min(500, Math.max(1, n)))),
  maxclients: {
    get: (s) => String(s.config.maxClients),
    set: (s, v) => {
      if (!/^\d+$/.test(v)) return "argument couldn't be parsed into an integer";
      s.config.maxClients = Number(v);
      return null;
    },
  },
  "proto-max-bulk-len": { get: (s) => String(s.config.maxBulkLength) },
  "client-query-buffer-limit": {
    get: (s) => String(s.config.maxQueryBuffer),
    set: (s, v) => {
      const n = memoryValue(v);
      if (n === null) return "argument must be a memory value";
      s.config.maxQueryBuffer = n;
      return null;
    },
  },
  "client-output-buffer-limit": {
    get: (s) =>
      `normal 0 0 0 slave 268435456 67108864 60 pubsub ${s.pubsub.outputLimit} 8388608 60`,
  },
  "lua-time-limit": fixed("5000"),
  "busy-reply-threshold": fixed("5000"),
  "slowlog-log-slower-than": fixed("10000"),
  "slowlog-max-len": fixed("128"),
  "list-max-listpack-size": fixed("-2"),
  "hash-max-listpack-entries": fixed("128"),
  "hash-max-listpack-value": fixed("64"),
  "set-max-intset-entries": fixed("512"),
  "zset-max-listpack-entries": fixed("128"),
  "zset-max-listpack-value": fixed("64"),
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

function configSet(ctx: CommandContext): void {
  const server = serverOf(ctx);
  const args = ctx.args;
  if ((args.length - 2) % 2 !== 0) {
    return ctx.reply.error("ERR wrong number of arguments for 'config|set' command");
  }
  for (let i = 2; i < args.length; i += 2) {
    const name = lowerWord(args[i]);
    const param = CONFIG[name];
    if (param === undefined || param.set === undefined) {
      return ctx.reply.error(
        `ERR Unknown option or number of arguments for CONFIG SET - '${toKey(args[i])}'`,
      );
    }
  }
  for (let i = 2; i < args.length; i += 2) {
    const name = lowerWord(args[i]);
    const error = CONFIG[name].set!(server, toKey(args[i + 1]));
    if (error !== null) {
      return ctx.reply.error(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - ${error}`,
      );
    }
  }
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
    for (const cmd of server.table.byName.values()) cmd.calls = 0;
    ctx.reply.simple("OK");
  }),
  command("rewrite", 2, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    ctx.reply.error("ERR The server is running without a config file");
  }),
  command("help", 2, [], NO_KEYS, (ctx) => replyHelp(ctx, CONFIG_HELP)),
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
  command("save", 1, ADMIN, NO_KEYS, save),
  command("bgsave", -1, ADMIN, NO_KEYS, bgsave),
  command(
    "lastsave",
    1,
    ["loading", "stale", "fast"],
    NO_KEYS,
    (ctx) => ctx.reply.integer(serverOf(ctx).lastSave),
  ),
  command("shutdown", -1, ["admin", "noscript", "loading", "stale", "no_multi"], NO_KEYS, shutdown),
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
