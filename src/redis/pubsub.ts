/**
 * Publish/subscribe on a connection of its own: callbacks (the seed's
 * `addClient`) and async iterators with bounded buffers.
 *
 * @module
 */

import { ConnectionError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";
import { type MessageSpans, PMESSAGE } from "../protocol/message_scan.ts";
import { decodeUtf8, rangeDecoder } from "../transport/mod.ts";
import type { PubSubClient } from "../store.ts";
import type { Connection, ConnectionOptions } from "./connection.ts";
import { type Listener, MessageQueue } from "./message_queue.ts";

/** Encodes published messages and decodes received ones (e.g. JSON). */
export interface PubSubProtocol {
  /** Turns a message into what is published. */
  encode(message: unknown): string | Uint8Array;
  /** Turns a received payload back into a message. */
  decode(payload: string | Uint8Array): unknown;
}

/** An object with `stringify`/`parse`, such as the global `JSON`. */
export interface JsonLike {
  /** Turns a value into text. */
  stringify(value: unknown): string;
  /** Turns text into a value. */
  parse(text: string): unknown;
}

function toProtocol(protocol: PubSubProtocol | JsonLike | undefined): PubSubProtocol | undefined {
  if (!protocol || "encode" in protocol) return protocol;
  return {
    encode: (message) => protocol.stringify(message),
    decode: (payload) =>
      protocol.parse(
        typeof payload === "string" ? payload : decodeUtf8(payload, 0, payload.length),
      ),
  };
}

/** What happens when an iterator's buffer is full. */
export type OverflowPolicy = "error" | "drop-oldest" | "drop-newest";

/** Options of {@linkcode PubSub}. */
export interface PubSubOptions {
  /** Applied to published and received messages: `{ encode, decode }`, or `JSON`. */
  protocol?: PubSubProtocol | JsonLike;
  /** Deliver payloads as `Uint8Array` instead of text. @default {false} */
  binary?: boolean;
  /**
   * Called after the connection came back and every subscription was sent
   * again (messages published meanwhile are lost), with the reconnect count.
   */
  onReconnect?: (reconnects: number) => void;
  /** Called with errors that have no caller to go to (a client callback that threw, a decode failure). @default {console.error} */
  onError?: (error: unknown) => void;
}

/** Options of a message iterator. */
export interface IterateOptions {
  /** Ends the iteration (the loop's `next()` rejects with `signal.reason`). */
  signal?: AbortSignal;
  /** Messages held for a slow consumer before `overflow` applies. @default {65536} */
  bufferSize?: number;
  /**
   * When the buffer is full: `"error"` ends the iteration with a
   * `RangeError` saying how many messages were lost, `"drop-oldest"` and
   * `"drop-newest"` drop messages and count them in `dropped`.
   * @default {"error"}
   */
  overflow?: OverflowPolicy;
}

/** One received message. */
export interface PubSubMessage {
  /** The channel it was published to. */
  channel: string;
  /** The pattern that matched, for pattern subscriptions. */
  pattern?: string;
  /** The payload: text, bytes (`binary`), or what `protocol.decode` returned. */
  message: unknown;
  /**
   * Set on the first message an iterator gets after the connection came
   * back: messages published while it was down are lost.
   */
  reconnected?: true;
}

/** An async iterator of messages that can say how many it dropped. */
export interface MessageIterator extends AsyncIterableIterator<PubSubMessage> {
  /** Messages dropped because the buffer was full (drop policies). */
  readonly dropped: number;
}

/** What the pubsub needs from its store. */
export interface PubSubHost {
  /** Opens the subscriber connection with these hooks. */
  connect(
    hooks: Pick<ConnectionOptions, "onPush" | "onMessage" | "onConnect" | "onDown" | "subscriber">,
  ): Connection;
  /** Sends a command on the store's shared connection. */
  send(args: CommandArg[]): Promise<RespValue>;
  /** PUBLISH on the store's shared connection; resolves with the receiver count. */
  publish(channel: string, payload: string | Uint8Array): Promise<number>;
  /** The store's text encoding. */
  encoding: string;
  /** Adds the store's namespace to a channel. */
  channel(name: string): string;
  /** Removes it. */
  unchannel(name: string): string;
  /** Called once the pubsub closed. */
  closed?(): void;
}

/** What a subscription is to: channels, patterns or shard channels. */
export type SubscriptionKind = "channel" | "pattern" | "shard";
type Kind = SubscriptionKind;

/** Messages a subscription keeps for its first iterator until that starts. */
const earlyBufferSize = 1024;

/** Milliseconds to wait for the server to confirm a (un)subscription. */
const confirmTimeout = 10_000;

const subscribeCommand: Record<Kind, [string, string]> = {
  channel: ["SUBSCRIBE", "UNSUBSCRIBE"],
  pattern: ["PSUBSCRIBE", "PUNSUBSCRIBE"],
  shard: ["SSUBSCRIBE", "SUNSUBSCRIBE"],
};
const confirmKinds: Record<string, Kind> = {
  subscribe: "channel",
  psubscribe: "pattern",
  ssubscribe: "shard",
};

/**
 * Channels or patterns subscribed together; iterate it for their messages.
 *
 * @example Iterate one subscription
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const pubsub = store.pubsub();
 * const news = await pubsub.subscribe("news");
 * await pubsub.publish("news", "hello");
 * for await (const { channel, message } of news) {
 *   console.log(channel, message); // news hello
 *   break; // unsubscribes
 * }
 * await pubsub.close();
 * ```
 */
export class Subscription implements AsyncIterable<PubSubMessage> {
  #pubsub: PubSub;
  /** Buffers messages from the moment of subscribing until a loop takes it. */
  #early: MessageQueue | undefined;
  #released = false;
  /** Channel, pattern or shard channel. */
  readonly kind: SubscriptionKind;
  /** The channels (or patterns) of this subscription. */
  readonly names: readonly string[];

  /**
   * Creates a subscription; use `pubsub.subscribe()`.
   *
   * @param pubsub The owner.
   * @param kind Channel, pattern or shard channel.
   * @param names The names.
   */
  constructor(pubsub: PubSub, kind: Kind, names: readonly string[]) {
    this.#pubsub = pubsub;
    this.kind = kind;
    this.names = names;
    // Until someone iterates, keep only the newest messages (callback-only
    // users must neither be unsubscribed by an overflow nor hold many).
    this.#early = this.#iterate({
      overflow: "drop-oldest",
      bufferSize: earlyBufferSize,
    }) as MessageQueue;
  }

  #iterate(options: IterateOptions): MessageIterator {
    const names = new Set(this.names);
    const kind = this.kind;
    const queue = this.#pubsub.iterate(
      (channel, pattern) =>
        kind === "pattern"
          ? pattern !== undefined && names.has(pattern)
          : pattern === undefined && names.has(channel),
      options,
      () => this.unsubscribe(),
    );
    (queue as MessageQueue).owner = this;
    return queue;
  }

  /**
   * An iterator of this subscription's messages; leaving the loop early
   * unsubscribes. The first iterator also gets the messages received since
   * subscribing (the latest 1,024 of them).
   *
   * @param options Signal, buffer size and overflow policy.
   * @returns The iterator.
   */
  messages(options: IterateOptions = {}): MessageIterator {
    const early = this.#early;
    if (early) {
      early.configure(options); // may throw (bad options): the early queue stays for the next try
      this.#early = undefined;
      return early;
    }
    return this.#iterate(options);
  }

  /**
   * Ends this subscription: its iterators end, and names no other
   * subscription holds are unsubscribed.
   *
   * @returns Resolves once the server confirmed.
   */
  unsubscribe(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#released = true;
    return this.#pubsub.release(this);
  }

  /** Iterates the messages (see `messages()`). */
  [Symbol.asyncIterator](): MessageIterator {
    return this.messages();
  }
}

