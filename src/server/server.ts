/**
 * The embedded Redis-compatible server ("pulsards"): listens through the
 * transport seam (or only in memory), owns the databases, the clients, the
 * pub/sub hub, blocked-client wake-ups, active expiry and snapshots.
 *
 * @module
 */

import { memoryPair } from "../transport/memory.ts";
import { runtime } from "../transport/mod.ts";
import type { Conn, Listen, Listener } from "../transport/types.ts";
import { Client } from "./client.ts";
import { type Command, CommandTable } from "./commands/mod.ts";
import { MAXMEMORY_POLICIES, memoryCron } from "./eviction.ts";
import { Database } from "./keyspace.ts";
import type { MemoryAccount } from "./memory.ts";
import { acceptErrorHandler, fitMaxClients } from "./max_clients.ts";
import { type FileSystem, loadSnapshot, saveSnapshot, type SnapshotStats } from "./persistence.ts";
import { clearLongTimeout, type LongTimer, setLongInterval } from "./long_timer.ts";
import { monitorLine, secretArguments } from "./monitor.ts";
import { PubSub } from "./pubsub.ts";
import type { ServerInfo } from "./types.ts";

/** The server version reported by HELLO and INFO (the Redis version we mirror). */
export const REDIS_VERSION = "7.0.15";
/** The pulsards version. */
export const PULSARDS_VERSION = "0.1.0";

/** Snapshot (persistence) options. */
export interface SnapshotOptions {
  /** The snapshot file. Loaded on start, written on SAVE/BGSAVE/schedule/shutdown. */
  path: string;
  /**
   * Save every this many seconds when something changed; 0 disables the schedule.
   * @default {60}
   */
  saveEverySeconds?: number;
  /**
   * The minimum number of changes that makes a scheduled save happen.
   * @default {1}
   */
  saveAfterChanges?: number;
  /**
   * Save on shutdown.
   * @default {true}
   */
  saveOnShutdown?: boolean;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /**
   * The address to bind.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The TCP port; 0 asks the OS for a free one.
   * @default {6410}
   */
  port?: number;
  /**
   * The number of databases (`SELECT 0..n-1`).
   * @default {16}
   */
  databases?: number;
  /**
   * Require AUTH with this password (user `default`). Unset: no auth.
   * @default {undefined}
   */
  password?: string;
  /**
   * Persist to a snapshot file.
   * @default {undefined}
   */
  snapshot?: SnapshotOptions;
  /**
   * Shuts the server down when aborted.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * How to listen: a `listen` function from a runtime adapter, or `false` to
   * serve in-memory connections only (`connectMemory()`).
   * @default {the adapter of the current runtime}
   */
  transport?: { listen: Listen } | false;
  /**
   * Largest accepted unparsed request buffer per client, in bytes.
   * @default {1073741824} (1 GiB, Redis's `client-query-buffer-limit`)
   */
  maxQueryBuffer?: number;
  /**
   * Largest accepted bulk string argument, in bytes.
   * @default {536870912} (512 MiB, Redis's `proto-max-bulk-len`)
   */
  maxBulkLength?: number;
  /**
   * Pending output above which a pub/sub subscriber (or MONITOR client) is
   * disconnected, in bytes: the hard limit of the `pubsub` class of
   * `client-output-buffer-limit` (its soft limit stays 8 MiB for 60 s).
   * @default {33554432} (32 MiB, Redis's pubsub hard limit)
   */
  pubsubOutputLimit?: number;
  /**
   * Maximum number of connected clients.
   * @default {10000}
   */
  maxClients?: number;
  /**
   * The memory limit of the data, in bytes (Redis's `maxmemory`): over it,
   * keys are evicted per `maxMemoryPolicy`, or write commands refused with
   * `OOM`. 0 means no limit. Memory is the server's own accounting of its
   * keys and clients (INFO `used_memory`), not the process's heap.
   * @default {0}
   */
  maxMemory?: number;
  /**
   * What to do at the memory limit (Redis's `maxmemory-policy`):
   * `noeviction`, `allkeys-lru`, `volatile-lru`, `allkeys-lfu`,
   * `volatile-lfu`, `allkeys-random`, `volatile-random` or `volatile-ttl`.
   * @default {"noeviction"}
   */
  maxMemoryPolicy?: string;
  /**
   * File access for snapshots.
   * @default {Deno or Bun file functions, found by feature test}
   */
  fs?: FileSystem;
  /**
   * Receives log lines (slow subscribers, snapshot errors).
   * @default {no logging}
   */
  log?: (message: string) => void;
}

