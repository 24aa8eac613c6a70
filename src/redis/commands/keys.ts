/**
 * Key commands: existence, deletion, renaming, expiry, serialization.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore, type Key, type Value } from "../commands.ts";
import { escapeGlob, integerArg, unixArg } from "./_args.ts";

export type { Key, Value };

/**
 * Conditions of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis 7). Set at
 * most one of `nx`/`xx`, and at most one of `gt`/`lt`.
 */
export interface ExpireOptions {
  /** Only when the key has no expiry. @default {false} */
  nx?: boolean;
  /** Only when the key has an expiry. @default {false} */
  xx?: boolean;
  /** Only when the new expiry is later than the current one. @default {false} */
  gt?: boolean;
  /** Only when the new expiry is earlier than the current one. @default {false} */
  lt?: boolean;
}

/** Options of {@linkcode KeyCommands.copy}. */
export interface CopyOptions {
  /** Copy into this database instead of the store's. @default {undefined} (the same) */
  db?: number;
  /** Overwrite the destination when it exists. @default {false} */
  replace?: boolean;
}

/** Options of {@linkcode KeyCommands.restore}. */
export interface RestoreOptions {
  /** Overwrite the key when it exists. @default {false} */
  replace?: boolean;
  /** `ttl` is a Unix time in milliseconds rather than a duration. @default {false} */
  absttl?: boolean;
  /** The object's idle time, in seconds. @default {undefined} */
  idletime?: number;
  /** The object's LFU frequency. @default {undefined} */
  freq?: number;
}

/** Options of {@linkcode KeyCommands.sort}. */
export interface SortOptions {
  /**
   * Sort by the values of other keys (`"weight_*"`, `"obj_*->field"`), or
   * `"nosort"`. The store's namespace is applied to the pattern.
   * @default {undefined} (sort by the elements)
   */
  by?: string;
  /** Return only this window of the sorted elements. @default {undefined} (all) */
  limit?: { offset: number; count: number };
  /**
   * Return the values of other keys instead of the elements (`"#"` is the
   * element itself). The store's namespace is applied to every pattern but `"#"`.
   * @default {undefined}
   */
  get?: string | string[];
  /** Sort order. @default {"asc"} */
  order?: "asc" | "desc";
  /** Compare as text rather than as numbers. @default {false} */
  alpha?: boolean;
}

/** Options of {@linkcode KeyCommands.sort} that store the result. */
export interface SortStoreOptions extends SortOptions {
  /** Store the result as a list at this key and return its length. */
  store: Key;
}

function expireArgs(args: CommandArg[], options: ExpireOptions | undefined): CommandArg[] {
  if (options) {
    if (options.nx) args.push("NX");
    if (options.xx) args.push("XX");
    if (options.gt) args.push("GT");
    if (options.lt) args.push("LT");
  }
  return args;
}

/**
 * Key commands: DEL, EXISTS, EXPIRE, TTL, RENAME, COPY, DUMP, SORT...
 *
 * Keys go through the store's namespace: `del("a")` on a store with
 * namespace `"app:"` deletes `app:a`, and keys the server returns (KEYS,
 * RANDOMKEY) come back without it.
 *
 * @example Expire a key
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("session", "abc");
 * await store.expire("session", 60);
 * console.log(await store.ttl("session")); // 60
 * console.log(await store.exists("session", "missing")); // 1
 * ```
 */
export abstract class KeyCommands extends CommandCore {
  /**
   * Deletes keys.
   *
   * @param keys The keys.
   * @returns How many existed and were deleted.
   */
  del(...keys: Key[]): Promise<number> {
    return this.send(["DEL", ...this.keyArgs(keys)], this.replies.integer);
  }

  /**
   * Deletes keys, reclaiming their memory in the background.
   *
   * @param keys The keys.
   * @returns How many existed and were unlinked.
   */
  unlink(...keys: Key[]): Promise<number> {
    return this.send(["UNLINK", ...this.keyArgs(keys)], this.replies.integer);
  }

  /**
   * Counts the given keys that exist (a key given twice counts twice).
   *
   * @param keys The keys.
   * @returns How many exist.
   */
  exists(...keys: Key[]): Promise<number> {
    return this.send(["EXISTS", ...this.keyArgs(keys)], this.replies.integer);
  }

