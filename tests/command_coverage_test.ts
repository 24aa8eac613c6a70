/**
 * Coverage of the command table by the client: every command and subcommand
 * the fixture's redis-server lists (the table is checked against it in
 * command_table_test.ts) is sent by some method of the client (found in the
 * sources of src/redis), or has a documented reason below. A command that
 * gains a method must leave the reasons (the test fails on a stale reason),
 * and a command Redis adds must get one or the other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../src/redis/table/mod.ts";

const notYet = "not yet: issue 10 item 3 (use execute() meanwhile)";
const help = "help text for humans: execute() returns it";
const cluster = "Redis Cluster: a cluster client is a later issue";
const internal = "replication or cluster internals a client does not send";
const debugging = "debugging internals of the server";

/** Commands without a method, and why. */
const reasons: Record<string, string> = {
  // Connection state the store owns (refused by execute() on the shared connection).
  QUIT: "connection state: store.close()",
  RESET: "connection state: a store per state instead",
  "CLIENT|REPLY": "connection state: replies are what the FIFO matches",
  MONITOR: "not yet: an async iterator on its own connection (issue 10 item 3)",
  DISCARD: "a transaction is sent whole (MULTI ... EXEC in one write): nothing to discard",
  // What the pub/sub handler, scripts, transactions and the handshake send
  // is found in their sources.
  ASKING: cluster,
  READONLY: cluster,
  READWRITE: cluster,
  "RESTORE-ASKING": cluster,
  SYNC: internal,
  PSYNC: internal,
  REPLCONF: internal,
  DEBUG: debugging,
  PFDEBUG: debugging,
  PFSELFTEST: debugging,
  LOLWUT: "a toy: execute() returns it",
  SUBSTR: "deprecated since Redis 2.0: getrange()",
  HMSET: "deprecated since Redis 4.0: hset() takes many fields",
};
for (const name of COMMANDS.keys()) if (name === "CLUSTER") reasons[name] = cluster;

/** Commands still waiting for a typed method (issue 10, item 3). */
const pending = [
  "MIGRATE",
  "OBJECT|HELP",
  "PUBSUB|SHARDCHANNELS",
  "PUBSUB|SHARDNUMSUB",
  "FUNCTION|STATS",
  "SCRIPT|DEBUG",
  "CLIENT|CACHING",
  "CLIENT|GETREDIR",
  "CLIENT|TRACKING",
  "ACL|LOAD",
  "ACL|SAVE",
  "BGREWRITEAOF",
  "COMMAND|GETKEYSANDFLAGS",
  "FAILOVER",
  "LATENCY|GRAPH",
  "LATENCY|HISTOGRAM",
  "MODULE|LIST",
  "MODULE|LOAD",
  "MODULE|LOADEX",
  "MODULE|UNLOAD",
  "REPLICAOF",
  "SHUTDOWN",
  "SLAVEOF",
];
for (const name of pending) reasons[name] = notYet;

/** Every command and subcommand of the table, as `NAME` or `NAME|SUB`. */
function tableNames(): string[] {
  const out: string[] = [];
  for (const [name, descriptor] of COMMANDS) {
    if (!descriptor.subcommands) out.push(name);
    else for (const sub of descriptor.subcommands.keys()) out.push(`${name}|${sub}`);
  }
  return out;
}

/**
 * Arguments that are spelled like a command but are only ever options in
 * the sources (FLUSHDB ... SYNC).
 */
const optionWords = new Set(["SYNC"]);

/** Commands the client's sources send: `"NAME"` literals, `"NAME", "SUB"` for containers. */
function sentBySources(): Set<string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "table") walk(path);
      } else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  walk("src/redis");
  const sent = new Set<string>();
  for (const file of files) {
    const code = readFileSync(file, "utf8").split("\n")
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join("\n");
    let subcommandAt = -1; // where a container's subcommand literal starts
    for (const match of code.matchAll(/"([A-Z][A-Z_]*)"(?=(?:,\s*"([A-Z][A-Z_-]*)")?)/g)) {
      if (match.index === subcommandAt) continue; // `"LATENCY", "RESET"` is not RESET
      const descriptor = COMMANDS.get(match[1]);
      if (!descriptor || optionWords.has(match[1])) continue;
      if (!descriptor.subcommands) sent.add(match[1]);
      else if (match[2] && descriptor.subcommands.has(match[2])) {
        sent.add(`${match[1]}|${match[2]}`);
        subcommandAt = code.indexOf(`"${match[2]}"`, match.index + match[0].length);
      }
    }
  }
  return sent;
}

describe("command coverage", () => {
  it("every command of the table has a method or a documented reason", () => {
    const sent = sentBySources();
    const names = tableNames();
    const reason = (name: string) =>
      reasons[name] ?? (name.endsWith("|HELP") ? help : undefined) ??
        (name.startsWith("CLUSTER|") ? cluster : undefined);
    const missing = names.filter((name) => !sent.has(name) && reason(name) === undefined);
    assert.deepEqual(missing, [], "commands with neither a method nor a reason");
    const stale = Object.keys(reasons).filter((name) => sent.has(name));
    assert.deepEqual(stale, [], "commands that have a method now: remove their reason");
    const covered = names.filter((name) => sent.has(name)).length;
    const waiting = names.filter((name) => !sent.has(name) && reason(name) === notYet).length;
    console.log(
      `command coverage: ${covered} of ${names.length} commands and subcommands have a method; ` +
        `${waiting} wait for one; ${names.length - covered - waiting} have another reason`,
    );
  });
});
