/**
 * The seed's `Store` and `RemoteStore` base classes, `Command` and the
 * `PubSubClient` type.
 *
 * @module
 */

import type { RespValue } from "./protocol/types.ts";
import { inspectDeno, inspectNode } from "./transport/inspect.ts";
import { buildStoreUrl, type StoreParam, type StoreUrl } from "./url.ts";

/** Options every store accepts; they override what the URL says. */
export interface StoreOptions {
  /** A prefix for every key this store touches. @default {""} */
  namespace?: string;
  /** How text is encoded and decoded. @default {"utf-8"} */
  encoding?: string;
  /** The database number. @default {0} */
  database?: number;
  /** The user name (ACL). */
  user?: string;
  /** The password. */
  password?: string;
  /** Any other option, as a URL query parameter would give it. */
  [option: string]: unknown;
}

/**
 * A command run by {@linkcode Store.executeTransaction} for the object data
 * mapper: the arguments and what the command does to its model.
 *
 * @example Build a command
 * ```ts
 * import { Command } from "@pulsar/datastore";
 *
 * const command = new Command(["user:1", { name: "ann" }], Command.UPDATE);
 * console.log(command.action === Command.UPDATE); // true
 * ```
 */
export class Command {
  /** Create a record. */
  static readonly INSERT = 0;
  /** Update a record. */
  static readonly UPDATE = 1;
  /** Delete a record. */
  static readonly DELETE = 2;

  /**
   * Creates a command.
   *
   * @param args The command's arguments.
   * @param action One of {@linkcode Command.INSERT}, `UPDATE`, `DELETE`.
   */
  constructor(readonly args: unknown, readonly action: number = Command.INSERT) {}
}

/** A pub/sub client: called for every message with its channel. */
export type PubSubClient = (channel: string, message: unknown) => void;

function unsupported(store: Store, what: string): Promise<never> {
  return Promise.reject(
    new Error(`Cannot ${what}: the "${store.name}" store does not support it`),
  );
}

/**
 * A data store reached through a connection string: its address, database,
 * namespace and encoding, and the hooks the object data mapper calls.
 *
 * @example Inspect a store without connecting
 * ```ts
 * import { createStore } from "@pulsar/datastore";
 *
 * const store = createStore("redis://user:password@127.0.0.1:6500/11");
 * console.log(store.name, store.database, store.dns);
 * // redis 11 redis://user:password@127.0.0.1:6500/11
 * console.log(String(store)); // the password is masked
 * ```
 */
export class Store {
  /** The backend's name, e.g. `"redis"` or `"pulsar"`. */
  readonly name: string;
  /** Host name or IP (`""` for unix sockets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** The database number. */
  readonly database: number;
  /** The user name, if any. */
  readonly user: string | undefined;
  /** The text encoding. */
  readonly encoding: string;
  /** The key prefix. */
  readonly namespace: string;
  /** The options the store was created with (URL parameters and explicit options). */
  readonly options: Readonly<Record<string, StoreParam>>;
  #url: StoreUrl;
  #password: string | undefined;

  /**
   * Creates a store; use {@linkcode createStore} rather than this directly.
   *
   * @param name The backend's name.
   * @param url The parsed connection string.
   * @param options Explicit options; they override the URL.
   */
  constructor(name: string, url: StoreUrl, options: StoreOptions = {}) {
    const params: Record<string, StoreParam> = { ...url.params };
    for (const [key, value] of Object.entries(options)) {
      if (["database", "user", "password"].includes(key)) continue;
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        params[key] = value;
      }
    }
    const database = options.database ?? url.database ?? 0;
    if (!Number.isSafeInteger(database) || database < 0) {
      throw new TypeError(
        `Cannot create store: database ${database} is not a non-negative integer`,
      );
    }
    this.name = name;
    this.host = url.host;
    this.port = url.port;
    this.database = database;
    this.user = options.user ?? url.user;
    this.#password = options.password ?? url.password;
    this.encoding = String(params.encoding ?? "utf-8");
    this.namespace = String(params.namespace ?? "");
    if (params.encoding === "utf-8") delete params.encoding;
    this.options = params;
    this.#url = { ...url, database, user: this.user, password: this.#password, params };
    if (this.#url.user === undefined) delete this.#url.user;
    if (this.#url.password === undefined) delete this.#url.password;
  }

  /** The password; kept private so it never shows in `inspect` output. */
  protected get password(): string | undefined {
    return this.#password;
  }

  /** The parsed connection string (password included). */
  protected get url(): StoreUrl {
    return this.#url;
  }

  /**
   * The canonical connection string: `createStore(store.dns).dns === store.dns`.
   * It contains the password: never log it (`String(store)` masks it).
   */
  get dns(): string {
    return buildStoreUrl(this.#url);
  }

  /** The connection string with the password masked. */
  toString(): string {
    return buildStoreUrl({
      ...this.#url,
      password: this.#password === undefined ? undefined : "***",
    });
  }

  /** Deno's inspect shows the masked connection string only. */
  [inspectDeno](): string {
    return `${this.constructor.name} { ${this.toString()} }`;
  }

  /** Bun's inspect and `node:util` show the masked connection string only. */
  [inspectNode](): string {
    return `${this.constructor.name} { ${this.toString()} }`;
  }

  /**
   * Creates a database in this store. By default it does nothing.
   *
   * @param _name The database name.
   * @returns Resolves when done.
   */
  createDatabase(_name?: string): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Deletes a database of this store. By default it does nothing.
   *
   * @param _name The database name.
   * @returns Resolves when done.
   */
  deleteDatabase(_name?: string): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Encodes bytes for storage. By default returns them unchanged.
   *
   * @param data The bytes.
   * @returns The encoded value.
   */
  encodeBytes(data: Uint8Array): Uint8Array | string {
    return data;
  }

  /**
   * Creates the table of a model (object data mapper hook).
   *
   * @param _model The model.
   * @returns Resolves when done.
   */
  createTable(_model: unknown): Promise<void> {
    return unsupported(this, "create a table");
  }

  /**
   * Drops the table of a model (object data mapper hook).
   *
   * @param _model The model.
   * @returns Resolves when done.
   */
  dropTable(_model: unknown): Promise<void> {
    return unsupported(this, "drop a table");
  }

  /**
   * Builds a model instance from stored data (object data mapper hook).
   *
   * @param _manager The model manager.
   * @param _data The stored data.
   * @returns The model instance.
   */
  createModel(_manager: unknown, _data: unknown): unknown {
    throw new Error(`Cannot create a model: the "${this.name}" store has no object data mapper`);
  }

  /**
   * Runs the commands of an object data mapper transaction.
   *
   * @param _commands The commands.
   * @returns The replies.
   */
  executeTransaction(_commands: readonly Command[]): Promise<RespValue[]> {
    return unsupported(this, "execute a transaction");
  }

  /**
   * Compiles a query for this store (object data mapper hook).
   *
   * @param _query The query.
   * @returns The compiled query.
   */
  compileQuery(_query: unknown): unknown {
    throw new Error(`Cannot compile a query: the "${this.name}" store has no query support`);
  }

  /**
   * The model registered for a name (object data mapper hook).
   *
   * @param _name The model's name.
   * @returns The model, if known.
   */
  getModel(_name: string): unknown {
    return undefined;
  }

  /**
   * Whether the store can run queries of a kind (object data mapper hook).
   *
   * @param _kind The query kind, e.g. `"filter"`.
   * @returns `false` by default.
   */
  hasQuery(_kind: string): boolean {
    return false;
  }
}