  /**
   * The type of the value at a key.
   *
   * @param key The key.
   * @returns `"string"`, `"list"`, `"set"`, `"zset"`, `"hash"`, `"stream"`,
   * or `"none"` when the key does not exist.
   */
  type(key: Key): Promise<string> {
    return this.send(["TYPE", this.key(key)], this.replies.text);
  }

  /**
   * Lists the keys matching a glob pattern. With a namespace, only the
   * store's keys match and they are returned without the namespace. KEYS
   * walks the whole keyspace in one go: prefer {@linkcode ScanCommands.scan}
   * on large databases.
   *
   * @param pattern A glob pattern (`*`, `?`, `[abc]`, `\` escapes).
   * @returns The matching keys.
   *
   * @example List keys
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.mset({ "user:1": "ann", "user:2": "bob", "post:1": "hi" });
   * console.log((await store.keys("user:*")).sort()); // ["user:1", "user:2"]
   * ```
   */
  keys(pattern: string = "*"): Promise<string[]> {
    const namespace = this.namespace;
    if (!namespace) return this.send(["KEYS", pattern], this.replies.strings);
    return this.send(
      ["KEYS", escapeGlob(namespace) + pattern],
      (value) => this.replies.strings(value).map((key) => this.unkey(key)),
    );
  }

  /**
   * A random key of the database. The database is shared by every
   * namespace: with a namespace, the key may belong to another one (it is
   * returned without this store's namespace only when it has it).
   *
   * @returns A key, or `null` when the database is empty.
   */
  randomkey(): Promise<string | null> {
    return this.send(["RANDOMKEY"], (value) => {
      const key = this.replies.textOrNull(value);
      return key === null ? null : this.unkey(key);
    });
  }

  /**
   * Renames a key, overwriting the destination.
   *
   * @param key The key.
   * @param newKey Its new name.
   * @returns `"OK"`; rejects with a `ReplyError` when `key` does not exist.
   */
  rename(key: Key, newKey: Key): Promise<"OK"> {
    return this.send(["RENAME", this.key(key), this.key(newKey)], this.replies.ok);
  }

  /**
   * Renames a key unless the destination exists.
   *
   * @param key The key.
   * @param newKey Its new name.
   * @returns Whether it was renamed.
   */
  renamenx(key: Key, newKey: Key): Promise<boolean> {
    return this.send(["RENAMENX", this.key(key), this.key(newKey)], this.replies.boolean);
  }

  /**
   * Moves a key to another database of the same server.
   *
   * @param key The key.
   * @param db The destination database number.
   * @returns Whether it was moved (not when it is missing or already there).
   */
  move(key: Key, db: number): Promise<boolean> {
    return this.send(["MOVE", this.key(key), integerArg("db", db, 0)], this.replies.boolean);
  }

  /**
   * Copies the value of a key (Redis 6.2).
   *
   * @param source The key to copy.
   * @param destination The new key.
   * @param options Destination database, overwrite.
   * @returns Whether it was copied.
   */
  copy(source: Key, destination: Key, options?: CopyOptions): Promise<boolean> {
    const args: CommandArg[] = ["COPY", this.key(source), this.key(destination)];
    if (options?.db !== undefined) args.push("DB", integerArg("db", options.db, 0));
    if (options?.replace) args.push("REPLACE");
    return this.send(args, this.replies.boolean);
  }

  /**
   * Sets a key's time to live.
   *
   * @param key The key.
   * @param seconds The time to live, in seconds.
   * @param options Conditions (Redis 7).
   * @returns Whether it was set (not when the key is missing or a condition failed).
   */
  expire(key: Key, seconds: number, options?: ExpireOptions): Promise<boolean> {
    return this.send(
      expireArgs(["EXPIRE", this.key(key), integerArg("seconds", seconds)], options),
      this.replies.boolean,
    );
  }

  /**
   * Sets a key's time to live in milliseconds.
   *
   * @param key The key.
   * @param milliseconds The time to live, in milliseconds.
   * @param options Conditions (Redis 7).
   * @returns Whether it was set.
   */
  pexpire(key: Key, milliseconds: number, options?: ExpireOptions): Promise<boolean> {
    return this.send(
      expireArgs(["PEXPIRE", this.key(key), integerArg("milliseconds", milliseconds)], options),
      this.replies.boolean,
    );
  }

