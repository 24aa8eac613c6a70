/**
 * Pub/sub commands: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE
 * forms, PUBLISH, SPUBLISH, PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB.
 *
 * @module
 */

import { fromKey, toKey } from "../args.ts";
import type { Client } from "../client.ts";
import { command, NO_KEYS, ONE_KEY } from "../define.ts";
import { stringMatch } from "../glob.ts";
import type { SubscriptionKind } from "../pubsub.ts";
import type { CommandContext, CommandSpec } from "../types.ts";
import { replyHelp } from "./keys.ts";

function subscribe(kind: SubscriptionKind) {
  return (ctx: CommandContext): void => {
    const client = ctx as Client;
    for (let i = 1; i < ctx.args.length; i++) {
      client.server.pubsub.subscribe(client, kind, toKey(ctx.args[i]), ctx.args[i]);
    }
  };
}

function unsubscribe(kind: SubscriptionKind) {
  return (ctx: CommandContext): void => {
    const client = ctx as Client;
    const hub = client.server.pubsub;
    if (ctx.args.length === 1) return hub.unsubscribeKind(client, kind);
    for (let i = 1; i < ctx.args.length; i++) {
      hub.unsubscribe(client, kind, toKey(ctx.args[i]), ctx.args[i]);
    }
  };
}

function publish(shard: boolean) {
  return (ctx: CommandContext): void => {
    const client = ctx as Client;
    const count = client.server.pubsub.publish(toKey(ctx.args[1]), ctx.args[1], ctx.args[2], shard);
    ctx.reply.integer(count);
  };
}

function listChannels(map: Map<string, Set<Client>>) {
  return (ctx: CommandContext): void => {
    if (ctx.args.length > 3) {
      return ctx.reply.error(
        `ERR unknown subcommand or wrong number of arguments for '${
          toKey(ctx.args[1])
        }'. Try PUBSUB HELP.`,
      );
    }
    const pattern = ctx.args.length === 3 ? toKey(ctx.args[2]) : null;
    const out: string[] = [];
    for (const channel of map.keys()) {
      // No lone-`*` shortcut here: Redis lists no empty channel for `*`.
      if (pattern === null || stringMatch(pattern, channel)) out.push(channel);
    }
    ctx.reply.arrayHeader(out.length);
    for (const channel of out) ctx.reply.bulk(fromKey(channel));
  };
}

function numsub(map: Map<string, Set<Client>>) {
  return (ctx: CommandContext): void => {
    // Redis 7.0 replies a flat array here even in RESP3.
    ctx.reply.arrayHeader((ctx.args.length - 2) * 2);
    for (let i = 2; i < ctx.args.length; i++) {
      ctx.reply.bulk(ctx.args[i]);
      ctx.reply.integer(map.get(toKey(ctx.args[i]))?.size ?? 0);
    }
  };
}

function hub(ctx: CommandContext) {
  return (ctx as Client).server.pubsub;
}

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Print this help.",
];

const FLAGS = ["pubsub", "noscript", "loading", "stale"] as const;

const pubsubCommand = command("pubsub", -2, [], NO_KEYS, () => {}, [
  command(
    "channels",
    -2,
    ["pubsub", "loading", "stale"],
    NO_KEYS,
    (ctx) => listChannels(hub(ctx).channels)(ctx),
  ),
  command(
    "shardchannels",
    -2,
    ["pubsub", "loading", "stale"],
    NO_KEYS,
    (ctx) => listChannels(hub(ctx).shardChannels)(ctx),
  ),
  command(
    "numsub",
    -2,
    ["pubsub", "loading", "stale"],
    NO_KEYS,
    (ctx) => numsub(hub(ctx).channels)(ctx),
  ),
  command(
    "shardnumsub",
    -2,
    ["pubsub", "loading", "stale"],
    NO_KEYS,
    (ctx) => numsub(hub(ctx).shardChannels)(ctx),
  ),
  command(
    "numpat",
    2,
    ["pubsub", "loading", "stale"],
    NO_KEYS,
    (ctx) => ctx.reply.integer(hub(ctx).patterns.size),
  ),
  command("help", 2, ["loading", "stale"], NO_KEYS, (ctx) => replyHelp(ctx, PUBSUB_HELP)),
]);

/** The pub/sub family. */
export const pubsubCommands: readonly CommandSpec[] = [
  command("subscribe", -2, FLAGS, NO_KEYS, subscribe("channel")),
  command("psubscribe", -2, FLAGS, NO_KEYS, subscribe("pattern")),
  command("ssubscribe", -2, FLAGS, [1, -1, 1], subscribe("shard")),
  command("unsubscribe", -1, FLAGS, NO_KEYS, unsubscribe("channel")),
  command("punsubscribe", -1, FLAGS, NO_KEYS, unsubscribe("pattern")),
  command("sunsubscribe", -1, FLAGS, [1, -1, 1], unsubscribe("shard")),
  command("publish", 3, ["pubsub", "loading", "stale", "fast"], NO_KEYS, publish(false)),
  command("spublish", 3, ["pubsub", "loading", "stale", "fast"], ONE_KEY, publish(true)),
  pubsubCommand,
];
