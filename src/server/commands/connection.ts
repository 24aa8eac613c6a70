/**
 * Connection commands: PING, ECHO, SELECT, AUTH, HELLO, CLIENT, QUIT, RESET.
 *
 * @module
 */

import {
  DB_OUT_OF_RANGE,
  isWord,
  NOT_INTEGER,
  parseInteger,
  SYNTAX_ERROR,
  toKey,
} from "../args.ts";
import type { Client } from "../client.ts";
import { command, NO_KEYS } from "../define.ts";
import { REDIS_VERSION } from "../server.ts";
import type { CommandContext, CommandSpec } from "../types.ts";
import { replyHelp } from "./keys.ts";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

/** Compares a secret with a candidate in time that depends only on the candidate's length. */
export function constantTimeEqual(secret: Uint8Array, candidate: Uint8Array): boolean {
  let diff = secret.length ^ candidate.length;
  const n = secret.length || 1;
  for (let i = 0; i < candidate.length; i++) diff |= (secret[i % n] ?? 0) ^ candidate[i];
  return diff === 0;
}

const encoder = new TextEncoder();

/** Checks a user/password pair; returns true when it authenticates. */
function checkCredentials(client: Client, user: Uint8Array | null, password: Uint8Array): boolean {
  if (user !== null && toKey(user) !== "default") return false;
  const required = client.server.config.requirepass;
  if (required === "") return true; // the default user is "nopass"
  return constantTimeEqual(encoder.encode(required), password);
}

function ping(ctx: CommandContext): void {
  const client = ctx as Client;
  if (ctx.args.length > 2) {
    return ctx.reply.error("ERR wrong number of arguments for 'ping' command");
  }
  if (client.protocol === 2 && client.subscriptionCount > 0) {
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.args.length === 2 ? ctx.args[1] : new Uint8Array(0));
    return;
  }
  if (ctx.args.length === 2) ctx.reply.bulk(ctx.args[1]);
  else ctx.reply.simple("PONG");
}

function select(ctx: CommandContext): void {
  const index = parseInteger(ctx.args[1]);
  if (index === null || typeof index === "bigint") return ctx.reply.error(NOT_INTEGER);
  const db = ctx.server.databases[index];
  if (index < 0 || db === undefined) return ctx.reply.error(DB_OUT_OF_RANGE);
  (ctx as Client).db = db;
  ctx.reply.simple("OK");
}

function auth(ctx: CommandContext): void {
  const client = ctx as Client;
  const args = ctx.args;
  if (args.length > 3) return ctx.reply.error(SYNTAX_ERROR);
  if (args.length === 2 && client.server.config.requirepass === "") {
    return ctx.reply.error(
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    );
  }
  const user = args.length === 3 ? args[1] : null;
  const password = args[args.length - 1];
  if (!checkCredentials(client, user, password)) return ctx.reply.error(WRONGPASS);
  client.authenticated = true;
  ctx.reply.simple("OK");
}

