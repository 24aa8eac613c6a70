/**
 * Writes the client's command table (`src/redis/table/<group>.ts`) from the
 * `COMMAND` and `COMMAND DOCS` replies of a running redis-server, adding the
 * client's own policy flags (connection state, blocking the connection,
 * replay after a reconnect). Run it when the reference Redis version changes:
 *
 *   deno run --allow-run --allow-write tests/_gen_command_table.ts 6379
 *
 * `tests/command_table_test.ts` checks the written table against the
 * fixture's redis-server, so an edit by hand that drifts from Redis fails.
 *
 * @module
 */

/** One key spec of a `COMMAND` reply (Redis 7). */
interface RawKeySpec {
  begin_search: {
    type: "index" | "keyword" | "unknown";
    spec: { index?: number; keyword?: string; startfrom?: number };
  };
  find_keys: {
    type: "range" | "keynum" | "unknown";
    spec: {
      lastkey?: number;
      keystep?: number;
      limit?: number;
      keynumidx?: number;
      firstkey?: number;
    };
  };
}

/** One entry of a `COMMAND` reply: name, arity, flags, first, last, step, ACL, tips, key specs, subcommands. */
type RawCommand = [
  string,
  number,
  string[],
  number,
  number,
  number,
  string[],
  string[],
  RawKeySpec[],
  RawCommand[]?,
];

/**
 * The client's policy, which Redis's flags do not say: commands that change
 * the state of the connection they run on (refused by `execute()` on the
 * shared one), and commands that block it although Redis does not flag them
 * "blocking" (WAIT waits for replicas).
 */
const clientConnectionState = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "SELECT",
  "HELLO",
  "RESET",
  "QUIT",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SYNC",
  "PSYNC",
  "CLIENT|REPLY",
]);
const clientBlocking = new Set(["WAIT", "WAITAOF"]);

/**
 * How `execute()` gives the same shape under RESP2 and RESP3 (Redis's
 * COMMAND does not say): which replies are maps (RESP2: flat pairs, or
 * [name, value] pairs), arrays of maps, doubles (RESP2: text), member/score
 * pairs, field/value pairs.
 */
const replyKinds: Record<string, string[]> = {
  REPLY_MAP: [
    "HGETALL",
    "CONFIG|GET",
    "XINFO|STREAM",
    "CLIENT|TRACKINGINFO",
    "MEMORY|STATS",
    "FUNCTION|STATS",
    "ACL|GETUSER",
    "XREAD",
    "XREADGROUP",
    "COMMAND|DOCS",
  ],
  REPLY_MAPS: ["XINFO|GROUPS", "XINFO|CONSUMERS", "FUNCTION|LIST", "MODULE|LIST"],
  REPLY_DOUBLE: ["ZSCORE", "ZINCRBY", "ZADD"],
  REPLY_DOUBLES: ["ZMSCORE"],
  REPLY_SCORED: [
    "ZRANGE",
    "ZRANGEBYSCORE",
    "ZREVRANGE",
    "ZREVRANGEBYSCORE",
    "ZUNION",
    "ZINTER",
    "ZDIFF",
    "ZRANDMEMBER",
    "ZPOPMIN",
    "ZPOPMAX",
    "BZPOPMIN",
    "BZPOPMAX",
  ],
  REPLY_PAIRS: ["HRANDFIELD"],
};

/** The table's family modules and the Redis groups (`COMMAND DOCS`) each holds. */
const families = [
  { file: "keys", name: "keyCommands", title: "Keys", groups: ["generic"] },
  { file: "strings", name: "stringCommands", title: "Strings", groups: ["string"] },
  { file: "bitmaps", name: "bitmapCommands", title: "Bitmaps", groups: ["bitmap"] },
  { file: "hashes", name: "hashCommands", title: "Hashes", groups: ["hash"] },
  { file: "lists", name: "listCommands", title: "Lists", groups: ["list"] },
  { file: "sets", name: "setCommands", title: "Sets", groups: ["set"] },
  { file: "sorted_sets", name: "sortedSetCommands", title: "Sorted sets", groups: ["sorted-set"] },
  { file: "streams", name: "streamCommands", title: "Streams", groups: ["stream"] },
  { file: "geo", name: "geoCommands", title: "Geospatial indexes", groups: ["geo"] },
  {
    file: "hyperloglog",
    name: "hyperLogLogCommands",
    title: "HyperLogLog",
    groups: ["hyperloglog"],
  },
  { file: "pubsub", name: "pubsubCommands", title: "Publish/subscribe", groups: ["pubsub"] },
  {
    file: "transactions",
    name: "transactionCommands",
    title: "Transactions",
    groups: ["transactions"],
  },
  {
    file: "scripting",
    name: "scriptingCommands",
    title: "Scripting and functions",
    groups: ["scripting"],
  },
  { file: "connection", name: "connectionCommands", title: "Connection", groups: ["connection"] },
  { file: "server", name: "serverCommands", title: "Server", groups: ["server", "cluster"] },
];

