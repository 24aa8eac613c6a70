/**
 * The redis store: a {@linkcode RemoteStore} with every typed command, one
 * auto-pipelined connection, and extra connections for blocking commands.
 *
 * @module
 */

import { ConnectionClosedError, ConnectionError, ReplyError, WatchError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";
import { runtime } from "../transport/mod.ts";
import type { Conn, TlsOptions } from "../transport/types.ts";
import type { Command, StoreOptions } from "../store.ts";
import { RemoteStore } from "../remote_store.ts";
import type { StoreUrl } from "../url.ts";
import {
  type CallOptions,
  Connection,
  type ConnectionOptions,
  type Handshake,
  type ReconnectOptions,
  type Shape,
} from "./connection.ts";
import { attachRedisCommands, type RedisCommands } from "./commands/mod.ts";
import { executeArgs, type Key } from "./commands.ts";
import { resolveOptions } from "./options.ts";
import { Streams } from "./stream_consumer.ts";
import type { ReplyValue } from "./execute_reply.ts";
import { escapeGlob } from "./commands/_args.ts";
import { CommandSet, type CommandSetExecutor } from "./command_set.ts";
import { makeReplies, type Replies } from "./replies.ts";
import { PubSub, type PubSubOptions } from "./pubsub.ts";
import { RedisScript, scriptSha } from "./script.ts";
import { Lock, type LockOptions } from "./lock.ts";
import {
  type BatchContext,
  isBatch,
  makeBatch,
  type Pipeline,
  sendPipeline,
  sendTransaction,
  type Transaction,
} from "./pipeline.ts";

/** Options of {@linkcode RedisStore.watch}. */
export interface WatchOptions extends CallOptions {
  /** Attempts after the first when a watched key changed. @default {5} */
  retries?: number;
}

/** The store's commands on the watching connection, plus `multi()` to queue the writes. */
export interface WatchedStore extends CommandSet {
  /** Starts the transaction whose commands run atomically if no watched key changed. */
  multi(): Transaction<[]>;
}

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
  /**
   * Gives a command's `ReplyError` or `TimeoutError` the stack of the line
   * that issued it (a stack trace taken per command). Off by default: on
   * bench (b) (200k SET + 200k GET in flight) it took the client's CPU per
   * command from 1.4 to 5.4 µs on Deno 2.9 and from 0.65 to 1.3 µs on Bun
   * 1.4; turn it on while debugging.
   * @default {false}
   */
  captureStack?: boolean;
  /**
   * After a drop, re-send the commands already written that the command
   * table flags may-replay (read-only, not blocking: GET, HGETALL,
   * ZRANGE...) instead of failing them; writes are re-sent only when marked
   * with `with({ idempotent: true })`.
   * @default {false}
   */
  resendReadOnly?: boolean;
  /**
   * Milliseconds of silence after which the server is presumed dead (idle
   * connections are probed with PING); 0 disables it.
   * @default {30000}
   */
  healthCheck?: number;
  /**
   * Receives RESP3 push frames that arrive on the shared connection (e.g.
   * CLIENT TRACKING invalidations), decoded like `execute` replies.
   * @default {undefined} (ignored)
   */
  onPush?: (frame: RespValue[]) => void;
  /**
   * Called once, after the store closed (e.g. to stop a server it started).
   * @default {undefined}
   */
  onClose?: () => Promise<void> | void;
  /**
   * TLS settings (`rediss://` turns TLS on), e.g. `{ caCerts: [pem] }` to
   * trust a private CA.
   * @default {undefined}
   */
  tls?: TlsOptions;
  /** Opens the byte stream instead of a TCP/unix socket (e.g. to the embedded server in memory). */
  open?: (signal: AbortSignal) => Promise<Conn>;
}

const blockingPoolSize = 4;

/** Keys asked per SCAN page by a namespaced `flush()` (each page is one UNLINK). */
const flushPage = 1000;

/** The command methods of {@linkcode RedisStore}. */
export interface RedisStore extends RedisCommands {}