  /**
   * Sets the time at which a key expires.
   *
   * @param key The key.
   * @param time A `Date`, or a Unix time in seconds.
   * @param options Conditions (Redis 7).
   * @returns Whether it was set.
   */
  expireat(key: Key, time: number | Date, options?: ExpireOptions): Promise<boolean> {
    const seconds = integerArg("time", unixArg("time", time, 1000));
    return this.send(
      expireArgs(["EXPIREAT", this.key(key), seconds], options),
      this.replies.boolean,
    );
  }

  /**
   * Sets the time at which a key expires, in milliseconds.
   *
   * @param key The key.
   * @param time A `Date`, or a Unix time in milliseconds.
   * @param options Conditions (Redis 7).
   * @returns Whether it was set.
   */
  pexpireat(key: Key, time: number | Date, options?: ExpireOptions): Promise<boolean> {
    const ms = integerArg("time", unixArg("time", time, 1));
    return this.send(expireArgs(["PEXPIREAT", this.key(key), ms], options), this.replies.boolean);
  }

  /**
   * A key's remaining time to live.
   *
   * @param key The key.
   * @returns Seconds; `-1` without expiry, `-2` when the key does not exist.
   */
  ttl(key: Key): Promise<number> {
    return this.send(["TTL", this.key(key)], this.replies.integer);
  }

  /**
   * A key's remaining time to live in milliseconds.
   *
   * @param key The key.
   * @returns Milliseconds; `-1` without expiry, `-2` when the key does not exist.
   */
  pttl(key: Key): Promise<number> {
    return this.send(["PTTL", this.key(key)], this.replies.integer);
  }

  /**
   * The Unix time at which a key expires (Redis 7).
   *
   * @param key The key.
   * @returns Seconds; `-1` without expiry, `-2` when the key does not exist.
   */
  expiretime(key: Key): Promise<number> {
    return this.send(["EXPIRETIME", this.key(key)], this.replies.integer);
  }

  /**
   * The Unix time at which a key expires, in milliseconds (Redis 7).
   *
   * @param key The key.
   * @returns Milliseconds; `-1` without expiry, `-2` when the key does not exist.
   */
  pexpiretime(key: Key): Promise<number> {
    return this.send(["PEXPIRETIME", this.key(key)], this.replies.integer);
  }

  /**
   * Removes a key's expiry.
   *
   * @param key The key.
   * @returns Whether an expiry was removed.
   */
  persist(key: Key): Promise<boolean> {
    return this.send(["PERSIST", this.key(key)], this.replies.boolean);
  }

  /**
   * Updates the last access time of keys.
   *
   * @param keys The keys.
   * @returns How many exist.
   */
  touch(...keys: Key[]): Promise<number> {
    return this.send(["TOUCH", ...this.keyArgs(keys)], this.replies.integer);
  }

  /**
   * Serializes a key's value in Redis' format (for {@linkcode KeyCommands.restore}).
   *
   * @param key The key.
   * @returns The serialized value, or `null` when the key does not exist.
   */
  dump(key: Key): Promise<Uint8Array | null> {
    return this.send(["DUMP", this.key(key)], this.replies.bytesOrNull);
  }

  /**
   * Creates a key from a value serialized by {@linkcode KeyCommands.dump}.
   *
   * @param key The key.
   * @param ttl Time to live in milliseconds (0: none), or a Unix time in
   * milliseconds with `absttl`.
   * @param data The serialized value.
   * @param options Overwrite, absolute ttl, idle time, frequency.
   * @returns `"OK"`; rejects with a `ReplyError` (`BUSYKEY`) when the key
   * exists and `replace` is not set.
   */
  restore(key: Key, ttl: number, data: Uint8Array, options?: RestoreOptions): Promise<"OK"> {
    const args: CommandArg[] = ["RESTORE", this.key(key), integerArg("ttl", ttl, 0), data];
    if (options?.replace) args.push("REPLACE");
    if (options?.absttl) args.push("ABSTTL");
    if (options?.idletime !== undefined) args.push("IDLETIME", options.idletime);
    if (options?.freq !== undefined) args.push("FREQ", options.freq);
    return this.send(args, this.replies.ok);
  }

  /**
   * The internal encoding of a key's value (OBJECT ENCODING).
   *
   * @param key The key.
   * @returns e.g. `"int"`, `"embstr"`, `"listpack"`, or `null` when the key does not exist.
   */
  objectEncoding(key: Key): Promise<string | null> {
    return this.send(["OBJECT", "ENCODING", this.key(key)], this.replies.textOrNull);
  }

