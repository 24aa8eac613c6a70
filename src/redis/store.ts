/**
 * The redis store: a {@linkcode RemoteStore} with every typed command, one
 * auto-pipelined connection, and extra connections for blocking commands.
 *
 * @module
 */

import { ConnectionError, ReplyError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";
import { runtime } from "../transport/mod.ts";
import type { Conn } from "../transport/types.ts";
import type { StoreOptions } from "../store.ts";
import type { StoreUrl } from "../url.ts";
import {
  type CallOptions,
  Connection,
  type ConnectionOptions,
  type Handshake,
  type ReconnectOptions,
  type Shape,
} from "./connection.ts";
import { RedisCommands } from "./commands/mod.ts";
import type { Key } from "./commands.ts";
import { makeReplies, type Replies } from "./replies.ts";

/** Options of a redis store; each overrides the URL's query parameter of the same name. */
export interface RedisStoreOptions extends StoreOptions {
  /** RESP version to ask for with HELLO; servers without HELLO get RESP2. @default {3} */
  protocol?: 2 | 3;
  /** A name for the connection (CLIENT SETNAME). */
  clientName?: string;
  /** Default deadline of every command, in milliseconds. @default {undefined} (none) */
  timeout?: number;
  /** Deadline of connect + handshake, in milliseconds. @default {10000} */
  connectTimeout?: number;
  /** Reconnection policy after a drop; `false` turns it off. @default {{ retries: 10, minDelay: 50, maxDelay: 2000 }} */
  reconnect?: ReconnectOptions | false;
  /** Commands that may wait while disconnected. @default {100000} */
  maxOfflineCommands?: number;
  /** Opens the byte stream instead of a TCP/unix socket (e.g. to the embedded server in memory). */
  open?: (signal: AbortSignal) => Promise<Conn>;
}

const blockingPoolSize = 4;

function numberOption(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/**
 * A store backed by a Redis-compatible server (Redis 6/7, or the embedded
 * pulsar server).
 *
 * @example Connect to a local Redis and run commands
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379/2");
 * await store.set("counter", 1);
 * console.log(await store.incr("counter")); // 2
 * ```
 */
export class RedisStore extends RedisCommands {
  #connection: Connection;
  #blockingIdle: Connection[] = [];
  #blockingBusy = new Set<Connection>();
  #replies: Replies;
  #options: RedisStoreOptions;
  #namespaceBytes: Uint8Array | undefined;
  #callOptions: CallOptions | undefined;

  /**
   * @param name The backend's name (`"redis"` or `"pulsar"`).
   * @param url The parsed connection string.
   * @param options Explicit options; they override the URL.
   */
  constructor(name: string, url: StoreUrl, options: RedisStoreOptions = {}) {
    super(name, url, options);
    this.#options = options;
    this.#replies = makeReplies(this.encoding);
    this.#connection = this.#newConnection(false);
  }

  #connectionOptions(): Omit<ConnectionOptions, "handshake"> {
    const params = this.options;
    const { hostname, port, path, tls } = {
      hostname: this.host || "127.0.0.1",
      port: this.port,
      path: this.url.path,
      tls: this.url.tls,
    };
    const address = path ?? `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    const open = this.#options.open ??
      ((signal: AbortSignal) => runtime.connect({ hostname, port, path, tls, signal }));
    return {
      address,
      open,
      connectTimeout: numberOption(params.connectTimeout),
      commandTimeout: numberOption(params.timeout),
      reconnect: this.#options.reconnect,
      maxOfflineCommands: numberOption(params.maxOfflineCommands),
    };
  }

  #newConnection(blocking: boolean): Connection {
    const base = this.#connectionOptions();
    const connection: Connection = new Connection({
      ...base,
      // A blocking command must not be cut short by the store-wide deadline.
      commandTimeout: blocking ? undefined : base.commandTimeout,
      reconnect: blocking ? false : base.reconnect,
      handshake: this.#handshake(() => connection),
    });
    return connection;
  }

  /** HELLO (with AUTH and SETNAME) and SELECT in one round trip; AUTH for old servers. */
  #handshake(connection: () => Connection): Handshake {
    const protocol = this.options.protocol === 2 ? 2 : 3;
    const name = typeof this.options.clientName === "string" ? this.options.clientName : undefined;
    const password = this.password;
    const user = this.user;
    const database = this.database;
    const address = this.#connectionOptions().address;
    const fail = (step: string, error: ReplyError): never => {
      throw new ConnectionError(`Cannot connect to "${address}": ${step} failed: ${error.message}`, {
        cause: error,
      });
    };
    const select: CommandArg[][] = database ? [["SELECT", database]] : [];
    return {
      commands() {
        const hello: CommandArg[] = ["HELLO", protocol];
        if (password !== undefined) hello.push("AUTH", user ?? "default", password);
        if (name) hello.push("SETNAME", name);
        return [hello, ...select];
      },
      check(replies, round) {
        if (round === 0) {
          const hello = replies[0];
          if (hello instanceof ReplyError) {
            const legacy = hello.code === "NOPROTO" || /unknown command/i.test(hello.message);
            if (!legacy) fail("HELLO", hello);
            connection().protocol = 2;
            const fallback: CommandArg[][] = [];
            if (password !== undefined) {
              fallback.push(user ? ["AUTH", user, password] : ["AUTH", password]);
            }
            if (name) fallback.push(["CLIENT", "SETNAME", name]);
            fallback.push(...select);
            return fallback.length ? fallback : undefined;
          }
          connection().protocol = protocol;
          if (replies[1] instanceof ReplyError) fail("SELECT", replies[1]);
          return undefined;
        }
        for (const reply of replies) {
          if (reply instanceof ReplyError) fail(String(reply.command ?? "handshake"), reply);
        }
        return undefined;
      },
    };
  }

  protected send<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.#connection.send(args, shape, this.#callOptions);
  }

  protected sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    const connection = this.#blockingIdle.pop() ?? this.#newConnection(true);
    this.#blockingBusy.add(connection);
    const release = () => {
      this.#blockingBusy.delete(connection);
      if (!connection.closed && connection.pending === 0) {
        if (this.#blockingIdle.length < blockingPoolSize) this.#blockingIdle.push(connection);
        else connection.close(0);
      }
    };
    return connection.send(args, shape, this.#callOptions).then((value) => {
      release();
      return value;
    }, (error) => {
      // A blocking command given up on client-side is still blocked on the
      // server: close its connection so it cannot pop an element later.
      if (connection.pending > 0) connection.close(0);
      release();
      throw error;
    });
  }

  protected get replies(): Replies {
    return this.#replies;
  }

  protected key(key: Key): CommandArg {
    const namespace = this.namespace;
    if (!namespace) return key;
    if (typeof key === "string") return namespace + key;
    this.#namespaceBytes ??= new TextEncoder().encode(namespace);
    const out = new Uint8Array(this.#namespaceBytes.length + key.length);
    out.set(this.#namespaceBytes);
    out.set(key, this.#namespaceBytes.length);
    return out;
  }

  protected unkey(key: string): string {
    const namespace = this.namespace;
    return namespace && key.startsWith(namespace) ? key.slice(namespace.length) : key;
  }

  /**
   * A view of this store whose commands use the given deadline and signal.
   * The view shares the store's connections; closing either closes both.
   *
   * @param options `timeout` in milliseconds and/or `signal`.
   * @returns The view.
   *
   * @example Give one command a deadline
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * console.log(await store.with({ timeout: 1000 }).get("missing")); // null
   * ```
   */
  with(options: CallOptions): this {
    return this.#derive(
      (args, shape) => this.#connection.send(args, shape, options),
      (args, shape) => {
        const previous = this.#callOptions;
        this.#callOptions = options;
        try {
          return this.sendBlocking(args, shape);
        } finally {
          this.#callOptions = previous;
        }
      },
    );
  }

  /**
   * An object with every command method of this store whose commands go
   * through `send` instead (views, pipelines, transactions). Private fields
   * stay on the store, so everything a command method reads is bound here.
   */
  #derive(
    send: (args: CommandArg[], shape: Shape<unknown>) => Promise<unknown>,
    sendBlocking: (args: CommandArg[], shape: Shape<unknown>) => Promise<unknown> = send,
  ): this {
    const view = Object.create(this) as this;
    Object.defineProperties(view, {
      send: { value: send },
      sendBlocking: { value: sendBlocking },
      replies: { value: this.#replies },
      key: { value: (key: Key) => this.key(key) },
    });
    return view;
  }

  /**
   * The RESP version in use on the shared connection (known once connected).
   */
  get protocol(): 2 | 3 {
    return this.#connection.protocol;
  }

  connect(signal?: AbortSignal): Promise<void> {
    return this.#connection.connect(signal);
  }

  async ping(signal?: AbortSignal): Promise<boolean> {
    const reply = await this.#connection.send(["PING"], this.#replies.text, { signal });
    return reply === "PONG";
  }

  client(): this {
    return this;
  }

  pubsub(_options?: Record<string, unknown>): unknown {
    throw new Error("Cannot create a pubsub handler: not available yet");
  }

  async flush(): Promise<void> {
    await this.send(["FLUSHDB"], this.#replies.raw);
  }

  async close(): Promise<void> {
    const blocking = [...this.#blockingIdle, ...this.#blockingBusy];
    this.#blockingIdle = [];
    this.#blockingBusy.clear();
    await Promise.all([this.#connection.close(), ...blocking.map((c) => c.close(0))]);
  }
}

export type { RespValue };