function familyOf(group: string) {
  return families.find((family) => family.groups.includes(group)) ?? families.at(-1)!;
}

const port = Deno.args[0] ?? "6379";

async function redisJson(...args: string[]): Promise<unknown> {
  const { stdout, success } = await new Deno.Command("redis-cli", {
    args: ["-p", port, "--json", ...args],
  }).output();
  if (!success) throw new Error(`Cannot run redis-cli ${args.join(" ")}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

const commands = await redisJson("COMMAND") as RawCommand[];
const docs = await redisJson("COMMAND", "DOCS") as Record<string, { group: string }>;
const { stdout: info } = await new Deno.Command("redis-cli", {
  args: ["-p", port, "INFO", "server"],
})
  .output();
const version = new TextDecoder().decode(info).match(/redis_version:(\S+)/)?.[1] ?? "?";

function keySpec(spec: RawKeySpec): string | undefined {
  const begin = spec.begin_search;
  const find = spec.find_keys;
  if (begin.type === "unknown" || find.type === "unknown") return undefined;
  const start = begin.type === "index"
    ? String(begin.spec.index)
    : `${JSON.stringify(begin.spec.keyword)}, ${begin.spec.startfrom}`;
  const head = begin.type === "index" ? "at" : "after";
  if (find.type === "range") {
    const { lastkey, keystep, limit } = find.spec;
    return `${head}(${start}).range(${lastkey}, ${keystep}, ${limit})`;
  }
  const { keynumidx, firstkey, keystep } = find.spec;
  return `${head}(${start}).keynum(${keynumidx}, ${firstkey}, ${keystep})`;
}

const allFlags = [
  "READONLY",
  "WRITE",
  "BLOCKING",
  "PUBSUB",
  "CONNECTION_STATE",
  "MAY_REPLAY",
  "MOVABLE_KEYS",
];

function flags(command: RawCommand, name: string): string {
  const raw = new Set(command[2]);
  const out: string[] = [];
  if (raw.has("readonly")) out.push("READONLY");
  if (raw.has("write")) out.push("WRITE");
  if (raw.has("blocking") || clientBlocking.has(name)) out.push("BLOCKING");
  if (raw.has("pubsub")) out.push("PUBSUB");
  if (clientConnectionState.has(name)) out.push("CONNECTION_STATE");
  // Read-only commands may run twice; a blocking one may pop nothing twice,
  // but its wait would restart, so it is left to the caller.
  if (raw.has("readonly") && !out.includes("BLOCKING")) out.push("MAY_REPLAY");
  if (raw.has("movablekeys")) out.push("MOVABLE_KEYS");
  for (const [kind, names] of Object.entries(replyKinds)) if (names.includes(name)) out.push(kind);
  return out.length ? out.join(" | ") : "0";
}

function descriptor(command: RawCommand, indent: string): string {
  const name = command[0].toUpperCase();
  const specs = command[8].map(keySpec).filter((spec) => spec !== undefined);
  const keys = specs.length ? `[${specs.join(", ")}]` : "[]";
  const subcommands = command[9] ?? [];
  const subs = subcommands.length
    ? `, [\n${
      [...subcommands].sort((a, b) => a[0].localeCompare(b[0])).map((sub) =>
        descriptor(sub, indent + "  ")
      ).join("\n")
    }\n${indent}]`
    : "";
  return `${indent}cmd(${JSON.stringify(name)}, ${command[1]}, ${
    flags(command, name)
  }, ${keys}${subs}),`;
}

const byFamily = new Map<string, RawCommand[]>();
for (const command of commands) {
  const family = familyOf(docs[command[0]]?.group ?? "server");
  byFamily.set(family.file, [...byFamily.get(family.file) ?? [], command]);
}

for (const family of families) {
  const list = (byFamily.get(family.file) ?? []).sort((a, b) => a[0].localeCompare(b[0]));
  const used = new Set<string>(["cmd"]);
  const body = list.map((command) => descriptor(command, "  ")).join("\n");
  for (const flag of [...allFlags, ...Object.keys(replyKinds)]) {
    if (new RegExp(`\\b${flag}\\b`).test(body)) used.add(flag);
  }
  if (/\bat\(/.test(body)) used.add("at");
  if (/\bafter\(/.test(body)) used.add("after");
  const source = `/**
 * ${family.title}: the client's command table for Redis's "${family.groups.join('", "')}" group${
    family.groups.length > 1 ? "s" : ""
  }.
 *
 * Generated by \`tests/_gen_command_table.ts\` from redis-server ${version}
 * (\`COMMAND\`, \`COMMAND DOCS\`); checked against it by
 * \`tests/command_table_test.ts\`. Edit the generator, not this file.
 *
 * @module
 */

import { ${[...used].sort().join(", ")}, type CommandDescriptor } from "./_descriptor.ts";

/** ${family.title}. */
export const ${family.name}: readonly CommandDescriptor[] = [
${body}
];
`;
  await Deno.writeTextFile(`src/redis/table/${family.file}.ts`, source);
}
console.log(`wrote ${commands.length} commands from redis ${version}`);