/**
 * Publish/subscribe handler of a store, on a connection of its own created on
 * the first subscription. Reconnects and subscribes again after a drop
 * (messages published while disconnected are lost).
 *
 * @example Callbacks and iteration
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const pubsub = store.pubsub({ protocol: JSON });
 * pubsub.addClient((channel, message) => console.log(channel, message));
 * await pubsub.subscribe("events");
 * console.log(await pubsub.publish("events", { id: 1 })); // 1
 * await pubsub.close();
 * ```
 */
export class PubSub implements AsyncIterable<PubSubMessage> {
  #host: PubSubHost;
  #options: PubSubOptions;
  #protocol: PubSubProtocol | undefined;
  #connection: Connection | undefined;
  #clients = new Roster<PubSubClient>();
  #listeners = new Roster<Listener>();
  /** Subscribed names, with how many subscriptions hold each. */
  #subscribed: Record<Kind, Map<string, number>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  #connectedBefore = false;
  #confirmWaiters: { kind: Kind; names: Set<string>; resolve(): void; reject(e: unknown): void }[] =
    [];
  #unsubscribeWaiters: { kind: Kind; names: Set<string>; resolve(): void }[] = [];
  /** Text of `bytes[from, to)` in the store's encoding. */
  #decodeRange: (bytes: Uint8Array, from: number, to: number) => string;
  #channels = new NameCache();
  #patterns = new NameCache();
  #closed = false;
  /** How many times the connection came back after a drop. */
  reconnects = 0;