  /**
   * Seconds since a key was last accessed (OBJECT IDLETIME; not under an LFU
   * eviction policy).
   *
   * @param key The key.
   * @returns Seconds, or `null` when the key does not exist.
   */
  objectIdletime(key: Key): Promise<number | null> {
    return this.send(["OBJECT", "IDLETIME", this.key(key)], this.replies.integerOrNull);
  }

  /**
   * The reference count of a key's value (OBJECT REFCOUNT).
   *
   * @param key The key.
   * @returns The count, or `null` when the key does not exist.
   */
  objectRefcount(key: Key): Promise<number | null> {
    return this.send(["OBJECT", "REFCOUNT", this.key(key)], this.replies.integerOrNull);
  }

  /**
   * The LFU access frequency of a key (OBJECT FREQ; only under an LFU
   * eviction policy, otherwise the server replies with an error).
   *
   * @param key The key.
   * @returns The logarithmic counter, or `null` when the key does not exist.
   */
  objectFreq(key: Key): Promise<number | null> {
    return this.send(["OBJECT", "FREQ", this.key(key)], this.replies.integerOrNull);
  }

  /**
   * Sorts a list, set or sorted set (SORT).
   *
   * @param key The key.
   * @param options Order, window, patterns; `store` saves the result.
   * @returns The sorted elements (`null` for a `get` pattern that matched
   * nothing), or with `store` the length of the stored list.
   *
   * @example Sort numbers and text
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.rpush("scores", 10, 2, 33);
   * console.log(await store.sort("scores")); // ["2", "10", "33"]
   * await store.rpush("names", "bob", "ann");
   * console.log(await store.sort("names", { alpha: true, order: "desc" })); // ["bob", "ann"]
   * ```
   */
  sort(key: Key, options?: SortOptions): Promise<(string | null)[]>;
  /**
   * Sorts a list, set or sorted set and stores the result as a list.
   *
   * @param key The key.
   * @param options Order, window, patterns and the destination.
   * @returns The length of the stored list.
   */
  sort(key: Key, options: SortStoreOptions): Promise<number>;
  /**
   * Sorts a list, set or sorted set (either form, for pipelines and transactions).
   *
   * @param key The key.
   * @param options Order, window, patterns; `store` saves the result.
   * @returns The sorted elements, or with `store` the length of the stored list.
   */
  sort(key: Key, options?: SortOptions | SortStoreOptions): Promise<(string | null)[] | number>;
  sort(key: Key, options?: SortOptions | SortStoreOptions): Promise<(string | null)[] | number> {
    const args: CommandArg[] = ["SORT", this.key(key)];
    sortArgs(args, options, (text) => this.namespace + text);
    if (options && "store" in options && options.store !== undefined) {
      args.push("STORE", this.key(options.store));
      return this.send(args, this.replies.integer);
    }
    return this.send(args, this.replies.textArray);
  }

  /**
   * Sorts a list, set or sorted set without writing (SORT_RO: may run on replicas).
   *
   * @param key The key.
   * @param options Order, window, patterns.
   * @returns The sorted elements (`null` for a GET pattern with no value).
   */
  sortRo(key: Key, options?: SortOptions): Promise<(string | null)[]> {
    const args: CommandArg[] = ["SORT_RO", this.key(key)];
    sortArgs(args, options, (text) => this.namespace + text);
    return this.send(args, this.replies.textArray);
  }
}

/** SORT's BY/LIMIT/GET/DESC/ALPHA arguments; patterns get the namespace. */
function sortArgs(
  args: CommandArg[],
  options: SortOptions | undefined,
  namespaced: (text: string) => string,
): void {
  const pattern = (text: string): string =>
    text === "#" || text === "nosort" ? text : namespaced(text);
  if (options?.by !== undefined) args.push("BY", pattern(options.by));
  if (options?.limit) {
    args.push(
      "LIMIT",
      integerArg("limit.offset", options.limit.offset),
      integerArg("limit.count", options.limit.count),
    );
  }
  if (options?.get !== undefined) {
    for (const get of typeof options.get === "string" ? [options.get] : options.get) {
      args.push("GET", pattern(get));
    }
  }
  if (options?.order === "desc") args.push("DESC");
  if (options?.alpha) args.push("ALPHA");
}