/**
 * One class of Redis's `client-output-buffer-limit`: a client whose unsent
 * output reaches `hard` bytes, or stays at or over `soft` bytes for
 * `softSeconds` seconds, is disconnected. 0 disables a limit.
 */
export interface OutputBufferLimit {
  /** Hard limit in bytes; 0 = none. */
  hard: number;
  /** Soft limit in bytes; 0 = none. */
  soft: number;
  /** How long, in seconds, output may stay over `soft`. */
  softSeconds: number;
}

/**
 * The output-buffer limits per client class (`client-output-buffer-limit`).
 * MONITOR clients use the `pubsub` limits (Redis counts them as `normal`,
 * unlimited by default, so one unread MONITOR can grow without bound).
 */
export interface OutputBufferLimits {
  /** Ordinary clients (Redis default: none). */
  normal: OutputBufferLimit;
  /** Replicas (kept for CONFIG; the embedded server has none). */
  replica: OutputBufferLimit;
  /** Subscribers and MONITOR clients. */
  pubsub: OutputBufferLimit;
}

/** Settings CONFIG GET/SET reads and changes. */
export interface ServerConfig {
  /** AUTH password; "" = none. */
  requirepass: string;
  /** Query buffer limit in bytes. */
  maxQueryBuffer: number;
  /** Bulk length limit in bytes. */
  maxBulkLength: number;
  /** `client-output-buffer-limit`, per client class. */
  outputBufferLimits: OutputBufferLimits;
  /** Maximum clients. */
  maxClients: number;
  /** Bound address. */
  bind: string;
  /** Bound port. */
  port: number;
  /** Snapshot file path ("" = none). */
  dbfilename: string;
  /** Save schedule: seconds, changes ("" disables). */
  save: string;
  /** Timeout for idle clients in seconds (accepted, not enforced). */
  timeout: number;
  /** Active-expiry frequency. */
  hz: number;
  /** `maxmemory` in bytes; 0 = no limit (see `./eviction.ts`). */
  maxmemory: number;
  /** `maxmemory-policy` (an LFU policy also turns on OBJECT FREQ). */
  maxmemoryPolicy: string;
  /** `maxmemory-samples`: keys sampled per database per eviction. */
  maxmemorySamples: number;
  /** `lfu-log-factor`. */
  lfuLogFactor: number;
  /** `lfu-decay-time`, in minutes. */
  lfuDecayTime: number;
}

/** Counters for INFO stats. */
export interface ServerStats {
  /** Connections accepted. */
  connectionsReceived: number;
  /** Commands run. */
  commandsProcessed: number;
  /** Connections refused (maxclients). */
  rejectedConnections: number;
  /** Keys removed by the active expiry sweep. */
  expiredKeys: number;
  /** Keys evicted to stay under `maxmemory`. */
  evictedKeys: number;
  /** The highest accounted memory seen (INFO `used_memory_peak`), in bytes. */
  usedMemoryPeak: number;
}

async function defaultFileSystem(): Promise<FileSystem> {
  const { runtimeFileSystem } = await import("../transport/fs.ts");
  return runtimeFileSystem();
}

export type { Conn, ConnSink, Listen, Listener, ListenOptions } from "../transport/types.ts";

/**
 * A running embedded server, as {@linkcode serve} returns it.
 *
 * @example Start in memory and stop
 * ```ts
 * import { serve } from "@pulsar/datastore/server";
 *
 * const server = await serve({ transport: false });
 * await server.shutdown();
 * ```
 */