  /**
   * Creates a handler; use `store.pubsub()`.
   *
   * @param host The store's side of the pub/sub.
   * @param options Protocol, binary mode, error reporter.
   */
  constructor(host: PubSubHost, options: PubSubOptions = {}) {
    this.#host = host;
    this.#options = options;
    this.#protocol = toProtocol(options.protocol);
    this.#decodeRange = rangeDecoder(host.encoding);
  }

  #report(error: unknown) {
    (this.#options.onError ?? console.error)(error);
  }

  #connect(): Connection {
    if (this.#closed) throw new TypeError("Cannot subscribe: the pubsub is closed");
    this.#connection ??= this.#host.connect({
      subscriber: true,
      onPush: (frame) => this.#onFrame(frame),
      onMessage: (spans) => this.#onMessage(spans),
      onConnect: () => {
        // Every connection after the first (a reconnect, or a new one after
        // giving up) subscribes again to everything still held.
        if (this.#connectedBefore) this.#resubscribe();
        this.#connectedBefore = true;
      },
      onDown: (error) => this.#onDown(error),
    });
    return this.#connection;
  }

  /** The connection gave up (or closed): iterations and waits end with the error. */
  #onDown(error: Error) {
    if (this.#closed) return;
    for (const listener of this.#listeners) listener.end(error);
    this.#listeners.clear();
    const confirms = this.#confirmWaiters;
    this.#confirmWaiters = [];
    for (const waiter of confirms) waiter.reject(error);
    const unsubscribes = this.#unsubscribeWaiters;
    this.#unsubscribeWaiters = [];
    for (const waiter of unsubscribes) waiter.resolve();
    this.#report(error);
  }

  #resubscribe() {
    this.reconnects++;
    for (const listener of this.#listeners) listener.gap = true;
    try {
      this.#options.onReconnect?.(this.reconnects);
    } catch (error) {
      this.#report(error);
    }
    for (const kind of ["channel", "pattern", "shard"] as Kind[]) {
      const names = [...this.#subscribed[kind].keys()];
      if (names.length) {
        this.#connection?.sendNoReply([
          subscribeCommand[kind][0],
          ...names.map((n) => this.#host.channel(n)),
        ]);
      }
    }
  }

  #text(value: RespValue): string {
    return value instanceof Uint8Array ? this.#decodeRange(value, 0, value.length) : String(value);
  }

  /** The frame's kind; messages are recognised from their bytes without decoding. */
  #kind(value: RespValue): string {
    if (value instanceof Uint8Array) {
      const length = value.length;
      if (length === 7 && value[0] === 0x6d && value[1] === 0x65) return "message";
      if (length === 8 && value[1] === 0x6d && value[2] === 0x65) {
        if (value[0] === 0x70) return "pmessage";
        if (value[0] === 0x73) return "smessage";
      }
    }
    return this.#text(value).toLowerCase();
  }

  /** The name in `bytes[from, to)`, without the namespace. */
  #name(cache: NameCache, bytes: Uint8Array, from: number, to: number): string {
    return cache.lookup(bytes, from, to) ??
      cache.remember(
        bytes,
        from,
        to,
        this.#host.unchannel(this.#decodeRange(bytes, from, to)),
      );
  }

  /** A name element of a decoded frame. */
  #nameOf(cache: NameCache, value: RespValue): string {
    return value instanceof Uint8Array
      ? this.#name(cache, value, 0, value.length)
      : this.#host.unchannel(this.#text(value));
  }

  /** A message as the connection found it in the received bytes. */
  #onMessage(spans: MessageSpans) {
    const bytes = spans.bytes;
    const channel = this.#name(this.#channels, bytes, spans.channelStart, spans.channelEnd);
    const pattern = spans.kind === PMESSAGE
      ? this.#name(this.#patterns, bytes, spans.patternStart, spans.patternEnd)
      : undefined;
    const payload = this.#options.binary
      ? bytes.slice(spans.payloadStart, spans.payloadEnd)
      : this.#decodeRange(bytes, spans.payloadStart, spans.payloadEnd);
    this.#deliver(channel, pattern, payload);
  }

  #onFrame(frame: RespValue[]) {
    const kind = this.#kind(frame[0]);
    if (kind === "message" || kind === "smessage") {
      this.#deliver(this.#nameOf(this.#channels, frame[1]), undefined, this.#payload(frame[2]));
    } else if (kind === "pmessage") {
      this.#deliver(
        this.#nameOf(this.#channels, frame[2]),
        this.#nameOf(this.#patterns, frame[1]),
        this.#payload(frame[3]),
      );
    } else if (kind in confirmKinds) {
      const name = this.#host.unchannel(this.#text(frame[1]));
      const which = confirmKinds[kind];
      for (const waiter of this.#confirmWaiters) {
        if (waiter.kind === which) waiter.names.delete(name);
      }
      this.#settle();
    } else if (kind.endsWith("unsubscribe")) {
      const which: Kind = kind === "punsubscribe"
        ? "pattern"
        : kind === "sunsubscribe"
        ? "shard"
        : "channel";
      const name = frame[1] === null ? undefined : this.#host.unchannel(this.#text(frame[1]));
      for (const waiter of this.#unsubscribeWaiters) {
        if (waiter.kind !== which) continue;
        if (name === undefined) waiter.names.clear();
        else waiter.names.delete(name);
      }
      this.#settle();
    }
  }

  #settle() {
    this.#confirmWaiters = this.#confirmWaiters.filter((waiter) => {
      if (waiter.names.size > 0) return true;
      waiter.resolve();
      return false;
    });
    this.#unsubscribeWaiters = this.#unsubscribeWaiters.filter((waiter) => {
      if (waiter.names.size > 0) return true;
      waiter.resolve();
      return false;
    });
  }

  /** A decoded frame's payload: text, or bytes in binary mode. */
  #payload(value: RespValue): RespValue {
    return value instanceof Uint8Array && !this.#options.binary
      ? this.#decodeRange(value, 0, value.length)
      : value;
  }

  #deliver(channel: string, pattern: string | undefined, payload: RespValue) {
    let message: unknown = payload;
    if (this.#protocol) {
      try {
        message = this.#protocol.decode(message as string | Uint8Array);
      } catch (error) {
        this.#report(
          new TypeError(`Cannot decode a message on "${channel}": ${(error as Error).message}`, {
            cause: error,
          }),
        );
        return;
      }
    }
    // Arrays, not the sets: no iterator per message; a client or listener
    // removed meanwhile (e.g. by a throwing client) is skipped.
    const clients = this.#clients.list;
    for (let i = 0; i < clients.length; i++) {
      const client = clients[i];
      if (!this.#clients.holds(clients, client)) continue;
      try {
        client(channel, message);
      } catch (error) {
        // As in the seed: a client that throws is reported and removed.
        this.#clients.delete(client);
        this.#report(error);
      }
    }
    const listeners = this.#listeners.list;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i];
      if (!this.#listeners.holds(listeners, listener) || !listener.accepts(channel, pattern)) {
        continue;
      }
      const reconnected = listener.gap;
      listener.gap = false;
      listener.push(channel, pattern, message, reconnected);
    }
  }

  async #subscribe(kind: Kind, names: string[]): Promise<Subscription> {
    if (names.length === 0) {
      throw new TypeError(`Cannot ${subscribeCommand[kind][0]}: give at least one name`);
    }
    for (const name of names) {
      if (typeof name !== "string" || name === "") {
        throw new TypeError(`Cannot ${subscribeCommand[kind][0]}: "${name}" is not a name`);
      }
    }
    const connection = this.#connect();
    await connection.connect();
    // Listen before sending: a message may follow the confirmation in the same read.
    const subscription = new Subscription(this, kind, names);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const confirmed = new Promise<void>((resolve, reject) => {
      const waiter = { kind, names: new Set(names), resolve, reject };
      this.#confirmWaiters.push(waiter);
      // No hang without a deadline: a confirmation lost with its connection fails here.
      timer = setTimeout(() => {
        this.#confirmWaiters = this.#confirmWaiters.filter((w) => w !== waiter);
        reject(
          new ConnectionError(
            `Cannot ${subscribeCommand[kind][0]} ${
              names.join(", ")
            }: not confirmed within ${confirmTimeout} ms`,
          ),
        );
      }, confirmTimeout);
    });
    const held = this.#subscribed[kind];
    for (const name of names) held.set(name, (held.get(name) ?? 0) + 1);
    connection.sendNoReply([subscribeCommand[kind][0], ...names.map((n) => this.#host.channel(n))]);
    try {
      await confirmed;
    } catch (error) {
      await subscription.unsubscribe().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return subscription;
  }

  /**
   * Subscribes to channels; resolves once the server confirmed every one.
   *
   * @param channels The channels.
   * @returns The subscription, iterable for its messages.
   */
  subscribe(...channels: string[]): Promise<Subscription> {
    return this.#subscribe("channel", channels);
  }

  /**
   * Subscribes to glob-style patterns (`news.*`).
   *
   * @param patterns The patterns.
   * @returns The subscription, iterable for its messages.
   */
  psubscribe(...patterns: string[]): Promise<Subscription> {
    return this.#subscribe("pattern", patterns);
  }

  /**
   * Subscribes to shard channels (Redis 7 SSUBSCRIBE).
   *
   * @param channels The shard channels.
   * @returns The subscription.
   */
  ssubscribe(...channels: string[]): Promise<Subscription> {
    return this.#subscribe("shard", channels);
  }

  /**
   * Unsubscribes channels; none means all.
   *
   * @param channels The channels.
   * @returns Resolves once the server confirmed.
   */
  unsubscribe(...channels: string[]): Promise<void> {
    return this.unsubscribeKind("channel", channels);
  }

  /**
   * Unsubscribes patterns; none means all.
   *
   * @param patterns The patterns.
   * @returns Resolves once the server confirmed.
   */
  punsubscribe(...patterns: string[]): Promise<void> {
    return this.unsubscribeKind("pattern", patterns);
  }

  /**
   * Unsubscribes names of one kind (used by subscriptions).
   *
   * @param kind Channel, pattern or shard.
   * @param names The names; none means all of that kind.
   * @returns Resolves once the server confirmed.
   */
  unsubscribeKind(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    const gone = new Set(names);
    for (const listener of this.#listeners) {
      // Iterators of subscriptions to these names end with them.
      if ((listener as MessageQueue).ownedBy(kind, gone)) {
        listener.end();
        this.#listeners.delete(listener);
      }
    }
    const targets = names.length ? [...names] : [...this.#subscribed[kind].keys()];
    for (const name of targets) this.#subscribed[kind].delete(name);
    return this.#sendUnsubscribe(kind, targets);
  }

  /**
   * Ends one subscription: its iterators end; names no other subscription
   * holds are unsubscribed (used by `Subscription.unsubscribe`).
   *
   * @param subscription The subscription.
   * @returns Resolves once the server confirmed.
   */
  release(subscription: Subscription): Promise<void> {
    for (const listener of this.#listeners) {
      if ((listener as MessageQueue).owner === subscription) {
        listener.end();
        this.#listeners.delete(listener);
      }
    }
    const held = this.#subscribed[subscription.kind];
    const targets: string[] = [];
    for (const name of subscription.names) {
      const count = held.get(name);
      if (count === undefined) continue;
      if (count > 1) held.set(name, count - 1);
      else {
        held.delete(name);
        targets.push(name);
      }
    }
    return this.#sendUnsubscribe(subscription.kind, targets);
  }

  async #sendUnsubscribe(kind: Kind, targets: string[]): Promise<void> {
    const connection = this.#connection;
    // Not connected: the server holds none of our names; dropping them from
    // the held set is enough (a reconnect subscribes only to what is held).
    if (!connection || this.#closed || targets.length === 0 || !connection.ready) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = new Promise<void>((resolve) => {
      const waiter = { kind, names: new Set(targets), resolve };
      this.#unsubscribeWaiters.push(waiter);
      // Unsubscribing cannot fail for the caller: after the deadline the names are gone locally.
      timer = setTimeout(() => {
        this.#unsubscribeWaiters = this.#unsubscribeWaiters.filter((w) => w !== waiter);
        resolve();
      }, confirmTimeout);
    });
    connection.sendNoReply([
      subscribeCommand[kind][1],
      ...targets.map((n) => this.#host.channel(n)),
    ]);
    await done;
    clearTimeout(timer);
  }

  /**
   * Publishes a message (encoded by `protocol` when set).
   *
   * @param channel The channel.
   * @param message The message.
   * @returns How many subscribers received it.
   */
  publish(channel: string, message: unknown): Promise<number> {
    const payload = this.#protocol ? this.#protocol.encode(message) : message;
    if (typeof payload !== "string" && !(payload instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError(
          `Cannot publish to "${channel}": the message is not text or bytes (set a protocol, e.g. JSON)`,
        ),
      );
    }
    return this.#host.publish(this.#host.channel(channel), payload);
  }

  /**
   * Subscriber counts of channels (PUBSUB NUMSUB).
   *
   * @param channels The channels.
   * @returns `{ [channel]: subscribers }`.
   */
  async count(...channels: string[]): Promise<Record<string, number>> {
    const reply = await this.#host.send([
      "PUBSUB",
      "NUMSUB",
      ...channels.map((c) => this.#host.channel(c)),
    ]);
    const out: Record<string, number> = {};
    const flat = reply instanceof Map ? [...reply].flat() : reply as RespValue[];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out[this.#host.unchannel(this.#text(flat[i]))] = Number(flat[i + 1]);
    }
    return out;
  }

  /**
   * Number of pattern subscriptions on the server (PUBSUB NUMPAT).
   *
   * @returns The count.
   */
  async countPatterns(): Promise<number> {
    return Number(await this.#host.send(["PUBSUB", "NUMPAT"]));
  }

  /**
   * Active channels (PUBSUB CHANNELS), optionally matching a pattern.
   *
   * @param pattern A glob-style pattern.
   * @returns The channel names.
   */
  async channels(pattern?: string): Promise<string[]> {
    const args: CommandArg[] = ["PUBSUB", "CHANNELS"];
    args.push(this.#host.channel(pattern ?? "*"));
    const reply = await this.#host.send(args);
    return (reply as RespValue[]).map((name) => this.#host.unchannel(this.#text(name)));
  }

  /**
   * Adds a callback called as `fn(channel, message)` for every message.
   *
   * @param client The callback.
   */
  addClient(client: PubSubClient): void {
    if (typeof client !== "function") {
      throw new TypeError("Cannot add client: it is not a function");
    }
    this.#clients.add(client);
  }

  /**
   * Removes a callback.
   *
   * @param client The callback.
   */
  removeClient(client: PubSubClient): void {
    this.#clients.delete(client);
  }

  /**
   * An iterator of messages that `accepts` (used by subscriptions).
   *
   * @param accepts Filters messages.
   * @param options Signal, buffer size, overflow policy.
   * @param onReturn Called when the loop is left early.
   * @returns The iterator.
   */
  iterate(
    accepts: (channel: string, pattern: string | undefined) => boolean,
    options: IterateOptions,
    onReturn: () => Promise<void>,
  ): MessageIterator {
    const queue: MessageQueue = new MessageQueue(accepts, options, async () => {
      this.#listeners.delete(queue);
      await onReturn();
    });
    this.#listeners.add(queue);
    return queue;
  }

  /**
   * Every message of every subscription; leaving the loop early
   * unsubscribes everything.
   *
   * @param options Signal, buffer size and overflow policy.
   * @returns The iterator.
   */
  messages(options: IterateOptions = {}): MessageIterator {
    return this.iterate(() => true, options, async () => {
      await Promise.all([this.unsubscribe(), this.punsubscribe()]);
    });
  }

  /** Iterates the messages (see `messages()`). */
  [Symbol.asyncIterator](): MessageIterator {
    return this.messages();
  }

  /**
   * Closes the connection; iterators end.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners) listener.end();
    this.#listeners.clear();
    for (const waiter of this.#confirmWaiters) {
      waiter.reject(new TypeError("Cannot subscribe: the pubsub was closed"));
    }
    for (const waiter of this.#unsubscribeWaiters) waiter.resolve();
    this.#confirmWaiters = [];
    this.#unsubscribeWaiters = [];
    this.#host.closed?.();
    await this.#connection?.close(0);
  }

  /** `await using pubsub = store.pubsub()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * The last name seen and its decoded form: messages mostly come on one
 * channel, so each decodes (and allocates) nothing for it.
 */
class NameCache {
  #bytes: Uint8Array | undefined;
  #name = "";

  /** The remembered name when `bytes[from, to)` holds its bytes. */
  lookup(bytes: Uint8Array, from: number, to: number): string | undefined {
    const last = this.#bytes;
    if (last === undefined || last.length !== to - from) return undefined;
    for (let i = 0; i < last.length; i++) {
      if (last[i] !== bytes[from + i]) return undefined;
    }
    return this.#name;
  }

  /** Remembers `name` for a copy of `bytes[from, to)`; returns it. */
  remember(bytes: Uint8Array, from: number, to: number, name: string): string {
    this.#bytes = bytes.slice(from, to);
    this.#name = name;
    return name;
  }
}

/** A set that also keeps its members in an array, rebuilt only after a change. */
class Roster<T> {
  #members = new Set<T>();
  #list: T[] | undefined = [];

  /** The members, in insertion order; do not modify. */
  get list(): readonly T[] {
    return this.#list ??= [...this.#members];
  }

  /** Number of members. */
  get size(): number {
    return this.#members.size;
  }

  /** Whether `member`, taken from the array `list` returned earlier, is still a member. */
  holds(list: readonly T[], member: T): boolean {
    return list === this.#list || this.#members.has(member);
  }

  add(member: T): void {
    this.#members.add(member);
    this.#list = undefined;
  }

  delete(member: T): void {
    if (this.#members.delete(member)) this.#list = undefined;
  }

  clear(): void {
    this.#members.clear();
    this.#list = [];
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#members[Symbol.iterator]();
  }
}