/**
 * A store backed by a Redis-compatible server (Redis 6/7, or the embedded
 * pulsar server). Its command methods are the ones of `RedisCommands`,
 * sent on the shared, auto-pipelined connection.
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
export class RedisStore extends RemoteStore {
  #connection: Connection;
  #blockingIdle: Connection[] = [];
  #blockingBusy = new Set<Connection>();
  #pubsubs = new Set<PubSub>();
  #closed = false;
  #replies: Replies;
  #options: RedisStoreOptions;
  #namespaceBytes: Uint8Array | undefined;
  #streams: Streams | undefined;

  /**
   * Creates a redis store; use {@linkcode createStore} rather than this directly.
   *
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
    const resolved = resolveOptions(this.options, this.#options.reconnect);
    const { hostname, port, path, tls } = {
      hostname: this.host || "127.0.0.1",
      port: this.port,
      path: this.url.path,
      tls: this.url.tls ? (this.#options.tls ?? true) : false,
    };
    const address = path ?? `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    const open = this.#options.open ??
      ((signal: AbortSignal) => runtime.connect({ hostname, port, path, tls, signal }));
    return {
      address,
      open,
      connectTimeout: resolved.connectTimeout,
      commandTimeout: resolved.timeout,
      reconnect: resolved.reconnect,
      maxOfflineCommands: resolved.maxOfflineCommands,
      resendReadOnly: resolved.resendReadOnly,
      captureStack: resolved.captureStack,
      healthCheck: resolved.healthCheck,
      onPush: this.#options.onPush,
    };
  }

  /**
   * A connection: the shared one reconnects; a dedicated one (blocking
   * commands, WATCH) does not, since its server-side state would be lost.
   */
  #newConnection(dedicated: boolean, blocking = dedicated): Connection {
    const base = this.#connectionOptions();
    const connection: Connection = new Connection({
      ...base,
      // A blocking command must not be cut short by the store-wide deadline.
      commandTimeout: blocking ? undefined : base.commandTimeout,
      // Blocking commands are silent by design.
      healthCheck: blocking ? 0 : base.healthCheck,
      reconnect: dedicated ? false : base.reconnect,
      handshake: this.#handshake(() => connection),
    });
    return connection;
  }

  /** HELLO (with AUTH and SETNAME) and SELECT in one round trip; AUTH for old servers. */
  #handshake(connection: () => Connection): Handshake {
    const { protocol, clientName: name } = resolveOptions(this.options);
    const password = this.password;
    const user = this.user;
    const database = this.database;
    const address = this.#connectionOptions().address;
    const fail = (step: string, error: ReplyError): never => {
      throw new ConnectionError(
        `Cannot connect to "${address}": ${step} failed: ${error.message}`,
        {
          cause: error,
        },
      );
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

  /** Sends on the shared, auto-pipelined connection. */
  protected send<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.#connection.send(args, shape);
  }

  /** Sends on a pooled dedicated connection (blocking commands). */
  protected sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.#sendBlocking(args, shape, undefined);
  }

  #sendBlocking<T>(args: CommandArg[], shape: Shape<T>, options: CallOptions | undefined) {
    if (this.#closed) {
      return Promise.reject(
        new ConnectionClosedError(`Cannot run ${args[0]}: the store is closed`),
      );
    }
    const connection = this.#blockingIdle.pop() ?? this.#newConnection(true);
    this.#blockingBusy.add(connection);
    const release = () => {
      this.#blockingBusy.delete(connection);
      if (!connection.closed && connection.pending === 0) {
        if (this.#blockingIdle.length < blockingPoolSize) this.#blockingIdle.push(connection);
        else connection.close(0);
      }
    };
    return connection.send(args, shape, options).then((value) => {
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

  /** The reply shapes for this store's encoding. */
  protected get replies(): Replies {
    return this.#replies;
  }

  /** Adds the namespace to a key. */
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

  /** Removes the namespace from a key the server returned. */
  protected unkey(key: string): string {
    const namespace = this.namespace;
    return namespace && key.startsWith(namespace) ? key.slice(namespace.length) : key;
  }

  /**
   * Runs any command, decoding the reply like the typed methods do (text as
   * `string`, maps as objects, one shape under RESP2 and RESP3). Commands
   * that would change the shared connection's state are refused; blocking
   * ones run on a connection of their own. See `CommandCore.execute`.
   *
   * @param command The command name, e.g. `"OBJECT"`.
   * @param args Its arguments.
   * @returns The decoded reply.
   * @throws {TypeError} For a command that would change the connection's state.
   *
   * @example Run a command that has no method
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * console.log(await store.execute("PING")); // "PONG"
   * ```
   */
  execute(command: string, ...args: CommandArg[]): Promise<ReplyValue> {
    const checked = executeArgs(command, args);
    const shape = this.#replies.valueFor(checked.flags, checked.args);
    return checked.blocking
      ? this.sendBlocking(checked.args, shape)
      : this.send(checked.args, shape);
  }

  /**
   * Stream helpers: `consume()` reads a stream with a consumer group as an
   * async iterator (recovery of pending entries, take-over of stale ones,
   * acknowledgement, abort).
   *
   * @returns The helpers.
   */
  get streams(): Streams {
    return this.#streams ??= new Streams(this);
  }

  /**
   * A view of this store whose command methods (and `execute`) use the
   * given deadline, signal or `idempotent` flag. The view is the store's
   * command set over its connections with these options; it has no
   * connection methods (`close`, `pipeline`...): call those on the store.
   *
   * @param options `timeout` in milliseconds, `signal`, `idempotent`.
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
  with(options: CallOptions): CommandSet {
    return new CommandSet(this.#executor(undefined, options));
  }

  /**
   * An executor of this store: the shared connection (or `connection`,
   * e.g. the one that WATCHes), with `options` on every command.
   */
  #executor(connection: Connection | undefined, options: CallOptions): CommandSetExecutor {
    const label = () => String(this);
    const dns = () => this.dns;
    const send = <T>(args: CommandArg[], shape: Shape<T>): Promise<T> =>
      (connection ?? this.#connection).send(args, shape, options);
    return {
      send,
      sendBlocking: connection ? send : (args, shape) => this.#sendBlocking(args, shape, options),
      key: (key) => this.key(key),
      unkey: (key) => this.unkey(key),
      replies: this.#replies,
      namespace: this.namespace,
      // Read only when asked (String(view), view.dns): a view per call stays cheap.
      get label() {
        return label();
      },
      get dns() {
        return dns();
      },
      with: (more) => this.#executor(connection, { ...options, ...more }),
    };
  }

  /**
   * Starts a pipeline: record commands, then `commit()` sends them in one
   * write and returns every reply in order (an error reply is that entry's
   * value, never a rejection of the batch).
   *
   * @returns The pipeline.
   *
   * @example Batch commands
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * const [ok, value] = await store.pipeline().set("k", "v").get("k").commit();
   * console.log(ok, value); // "OK" "v"
   * ```
   */
  pipeline(): Pipeline<[]> {
    return makeBatch<Pipeline<[]>>(
      this.#batchContext(),
      (entries, options) => sendPipeline(this.#connection, entries, options),
    );
  }

  /**
   * Starts a MULTI/EXEC transaction: record commands, then `commit()` runs
   * them atomically.
   *
   * @returns The transaction.
   *
   * @example Atomic increments
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * console.log(await store.transaction().incr("x").incrby("x", 5).commit()); // [1, 6]
   * ```
   */
  transaction(): Transaction<[]> {
    return makeBatch<Transaction<[]>>(
      this.#batchContext(),
      (entries, options) => sendTransaction(this.#connection, entries, options),
    );
  }

  /** What a batch's command methods need from this store. */
  #batchContext(): BatchContext {
    return {
      key: (key) => this.key(key),
      unkey: (key) => this.unkey(key),
      replies: this.#replies,
      namespace: this.namespace,
    };
  }

  /**
   * Optimistic locking: WATCHes `keys` on a dedicated connection, runs `fn`
   * (its reads run at once on that connection; `tx.multi()` queues the
   * writes), then commits. When a watched key changed meanwhile, it runs
   * `fn` again, up to `retries` more times, then throws a
   * {@linkcode WatchError}.
   *
   * @param keys The keys to watch.
   * @param fn Reads, then queues writes with `tx.multi()`.
   * @param options Retries, deadline and signal.
   * @returns The replies of EXEC (empty when `fn` queued nothing).
   * @throws {WatchError} When every attempt met a conflict.
   *
   * @example Increment with a read-modify-write
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * const [ok] = await store.watch(["balance"], async (tx) => {
   *   const balance = Number(await tx.get("balance") ?? 0);
   *   return tx.multi().set("balance", balance + 10); // returned: the replies are typed
   * });
   * console.log(ok, await store.get("balance")); // "OK" "10"
   * ```
   */
  watch<R extends unknown[]>(
    keys: Key[],
    fn: (tx: WatchedStore) => Transaction<R> | Promise<Transaction<R>>,
    options?: WatchOptions,
  ): Promise<R>;
  /**
   * Optimistic locking, with a callback that queues its writes on
   * `tx.multi()` without returning the transaction.
   *
   * @param keys The keys to watch.
   * @param fn Reads, then queues writes with `tx.multi()`.
   * @param options Retries, deadline and signal.
   * @returns The replies of EXEC (empty when `fn` queued nothing).
   * @throws {WatchError} When every attempt met a conflict.
   */
  watch(keys: Key[], fn: (tx: WatchedStore) => unknown, options?: WatchOptions): Promise<unknown[]>;
  async watch(
    keys: Key[],
    fn: (tx: WatchedStore) => unknown,
    options: WatchOptions = {},
  ): Promise<unknown[]> {
    const { retries = 5, ...call } = options;
    const connection = this.#newConnection(true, false);
    const raw = (value: RespValue) => value;
    try {
      for (let attempt = 0; attempt <= retries; attempt++) {
        await connection.send(["WATCH", ...this.keyArgs(keys)], raw, call);
        let transaction: Transaction<[]> | undefined;
        const tx = new WatchHandle(
          this.#executor(connection, call),
          () =>
            transaction ??= makeBatch<Transaction<[]>>(
              this.#batchContext(),
              (entries, commitOptions) =>
                sendTransaction(connection, entries, commitOptions ?? call),
            ),
        );
        try {
          const returned = await fn(tx);
          if (isBatch(returned) && returned !== transaction) {
            throw new TypeError(
              "Cannot commit the watched transaction: the callback returned a batch that is not tx.multi()",
            );
          }
        } catch (error) {
          await connection.send(["UNWATCH"], raw, call).catch(() => {});
          throw error;
        }
        if (!transaction || transaction.length === 0) {
          await connection.send(["UNWATCH"], raw, call);
          return [];
        }
        try {
          return await transaction.commit();
        } catch (error) {
          if (!(error instanceof WatchError) || attempt === retries) throw error;
        }
      }
      throw new WatchError(`Cannot commit transaction: watched keys changed ${retries + 1} times`);
    } finally {
      await connection.close(0);
    }
  }

  /**
   * A Lua script of this store: its SHA-1 is computed with WebCrypto;
   * `run()` uses EVALSHA and falls back to EVAL. (The embedded server has no
   * Lua: running a script there fails with a clear error.)
   *
   * @param source The Lua source.
   * @returns The script.
   *
   * @example Load and run
   * ```ts ignore
   * import { createStore } from "@pulsar/datastore";
   *
   * await using store = createStore("redis://127.0.0.1:6379");
   * const script = await store.script("return ARGV[1]");
   * console.log(await script.run([], ["hi"]));
   * ```
   */
  async script(source: string): Promise<RedisScript> {
    if (typeof source !== "string" || source === "") {
      throw new TypeError("Cannot create script: the source must be a non-empty string");
    }
    return new RedisScript(this.#host(), source, await scriptSha(source));
  }

  /**
   * A distributed lock named `name` (a key in this store's namespace).
   *
   * @param name The lock's name.
   * @param options `timeout` (seconds until it expires), `blocking`, `sleep`, `signal`.
   * @returns The lock, not yet acquired.
   *
   * @example Acquire, work, release
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * const lock = store.lock("report", { timeout: 30, blocking: 5 });
   * if (await lock.acquire()) {
   *   try {
   *     // ... work ...
   *   } finally {
   *     await lock.release();
   *   }
   * }
   * ```
   */
  lock(name: string, options?: LockOptions): Lock {
    return new Lock(this.#host(), name, options);
  }

  #host(): { send(args: CommandArg[]): Promise<RespValue>; key(key: Key): CommandArg } {
    return {
      send: (args) => this.#connection.send(args, this.#replies.raw),
      key: (key) => this.key(key),
    };
  }

  /**
   * Runs object-data-mapper commands atomically (MULTI/EXEC). Each command's
   * `args` is `[name, ...arguments]`.
   *
   * @param commands The commands.
   * @returns Their replies, decoded as by `execute`.
   */
  override executeTransaction(commands: readonly Command[]): Promise<RespValue[]> {
    const entries = commands.map((command) => {
      if (!Array.isArray(command.args) || command.args.length === 0) {
        throw new TypeError("Cannot execute transaction: a command's args must be [name, ...args]");
      }
      return { args: command.args as CommandArg[], shape: (value: RespValue) => value };
    });
    return sendTransaction(this.#connection, entries) as Promise<RespValue[]>;
  }

  /**
   * The RESP version in use on the shared connection (known once connected).
   */
  get protocol(): 2 | 3 {
    return this.#connection.protocol;
  }

  /**
   * Connects (and runs the handshake) now instead of on first use.
   *
   * @param signal Aborts the attempt.
   * @returns Resolves once connected.
   * @throws {ConnectionError} When the server cannot be reached or refuses the handshake.
   */
  connect(signal?: AbortSignal): Promise<void> {
    return this.#connection.connect(signal);
  }

  /**
   * Sends PING.
   *
   * @param signal Aborts the wait.
   * @returns `true` when the server answered PONG.
   */
  async ping(signal?: AbortSignal): Promise<boolean> {
    const reply = await this.#connection.send(["PING"], this.#replies.text, { signal });
    return reply === "PONG";
  }

  /**
   * The object that runs commands: the store itself (kept for pulsar's API).
   *
   * @returns This store.
   */
  client(): this {
    return this;
  }

  /**
   * A publish/subscribe handler on its own connection (made on the first
   * subscription). Channels get the store's namespace.
   *
   * @param options Message protocol (e.g. `JSON`), binary mode, error reporter.
   * @returns The handler.
   *
   * @example Subscribe and iterate
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await using pubsub = store.pubsub();
   * const sub = await pubsub.subscribe("chat");
   * await pubsub.publish("chat", "hi");
   * for await (const { message } of sub) {
   *   console.log(message); // "hi"
   *   break;
   * }
   * ```
   */
  pubsub(options?: PubSubOptions): PubSub {
    if (this.#closed) {
      throw new ConnectionClosedError("Cannot create a pubsub: the store is closed");
    }
    const pubsub: PubSub = new PubSub({
      connect: (hooks) => {
        const connection = this.#newConnection(false, true);
        connection.configure(hooks);
        return connection;
      },
      closed: () => this.#pubsubs.delete(pubsub),
      send: (args) => this.#connection.send(args, this.#replies.raw),
      publish: (channel, payload) =>
        this.#connection.send(["PUBLISH", channel, payload], this.#replies.integer),
      encoding: this.encoding,
      channel: (name) => this.namespace + name,
      unchannel: (name) => this.unkey(name),
    }, options);
    this.#pubsubs.add(pubsub);
    return pubsub;
  }

  /**
   * Removes this store's keys: with a namespace, only the keys under it
   * (SCAN ... MATCH `<namespace>*` then UNLINK, one page at a time, so
   * other applications' keys in the same database stay); without one,
   * every key of the database (FLUSHDB). To empty the whole database of a
   * namespaced store, call `flushdb()`.
   *
   * Keys written under the namespace while it runs may survive it (SCAN
   * only promises the keys present from start to end).
   *
   * @param signal Aborts the walk between pages (pages already unlinked stay unlinked).
   * @returns Resolves when done.
   *
   * @example Empty one namespace of a shared database
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using shared = await startStore("pulsar://");
   * await using app = await startStore("pulsar://?namespace=app:"); // the same server
   * await shared.set("other", "kept");
   * await app.set("k", "v");
   * await app.flush();
   * console.log(await shared.get("app:k"), await shared.get("other")); // null "kept"
   * ```
   */
  async flush(signal?: AbortSignal): Promise<void> {
    const namespace = this.namespace;
    if (!namespace) {
      await this.#connection.send(["FLUSHDB"], this.#replies.raw, { signal });
      return;
    }
    const match = escapeGlob(namespace) + "*";
    const { array, text } = this.#replies;
    const unlinks: Promise<unknown>[] = [];
    let cursor = "0";
    do {
      // The keys stay raw bytes: UNLINK gets exactly what SCAN returned.
      const [next, keys] = array(
        await this.#connection.send(["SCAN", cursor, "MATCH", match, "COUNT", flushPage], array, {
          signal,
        }),
      );
      const page = array(keys) as CommandArg[];
      if (page.length > 0) {
        unlinks.push(this.#connection.send(["UNLINK", ...page], this.#replies.integer));
      }
      cursor = text(next);
    } while (cursor !== "0");
    await Promise.all(unlinks);
  }

  /**
   * Closes every connection of the store; commands still pending get a
   * short grace period, then reject with `ConnectionClosedError`.
   *
   * @returns Resolves once closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const blocking = [...this.#blockingIdle, ...this.#blockingBusy];
    const pubsubs = [...this.#pubsubs];
    this.#pubsubs.clear();
    this.#blockingIdle = [];
    this.#blockingBusy.clear();
    await Promise.all([
      this.#connection.close(),
      ...blocking.map((c) => c.close(0)),
      ...pubsubs.map((p) => p.close()),
    ]);
    await this.#options.onClose?.();
  }
}

attachRedisCommands(RedisStore.prototype);

/** A `watch()` callback's handle: the commands on the watching connection, and `multi()`. */
class WatchHandle extends CommandSet implements WatchedStore {
  #multi: () => Transaction<[]>;

  constructor(executor: CommandSetExecutor, multi: () => Transaction<[]>) {
    super(executor);
    this.#multi = multi;
  }

  /**
   * Starts (once) the transaction committed after the callback returns.
   *
   * @returns The transaction.
   */
  multi(): Transaction<[]> {
    return this.#multi();
  }
}

export type { RespValue };
