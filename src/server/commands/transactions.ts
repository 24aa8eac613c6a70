/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queueing itself happens
 * in the dispatcher (`Client.execute`).
 *
 * @module
 */

import { toKey } from "../args.ts";
import type { Client } from "../client.ts";
import { command, NO_KEYS } from "../define.ts";
import type { CommandContext, CommandSpec } from "../types.ts";

function multi(ctx: CommandContext): void {
  const client = ctx as Client;
  if (client.multi !== null) return ctx.reply.error("ERR MULTI calls can not be nested");
  client.multi = [];
  client.multiError = false;
  ctx.reply.simple("OK");
}

function exec(ctx: CommandContext): void {
  const client = ctx as Client;
  const queued = client.multi;
  if (queued === null) return ctx.reply.error("ERR EXEC without MULTI");
  client.multi = null;
  if (client.multiError) {
    client.multiError = false;
    client.unwatchAll();
    return ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (client.watchedKeysChanged()) {
    client.unwatchAll();
    return ctx.reply.nullArray();
  }
  client.unwatchAll();
  client.inExec = true;
  try {
    ctx.reply.arrayHeader(queued.length);
    for (const { command: queuedCommand, args } of queued) {
      if (client.closed) break;
      // AUTH may have been lost (ACL changes) in Redis; here only re-check NOAUTH.
      client.call(queuedCommand, args);
    }
  } finally {
    client.inExec = false;
  }
}

function discard(ctx: CommandContext): void {
  const client = ctx as Client;
  if (client.multi === null) return ctx.reply.error("ERR DISCARD without MULTI");
  client.multi = null;
  client.multiError = false;
  client.unwatchAll();
  ctx.reply.simple("OK");
}

function watch(ctx: CommandContext): void {
  const client = ctx as Client;
  if (client.multi !== null) return ctx.reply.error("ERR WATCH inside MULTI is not allowed");
  for (let i = 1; i < ctx.args.length; i++) client.watch(toKey(ctx.args[i]));
  ctx.reply.simple("OK");
}

function unwatch(ctx: CommandContext): void {
  (ctx as Client).unwatchAll();
  ctx.reply.simple("OK");
}

const FLAGS = ["noscript", "loading", "stale", "fast", "allow_busy"] as const;

/** The transaction family. */
export const transactionCommands: readonly CommandSpec[] = [
  command("multi", 1, FLAGS, NO_KEYS, multi),
  command("exec", 1, ["noscript", "loading", "stale"], NO_KEYS, exec),
  command("discard", 1, FLAGS, NO_KEYS, discard),
  command("watch", -2, FLAGS, [1, -1, 1], watch),
  command("unwatch", 1, FLAGS, NO_KEYS, unwatch),
];