export interface PulsarServer {
  /** The bound address; `{ hostname: "memory", port: 0 }` without a listener. */
  readonly addr: { hostname: string; port: number };
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  /**
   * Stops listening, closes every client, saves the snapshot (when
   * configured) and resolves `finished`. Idempotent.
   *
   * @param save Save on the way out (default: the snapshot's `saveOnShutdown`).
   */
  shutdown(save?: boolean): Promise<void>;
  /** Writes the snapshot now. Rejects when no snapshot path is configured. */
  save(): Promise<void>;
  /** Opens an in-process connection to this server, without sockets. */
  connectMemory(): Conn;
  /** Shuts down. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The server implementation (internal: use {@linkcode serve}).
 *
 * @example Start in memory and talk RESP
 * ```ts
 * import { serve } from "@pulsar/datastore/server";
 *
 * await using server = await serve({ transport: false });
 * const conn = server.connectMemory();
 * conn.close();
 * ```
 */
export class ServerCore implements ServerInfo, PulsarServer {
  /** The databases. */
  readonly databases: Database[];
  /** The command table. */
  readonly table: CommandTable = new CommandTable();
  /** Connected clients by id. */
  readonly clients: Map<number, Client> = new Map();
  /** Pub/sub subscriptions. */
  readonly pubsub: PubSub;
  /** Clients in MONITOR mode. */
  readonly monitors: Set<Client> = new Set();
  /** Clients with replies to flush at the end of the current event. */
  dirtyClients: Client[] = [];
  /** Number of blocked clients. */
  blockedClients = 0;
  /** Settings. */
  readonly config: ServerConfig;
  /** The databases' accounted bytes and LRU clock (see `./memory.ts`). */
  readonly memory: MemoryAccount = { used: 0, clock: Date.now() };
  /** Counters. */
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    expiredKeys: 0,
    evictedKeys: 0,
    usedMemoryPeak: 0,
  };
  /** Start time, epoch ms. */
  readonly startTime: number = Date.now();
  /** A random 40-hex-char id (INFO run_id). */
  readonly runId: string;
  /** Last successful save, epoch seconds. */
  lastSave: number = Math.floor(Date.now() / 1000);
  /** Last save status. */
  lastSaveOk = true;
  /** A background save is running. */
  saving: Promise<void> | null = null;
  /** Snapshot statistics. */
  snapshotStats: SnapshotStats = { keys: 0, bytes: 0 };
  /** Whether the listener is TCP, memory-only... */
  readonly addr: { hostname: string; port: number };

  readonly #listener: Listener | null;
  readonly #fs: FileSystem | null;
  readonly #snapshot: SnapshotOptions | undefined;
  readonly #log: (message: string) => void;
  #ready: { db: Database; key: string }[] = [];
  readonly #readySet = new Set<string>();
  #nextId = 1;
  #timers: LongTimer[] = [];
  #shutdown: Promise<void> | null = null;
  #resolveFinished!: () => void;
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;