function hello(ctx: CommandContext): void {
  const client = ctx as Client;
  const args = ctx.args;
  let protocol: 2 | 3 | 0 = 0;
  let i = 1;
  if (args.length >= 2) {
    const version = parseInteger(args[1]);
    if (version === null || typeof version === "bigint") {
      return ctx.reply.error("ERR Protocol version is not an integer or out of range");
    }
    if (version < 2 || version > 3) return ctx.reply.error("NOPROTO unsupported protocol version");
    protocol = version as 2 | 3;
    i = 2;
  }
  let authUser: Uint8Array | null = null;
  let authPass: Uint8Array | null = null;
  let name: string | null = null;
  for (; i < args.length; i++) {
    const left = args.length - i - 1;
    if (isWord(args[i], "auth") && left >= 2) {
      authUser = args[i + 1];
      authPass = args[i + 2];
      i += 2;
    } else if (isWord(args[i], "setname") && left >= 1) {
      name = toKey(args[++i]);
    } else {
      return ctx.reply.error(`ERR Syntax error in HELLO option '${toKey(args[i])}'`);
    }
  }
  if (authPass !== null) {
    if (!checkCredentials(client, authUser, authPass)) return ctx.reply.error(WRONGPASS);
    client.authenticated = true;
  }
  if (!client.authenticated) {
    return ctx.reply.error(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== null) {
    if (!validName(name)) {
      return ctx.reply.error(
        "ERR Client names cannot contain spaces, newlines or special characters.",
      );
    }
    client.name = name;
  }
  if (protocol !== 0) {
    client.protocol = protocol;
    client.reply.protocol = protocol;
  }
  const reply = ctx.reply;
  reply.mapHeader(7);
  reply.bulk("server");
  reply.bulk("redis");
  reply.bulk("version");
  reply.bulk(REDIS_VERSION);
  reply.bulk("proto");
  reply.integer(client.protocol);
  reply.bulk("id");
  reply.integer(client.id);
  reply.bulk("mode");
  reply.bulk("standalone");
  reply.bulk("role");
  reply.bulk("master");
  reply.bulk("modules");
  reply.arrayHeader(0);
}

function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

function quit(ctx: CommandContext): void {
  ctx.reply.simple("OK");
  (ctx as Client).closeAfterReply = true;
}

function reset(ctx: CommandContext): void {
  const client = ctx as Client;
  client.unblock();
  client.resetState();
  ctx.reply.simple("RESET");
}

/** One CLIENT LIST line. */
export function clientLine(client: Client): string {
  const now = Date.now();
  const flags = (client.multi !== null ? "x" : "") + (client.blocked !== null ? "b" : "") +
    (client.subscriptionCount > 0 ? "P" : "") + (client.monitor ? "O" : "");
  return `id=${client.id} addr=${client.conn.remoteAddr} laddr=${client.server.config.bind}:${client.server.config.port} fd=8 name=${client.name} age=${
    Math.floor((now - client.createdAt) / 1000)
  } idle=${Math.floor((now - client.lastInteraction) / 1000)} flags=${
    flags || "N"
  } db=${client.db.index} sub=${client.channels.size} psub=${client.patterns.size} ssub=${client.shardChannels.size} multi=${
    client.multi === null ? -1 : client.multi.length
  } qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=${client.pendingOutput} tot-mem=0 events=r cmd=${client.lastCommand} user=default redir=-1 resp=${client.protocol}`;
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "LIST [options ...]",
  "    Return information about client connections.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "HELP",
  "    Print this help.",
];

const clientCommand = command("client", -2, [], NO_KEYS, () => {}, [
  command(
    "id",
    2,
    ["noscript", "loading", "stale"],
    NO_KEYS,
    (ctx) => ctx.reply.integer((ctx as Client).id),
  ),
  command("getname", 2, ["noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const name = (ctx as Client).name;
    if (name === "") ctx.reply.nullBulk();
    else ctx.reply.bulk(name);
  }),
  command("setname", 3, ["noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const name = toKey(ctx.args[2]);
    if (!validName(name)) {
      return ctx.reply.error(
        "ERR Client names cannot contain spaces, newlines or special characters.",
      );
    }
    (ctx as Client).name = name;
    ctx.reply.simple("OK");
  }),
  command(
    "info",
    2,
    ["noscript", "loading", "stale"],
    NO_KEYS,
    (ctx) => ctx.reply.verbatim(clientLine(ctx as Client) + "\n"),
  ),
  command("list", -2, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const client = ctx as Client;
    let text = "";
    for (const other of client.server.clients.values()) text += clientLine(other) + "\n";
    ctx.reply.verbatim(text);
  }),
  command("kill", -3, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const client = ctx as Client;
    const args = ctx.args;
    if (args.length === 3) {
      const addr = toKey(args[2]);
      for (const other of client.server.clients.values()) {
        if (other.conn.remoteAddr === addr) {
          if (other === client) other.closeAfterReply = true;
          else other.close();
          return ctx.reply.simple("OK");
        }
      }
      return ctx.reply.error("ERR No such client");
    }
    let killed = 0;
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (isWord(args[i], "id")) {
        const id = parseInteger(args[i + 1]);
        if (id === null) return ctx.reply.error("ERR client-id should be greater than 0");
        const other = client.server.clients.get(Number(id));
        if (other !== undefined) {
          if (other === client) other.closeAfterReply = true;
          else other.close();
          killed++;
        }
      } else if (!isWord(args[i], "skipme")) return ctx.reply.error(SYNTAX_ERROR);
    }
    if ((args.length - 2) % 2 !== 0) return ctx.reply.error(SYNTAX_ERROR);
    ctx.reply.integer(killed);
  }),
  command("no-evict", 3, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    if (isWord(ctx.args[2], "on") || isWord(ctx.args[2], "off")) ctx.reply.simple("OK");
    else ctx.reply.error(SYNTAX_ERROR);
  }),
  command("reply", 3, ["noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    if (isWord(ctx.args[2], "on")) ctx.reply.simple("OK");
    else ctx.reply.error(SYNTAX_ERROR);
  }),
  command("unblock", -3, ["admin", "noscript", "loading", "stale"], NO_KEYS, (ctx) => {
    const client = ctx as Client;
    const id = parseInteger(ctx.args[2]);
    if (id === null) return ctx.reply.error(NOT_INTEGER);
    let error = false;
    if (ctx.args.length === 4) {
      if (isWord(ctx.args[3], "error")) error = true;
      else if (!isWord(ctx.args[3], "timeout")) {
        return ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      }
    } else if (ctx.args.length > 4) return ctx.reply.error(SYNTAX_ERROR);
    const other = client.server.clients.get(Number(id));
    if (other === undefined || other.blocked === null) return ctx.reply.integer(0);
    const request = other.blocked.request;
    other.unblock();
    if (error) other.reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else if (request.onTimeout !== undefined) request.onTimeout(other.reply);
    else other.reply.nullArray();
    other.markDirty();
    queueMicrotask(() => other.resume());
    ctx.reply.integer(1);
  }),
  command("help", 2, ["loading", "stale"], NO_KEYS, (ctx) => replyHelp(ctx, CLIENT_HELP)),
]);

/** The connection family. */
export const connectionCommands: readonly CommandSpec[] = [
  command("ping", -1, ["fast"], NO_KEYS, ping),
  command("echo", 2, ["loading", "stale", "fast"], NO_KEYS, (ctx) => ctx.reply.bulk(ctx.args[1])),
  command("select", 2, ["loading", "stale", "fast"], NO_KEYS, select),
  command(
    "auth",
    -2,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    NO_KEYS,
    auth,
  ),
  command(
    "hello",
    -1,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    NO_KEYS,
    hello,
  ),
  command(
    "quit",
    -1,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    NO_KEYS,
    quit,
  ),
  command(
    "reset",
    1,
    ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    NO_KEYS,
    reset,
  ),
  clientCommand,
];
