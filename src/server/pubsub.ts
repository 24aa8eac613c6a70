/**
 * The pub/sub hub of the embedded server: channel, pattern and shard-channel
 * subscriptions, and message fan-out as RESP2 arrays or RESP3 push frames.
 *
 * @module
 */

import type { ReplyWriter } from "../protocol/reply_writer.ts";
import { fromKey } from "./args.ts";
import type { Client } from "./client.ts";
import { stringMatch } from "./glob.ts";

const MESSAGE = fromKey("message");
const PMESSAGE = fromKey("pmessage");
const SMESSAGE = fromKey("smessage");

/** Which kind of subscription. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

function header(reply: ReplyWriter, count: number): void {
  if (reply.protocol === 3) reply.pushHeader(count);
  else reply.arrayHeader(count);
}

/**
 * Subscriptions and fan-out.
 *
 * @example
 * ```ts
 * import { PubSub } from "./pubsub.ts";
 *
 * const hub = new PubSub();
 * console.log(hub.channels.size); // 0
 * ```
 */
export class PubSub {
  /** channel -> subscribers. */
  readonly channels: Map<string, Set<Client>> = new Map();
  /** pattern -> subscribers. */
  readonly patterns: Map<string, Set<Client>> = new Map();
  /** shard channel -> subscribers. */
  readonly shardChannels: Map<string, Set<Client>> = new Map();
  #maps(kind: SubscriptionKind, client: Client): [Map<string, Set<Client>>, Set<string>] {
    if (kind === "channel") return [this.channels, client.channels];
    if (kind === "pattern") return [this.patterns, client.patterns];
    return [this.shardChannels, client.shardChannels];
  }

  /** Subscribes and writes the confirmation (`subscribe`, `psubscribe`, `ssubscribe`). */
  subscribe(client: Client, kind: SubscriptionKind, name: string, bytes: Uint8Array): void {
    const [map, own] = this.#maps(kind, client);
    if (!own.has(name)) {
      own.add(name);
      let set = map.get(name);
      if (set === undefined) {
        set = new Set();
        map.set(name, set);
      }
      set.add(client);
    }
    const reply = client.reply;
    header(reply, 3);
    reply.bulk(kind === "channel" ? "subscribe" : kind === "pattern" ? "psubscribe" : "ssubscribe");
    reply.bulk(bytes);
    reply.integer(
      kind === "shard" ? client.shardChannels.size : client.channels.size + client.patterns.size,
    );
  }

  /** Unsubscribes and writes the confirmation; `name` null = nothing to name. */
  unsubscribe(
    client: Client,
    kind: SubscriptionKind,
    name: string | null,
    bytes: Uint8Array | null,
    notify = true,
  ): void {
    const [map, own] = this.#maps(kind, client);
    if (name !== null && own.delete(name)) {
      const set = map.get(name);
      if (set !== undefined) {
        set.delete(client);
        if (set.size === 0) map.delete(name);
      }
    }
    if (!notify) return;
    const reply = client.reply;
    header(reply, 3);
    reply.bulk(
      kind === "channel" ? "unsubscribe" : kind === "pattern" ? "punsubscribe" : "sunsubscribe",
    );
    if (bytes === null) reply.nullBulk();
    else reply.bulk(bytes);
    reply.integer(
      kind === "shard" ? client.shardChannels.size : client.channels.size + client.patterns.size,
    );
  }

  /** Unsubscribes from everything of `kind`, one confirmation each (or one nil when none). */
  unsubscribeKind(client: Client, kind: SubscriptionKind): void {
    const [, own] = this.#maps(kind, client);
    if (own.size === 0) {
      this.unsubscribe(client, kind, null, null);
      return;
    }
    for (const name of [...own]) this.unsubscribe(client, kind, name, fromKey(name));
  }

  /** Drops every subscription of a closing or reset client, without replies. */
  unsubscribeAll(client: Client): void {
    for (const kind of ["channel", "pattern", "shard"] as const) {
      const [, own] = this.#maps(kind, client);
      for (const name of [...own]) this.unsubscribe(client, kind, name, null, false);
    }
  }

  /**
   * Delivers `message` to the subscribers of `channel` (and of matching
   * patterns, unless `shard`).
   *
   * @returns how many clients received it.
   */
  publish(channel: string, channelBytes: Uint8Array, message: Uint8Array, shard = false): number {
    let receivers = 0;
    const direct = (shard ? this.shardChannels : this.channels).get(channel);
    if (direct !== undefined) {
      for (const client of direct) {
        const reply = client.reply;
        header(reply, 3);
        reply.bulk(shard ? SMESSAGE : MESSAGE);
        reply.bulk(channelBytes);
        reply.bulk(message);
        this.#deliver(client);
        receivers++;
      }
    }
    if (!shard && this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        // Like Redis: every pattern is tried, O(patterns) per PUBLISH.
        if (!stringMatch(pattern, channel)) continue;
        const patternBytes = fromKey(pattern);
        for (const client of clients) {
          const reply = client.reply;
          header(reply, 4);
          reply.bulk(PMESSAGE);
          reply.bulk(patternBytes);
          reply.bulk(channelBytes);
          reply.bulk(message);
          this.#deliver(client);
          receivers++;
        }
      }
    }
    return receivers;
  }

  // markDirty applies the subscriber's client-output-buffer-limit (a slow
  // subscriber is closed there, with every other client class).
  #deliver(client: Client): void {
    client.markDirty();
  }
}