  /** Use {@linkcode serve}. */
  constructor(
    options: ServeOptions,
    listener: Listener | null,
    fs: FileSystem | null,
    databases: Database[],
  ) {
    this.#listener = listener;
    this.#fs = fs;
    this.#snapshot = options.snapshot;
    this.#log = options.log ?? (() => {});
    this.databases = databases;
    for (const db of databases) db.shareMemory(this.memory);
    for (const db of databases) db.onKeyReady = (d, key) => this.#onKeyReady(d, key);
    this.addr = listener?.addr ?? { hostname: "memory", port: 0 };
    this.config = {
      requirepass: options.password ?? "",
      maxQueryBuffer: options.maxQueryBuffer ?? 1024 * 1024 * 1024,
      maxBulkLength: options.maxBulkLength ?? 512 * 1024 * 1024,
      outputBufferLimits: {
        normal: { hard: 0, soft: 0, softSeconds: 0 },
        replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
        pubsub: {
          hard: options.pubsubOutputLimit ?? 32 * 1024 * 1024,
          soft: 8 * 1024 * 1024,
          softSeconds: 60,
        },
      },
      maxClients: options.maxClients ?? 10000,
      bind: options.hostname ?? "127.0.0.1",
      port: this.addr.port,
      dbfilename: options.snapshot?.path ?? "",
      save: options.snapshot && (options.snapshot.saveEverySeconds ?? 60) > 0
        ? `${options.snapshot.saveEverySeconds ?? 60} ${options.snapshot.saveAfterChanges ?? 1}`
        : "",
      timeout: 0,
      hz: 10,
      maxmemory: options.maxMemory ?? 0,
      maxmemoryPolicy: options.maxMemoryPolicy ?? "noeviction",
      maxmemorySamples: 5,
      lfuLogFactor: 10,
      lfuDecayTime: 1,
    };
    if (this.config.maxmemoryPolicy.endsWith("-lfu")) {
      for (const db of databases) db.lfu = { logFactor: 10, decayTime: 1 };
    }
    this.pubsub = new PubSub();
    let id = "";
    for (let i = 0; i < 40; i++) id += Math.floor(Math.random() * 16).toString(16);
    this.runId = id;
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.#timers.push(setLongInterval(() => this.#cron(), 100));
    const snapshot = options.snapshot;
    if (snapshot !== undefined && fs !== null) {
      const every = snapshot.saveEverySeconds ?? 60;
      const threshold = snapshot.saveAfterChanges ?? 1;
      if (every > 0) {
        // A long interval: `saveEverySeconds` may exceed what setInterval can count.
        this.#timers.push(setLongInterval(() => {
          if (this.saving === null && this.changesSinceSave >= threshold) {
            this.save().catch(() => {});
          }
        }, every * 1000));
      }
    }
    if (options.signal !== undefined) {
      const signal = options.signal;
      if (signal.aborted) queueMicrotask(() => this.shutdown());
      else signal.addEventListener("abort", () => this.shutdown(), { once: true });
    }
  }

  /** Logs a line through the `log` option. */
  log(message: string): void {
    this.#log(message);
  }

  /** Accepts a connection (from the listener or `connectMemory`). */
  accept(conn: Conn): Client | null {
    if (this.#shutdown !== null) {
      conn.close();
      return null;
    }
    this.stats.connectionsReceived++;
    const client = new Client(this, conn, this.#nextId++);
    if (this.clients.size >= this.config.maxClients) {
      this.stats.rejectedConnections++;
      client.reply.error("ERR max number of clients reached");
      client.closeAfterReply = true;
      client.flush();
      return null;
    }
    this.clients.set(client.id, client);
    client.start();
    return client;
  }

  /**
   * Opens an in-process connection to this server, without sockets.
   *
   * @returns the client end of a memory pair.
   */
  connectMemory(): Conn {
    const [clientEnd, serverEnd] = memoryPair();
    this.accept(serverEnd);
    return clientEnd;
  }

  #onKeyReady(db: Database, key: string): void {
    const id = `${db.index}\u0000${key}`;
    if (this.#readySet.has(id)) return;
    this.#readySet.add(id);
    this.#ready.push({ db, key });
  }

  /** True when a write touched a key clients are blocked on. */
  get hasReadyKeys(): boolean {
    return this.#ready.length !== 0;
  }

  /** Serves clients blocked on keys that were written, FIFO per key. */
  handleReadyKeys(): void {
    for (let rounds = 0; this.#ready.length !== 0 && rounds < 10000; rounds++) {
      const batch = this.#ready;
      this.#ready = [];
      this.#readySet.clear();
      for (const { db, key } of batch) {
        const clients = db.blocked.get(key);
        if (clients === undefined) continue;
        for (const waiting of [...clients]) {
          const client = waiting as Client;
          const state = client.blocked;
          if (state === null || client.closed) continue;
          if (!state.request.retry(client, key)) continue;
          client.unblock();
          client.markDirty();
          queueMicrotask(() => {
            client.resume();
            this.flushDirty();
          });
        }
      }
    }
  }

  /** Flushes every client that received replies outside its own input. */
  flushDirty(): void {
    if (this.dirtyClients.length === 0) return;
    const clients = this.dirtyClients;
    this.dirtyClients = [];
    for (const client of clients) client.flush();
  }

  /**
   * Shows a command that `client` ran in database `db` to every MONITOR
   * client (but the caller): one line, built once in bytes (see `./monitor.ts`).
   */
  feedMonitors(client: Client, db: number, command: Command, args: readonly Uint8Array[]): void {
    let line: Uint8Array | null = null;
    for (const monitor of this.monitors) {
      if (monitor === client) continue;
      line ??= monitorLine(
        Date.now(),
        db,
        client.conn.remoteAddr,
        args,
        secretArguments(command.spec.name, args),
      );
      monitor.reply.raw(line);
      monitor.markDirty();
    }
  }

  #cron(): void {
    this.memory.clock = Date.now();
    for (const db of this.databases) {
      if (db.volatileSize !== 0) this.stats.expiredKeys += db.activeExpire(1);
    }
    // Samples the memory peak; finishes an eviction that ran out of its time budget.
    memoryCron(this);
    if (this.hasReadyKeys) this.handleReadyKeys();
    this.flushDirty();
    // Like Redis's clientsCron: a soft output limit holds even while nothing new is written.
    for (const client of this.clients.values()) {
      if (client.pendingOutput !== 0) client.overOutputLimit();
    }
  }

  /** Writes since the last save, over all databases. */
  get changesSinceSave(): number {
    let changes = 0;
    for (const db of this.databases) changes += db.changes;
    return changes;
  }

  /**
   * Writes the snapshot now (chunked, yielding to the event loop between
   * chunks). Resolves when the file is in place.
   *
   * @throws {Error} when no snapshot path is configured or the write fails.
   */
  save(): Promise<void> {
    if (this.saving !== null) return this.saving;
    const fs = this.#fs;
    const path = this.config.dbfilename;
    if (fs === null || path === "") {
      return Promise.reject(new Error("Cannot save: no snapshot path is configured"));
    }
    const changesAtStart = this.databases.map((db) => db.changes);
    const run = (async () => {
      try {
        this.snapshotStats = await saveSnapshot(fs, path, this.databases);
        this.databases.forEach((db, i) => (db.changes -= changesAtStart[i]));
        this.lastSave = Math.floor(Date.now() / 1000);
        this.lastSaveOk = true;
      } catch (error) {
        this.lastSaveOk = false;
        this.#log(`Snapshot save failed: ${(error as Error).message}`);
        throw error;
      } finally {
        this.saving = null;
      }
    })();
    this.saving = run;
    return run;
  }

  /**
   * Stops listening, closes every client, saves the snapshot (when
   * configured) and resolves `finished`. Idempotent.
   *
   * @param save Save on the way out (default: the `saveOnShutdown` option).
   */
  shutdown(save?: boolean): Promise<void> {
    if (this.#shutdown !== null) return this.#shutdown;
    this.#shutdown = (async () => {
      this.#listener?.close();
      for (const timer of this.#timers) clearLongTimeout(timer);
      this.#timers = [];
      for (const client of [...this.clients.values()]) {
        client.flush();
        client.close();
      }
      const wantSave = save ?? (this.#snapshot?.saveOnShutdown ?? true);
      try {
        if (this.saving !== null) await this.saving.catch(() => {});
        if (wantSave && this.#snapshot !== undefined && this.#fs !== null) await this.save();
      } finally {
        this.#resolveFinished();
      }
    })();
    return this.#shutdown;
  }

  /** Shuts down (see {@linkcode ServerCore.shutdown}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

/**
 * Starts the embedded server.
 *
 * @param options Where to listen, auth, persistence, limits.
 * @returns the running server; `await using` shuts it down.
 * @throws {Error} when the port is taken or the snapshot is corrupt.
 *
 * @example Serve on a free port
 * ```ts
 * import { serve } from "@pulsar/datastore/server";
 *
 * await using server = await serve({ port: 0 });
 * console.log(server.addr.port > 0); // true
 * ```
 */
export async function serve(options: ServeOptions = {}): Promise<PulsarServer> {
  const count = options.databases ?? 16;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot start server: databases must be a positive integer, got ${count}`);
  }
  const maxMemory = options.maxMemory ?? 0;
  if (!Number.isSafeInteger(maxMemory) || maxMemory < 0) {
    throw new RangeError(
      `Cannot start server: maxMemory must be a non-negative integer, got ${maxMemory}`,
    );
  }
  const policy = options.maxMemoryPolicy ?? "noeviction";
  if (!MAXMEMORY_POLICIES.includes(policy)) {
    throw new RangeError(
      `Cannot start server: maxMemoryPolicy must be one of ${
        MAXMEMORY_POLICIES.join(", ")
      }, got "${policy}"`,
    );
  }
  const databases = Array.from({ length: count }, (_, i) => new Database(i));
  const fs = options.snapshot !== undefined ? (options.fs ?? await defaultFileSystem()) : null;
  if (options.snapshot !== undefined && fs !== null) {
    await loadSnapshot(fs, options.snapshot.path, databases);
  }
  let server: ServerCore | null = null;
  let listener: Listener | null = null;
  const pending: Conn[] = [];
  const maxClients = options.maxClients ?? 10000;
  if (!Number.isSafeInteger(maxClients) || maxClients < 1) {
    throw new RangeError(
      `Cannot start server: maxClients must be a positive integer, got ${maxClients}`,
    );
  }
  let settings = options;
  if (options.transport !== false) {
    // Socket clients each hold a descriptor of this process: size maxclients to the limit.
    const fdLimit = await runtime.fdLimit?.();
    const fitted = fitMaxClients(maxClients, fdLimit);
    if (fitted.message !== undefined) options.log?.(fitted.message);
    settings = { ...options, maxClients: fitted.maxClients };
    const listen = options.transport?.listen ?? runtime.listen;
    const log = options.log ?? (() => {});
    listener = await listen(
      {
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? 6410,
        onError: acceptErrorHandler(log, fdLimit !== undefined, () => server),
      },
      (conn) => {
        if (server === null) pending.push(conn);
        else server.accept(conn);
      },
    );
  }
  server = new ServerCore(settings, listener, fs, databases);
  for (const conn of pending) server.accept(conn);
  return server;
}
