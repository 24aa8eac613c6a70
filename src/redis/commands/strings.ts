/**
 * String commands: values, counters, ranges and bits.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import { integerArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";

/** Options of {@linkcode StringCommands.set}. Set at most one expiry. */
export interface SetOptions {
  /** Expire after this many seconds. @default {undefined} (no expiry) */
  ex?: number;
  /** Expire after this many milliseconds. @default {undefined} */
  px?: number;
  /** Expire at this Unix time in seconds. @default {undefined} */
  exat?: number;
  /** Expire at this Unix time in milliseconds. @default {undefined} */
  pxat?: number;
  /** Only set when the key does not exist. @default {false} */
  nx?: boolean;
  /** Only set when the key exists. @default {false} */
  xx?: boolean;
  /** Keep the key's time to live. @default {false} */
  keepttl?: boolean;
  /** Return the old value instead of `"OK"`. @default {false} */
  get?: boolean;
}

/** Options of {@linkcode StringCommands.getex}. Set at most one. */
export interface GetExOptions {
  /** Expire after this many seconds. @default {undefined} */
  ex?: number;
  /** Expire after this many milliseconds. @default {undefined} */
  px?: number;
  /** Expire at this Unix time in seconds. @default {undefined} */
  exat?: number;
  /** Expire at this Unix time in milliseconds. @default {undefined} */
  pxat?: number;
  /** Remove the expiry. @default {false} */
  persist?: boolean;
}

/** A range of {@linkcode StringCommands.bitcount} and {@linkcode StringCommands.bitpos}. */
export interface BitRange {
  /** First byte (or bit) offset; negative counts from the end. */
  start: number;
  /** Last offset, inclusive. @default {-1} */
  end?: number;
  /** Whether offsets count bytes or bits (Redis 7). @default {"byte"} */
  unit?: "byte" | "bit";
}

/** Keys and values for {@linkcode StringCommands.mset}: an object, or pairs (binary keys). */
export type MsetEntries = Record<string, Value> | readonly (readonly [Key, Value])[];

function expiryArgs(args: CommandArg[], options: SetOptions | GetExOptions): void {
  if (options.ex !== undefined) args.push("EX", integerArg("ex", options.ex, 1));
  if (options.px !== undefined) args.push("PX", integerArg("px", options.px, 1));
  if (options.exat !== undefined) args.push("EXAT", integerArg("exat", options.exat, 1));
  if (options.pxat !== undefined) args.push("PXAT", integerArg("pxat", options.pxat, 1));
}

/** Flattens MSET-style entries, namespacing the keys. */
function entryArgs(
  command: string,
  entries: MsetEntries,
  key: (key: Key) => CommandArg,
): CommandArg[] {
  const args: CommandArg[] = [command];
  if (Array.isArray(entries)) {
    for (const [name, value] of entries as readonly (readonly [Key, Value])[]) {
      args.push(key(name), value);
    }
  } else {
    for (const [name, value] of Object.entries(entries)) args.push(key(name), value);
  }
  return args;
}

function rangeArgs(args: CommandArg[], range: BitRange | undefined): CommandArg[] {
  if (range) {
    args.push(integerArg("start", range.start), integerArg("end", range.end ?? -1));
    if (range.unit === "bit") args.push("BIT");
  }
  return args;
}

/**
 * String commands: GET, SET, INCR, MSET, GETRANGE, SETBIT, LCS...
 *
 * Values are sent as given (text is UTF-8 encoded, numbers in decimal,
 * `Uint8Array` as is) and come back as text; the `...Bytes` variants return
 * the raw bytes.
 *
 * @example Counters and expiring values
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("visits", 10);
 * console.log(await store.incrby("visits", 5)); // 15
 * await store.set("token", "t0k3n", { ex: 60 });
 * console.log(await store.getdel("token")); // "t0k3n"
 * ```
 */
export abstract class StringCommands extends CommandCore {
  /**
   * Gets the value of a key.
   *
   * @param key The key.
   * @returns The value as text, or `null` when the key does not exist.
   *
   * @example Set and get
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.set("greeting", "hello");
   * console.log(await store.get("greeting")); // "hello"
   * ```
   */
  get(key: Key): Promise<string | null> {
    return this.send(["GET", this.key(key)], this.replies.textOrNull);
  }

  /**
   * Gets the value of a key as bytes.
   *
   * @param key The key.
   * @returns The value, or `null` when the key does not exist.
   *
   * @example Store binary data
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.set("blob", new Uint8Array([0, 255, 7]));
   * console.log(await store.getBytes("blob")); // Uint8Array(3) [ 0, 255, 7 ]
   * ```
   */
  getBytes(key: Key): Promise<Uint8Array | null> {
    return this.send(["GET", this.key(key)], this.replies.bytesOrNull);
  }

  /**
   * Sets a key and returns its old value (SET ... GET).
   *
   * @param key The key.
   * @param value The value.
   * @param options `get: true`, expiry and conditions.
   * @returns The old value, or `null` when the key did not exist.
   */
  set(key: Key, value: Value, options: SetOptions & { get: true }): Promise<string | null>;
  /**
   * Sets the value of a key.
   *
   * @param key The key.
   * @param value The value.
   * @param options Expiry and conditions.
   * @returns `"OK"`, or `null` when `nx`/`xx` prevented the write.
   *
   * @example Set only when missing, with an expiry
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * console.log(await store.set("lock", "me", { nx: true, px: 5000 })); // "OK"
   * console.log(await store.set("lock", "you", { nx: true, px: 5000 })); // null
   * console.log(await store.set("lock", "you", { get: true })); // "me"
   * ```
   */
  set(key: Key, value: Value, options?: SetOptions): Promise<"OK" | null>;
  set(key: Key, value: Value, options?: SetOptions): Promise<string | null> {
    const args: CommandArg[] = ["SET", this.key(key), value];
    if (options) {
      expiryArgs(args, options);
      if (options.nx) args.push("NX");
      if (options.xx) args.push("XX");
      if (options.keepttl) args.push("KEEPTTL");
      if (options.get) args.push("GET");
    }
    return this.send(args, this.replies.textOrNull);
  }

  /**
   * Sets a key unless it exists.
   *
   * @param key The key.
   * @param value The value.
   * @returns Whether it was set.
   */
  setnx(key: Key, value: Value): Promise<boolean> {
    return this.send(["SETNX", this.key(key), value], this.replies.boolean);
  }

  /**
   * Sets a key with a time to live in seconds.
   *
   * @param key The key.
   * @param seconds The time to live, in seconds.
   * @param value The value.
   * @returns `"OK"`.
   */
  setex(key: Key, seconds: number, value: Value): Promise<"OK"> {
    return this.send(
      ["SETEX", this.key(key), integerArg("seconds", seconds, 1), value],
      this.replies.ok,
    );
  }

  /**
   * Sets a key with a time to live in milliseconds.
   *
   * @param key The key.
   * @param milliseconds The time to live, in milliseconds.
   * @param value The value.
   * @returns `"OK"`.
   */
  psetex(key: Key, milliseconds: number, value: Value): Promise<"OK"> {
    return this.send(
      ["PSETEX", this.key(key), integerArg("milliseconds", milliseconds, 1), value],
      this.replies.ok,
    );
  }

  /**
   * Gets a key's value and changes its expiry.
   *
   * @param key The key.
   * @param options The new expiry, or `persist`.
   * @returns The value, or `null` when the key does not exist.
   */
  getex(key: Key, options?: GetExOptions): Promise<string | null> {
    const args: CommandArg[] = ["GETEX", this.key(key)];
    if (options) {
      expiryArgs(args, options);
      if (options.persist) args.push("PERSIST");
    }
    return this.send(args, this.replies.textOrNull);
  }

  /**
   * Gets a key's value and deletes the key.
   *
   * @param key The key.
   * @returns The value, or `null` when the key did not exist.
   */
  getdel(key: Key): Promise<string | null> {
    return this.send(["GETDEL", this.key(key)], this.replies.textOrNull);
  }

  /**
   * Sets a key and returns its old value (deprecated by Redis in favour of
   * `set(key, value, { get: true })`).
   *
   * @param key The key.
   * @param value The new value.
   * @returns The old value, or `null` when the key did not exist.
   */
  getset(key: Key, value: Value): Promise<string | null> {
    return this.send(["GETSET", this.key(key), value], this.replies.textOrNull);
  }

  /**
   * Overwrites part of a value, padding with zero bytes when needed.
   *
   * @param key The key.
   * @param offset The byte offset.
   * @param value The bytes to write.
   * @returns The length of the value afterwards.
   */
  setrange(key: Key, offset: number, value: Value): Promise<number> {
    return this.send(
      ["SETRANGE", this.key(key), integerArg("offset", offset, 0), value],
      this.replies.integer,
    );
  }

  /**
   * A substring of a value, by byte offsets (inclusive; negative counts from the end).
   *
   * @param key The key.
   * @param start The first byte.
   * @param end The last byte.
   * @returns The substring (empty when the key does not exist).
   */
  getrange(key: Key, start: number, end: number): Promise<string> {
    return this.send(
      ["GETRANGE", this.key(key), integerArg("start", start), integerArg("end", end)],
      this.replies.text,
    );
  }

  /**
   * Appends to a value (creating the key when missing).
   *
   * @param key The key.
   * @param value What to append.
   * @returns The length of the value afterwards.
   */
  append(key: Key, value: Value): Promise<number> {
    return this.send(["APPEND", this.key(key), value], this.replies.integer);
  }

  /**
   * Increments the integer value of a key by one.
   *
   * @param key The key.
   * @returns The value after the increment.
   */
  incr(key: Key): Promise<number> {
    return this.send(["INCR", this.key(key)], this.replies.integer);
  }

  /**
   * Decrements the integer value of a key by one.
   *
   * @param key The key.
   * @returns The value after the decrement.
   */
  decr(key: Key): Promise<number> {
    return this.send(["DECR", this.key(key)], this.replies.integer);
  }

  /**
   * Increments the integer value of a key.
   *
   * @param key The key.
   * @param increment The amount (an integer; a `bigint` for values beyond 2^53).
   * @returns The value after the increment.
   */
  incrby(key: Key, increment: number | bigint): Promise<number> {
    const amount = typeof increment === "bigint" ? increment : integerArg("increment", increment);
    return this.send(["INCRBY", this.key(key), amount], this.replies.integer);
  }

  /**
   * Decrements the integer value of a key.
   *
   * @param key The key.
   * @param decrement The amount (an integer).
   * @returns The value after the decrement.
   */
  decrby(key: Key, decrement: number | bigint): Promise<number> {
    const amount = typeof decrement === "bigint" ? decrement : integerArg("decrement", decrement);
    return this.send(["DECRBY", this.key(key), amount], this.replies.integer);
  }

  /**
   * Increments the numeric value of a key by a float.
   *
   * @param key The key.
   * @param increment The amount.
   * @returns The value after the increment.
   */
  incrbyfloat(key: Key, increment: number): Promise<number> {
    return this.send(["INCRBYFLOAT", this.key(key), increment], this.replies.double);
  }

  /**
   * Sets several keys at once.
   *
   * @param entries An object of keys and values, or `[key, value]` pairs.
   * @returns `"OK"`.
   */
  mset(entries: MsetEntries): Promise<"OK"> {
    return this.send(entryArgs("MSET", entries, (key) => this.key(key)), this.replies.ok);
  }

  /**
   * Sets several keys at once, only if none of them exists.
   *
   * @param entries An object of keys and values, or `[key, value]` pairs.
   * @returns Whether they were set.
   */
  msetnx(entries: MsetEntries): Promise<boolean> {
    return this.send(entryArgs("MSETNX", entries, (key) => this.key(key)), this.replies.boolean);
  }

  /**
   * Gets the values of several keys.
   *
   * @param keys The keys.
   * @returns The values in order, `null` for a missing key (or a non-string value).
   */
  mget(...keys: Key[]): Promise<(string | null)[]> {
    return this.send(["MGET", ...this.keyArgs(keys)], this.replies.textArray);
  }

  /**
   * Gets the values of several keys as bytes.
   *
   * @param keys The keys.
   * @returns The values in order, `null` for a missing key.
   */
  mgetBytes(...keys: Key[]): Promise<(Uint8Array | null)[]> {
    return this.send(["MGET", ...this.keyArgs(keys)], this.replies.bytesArray);
  }

  /**
   * The length of a value in bytes.
   *
   * @param key The key.
   * @returns The length; 0 when the key does not exist.
   */
  strlen(key: Key): Promise<number> {
    return this.send(["STRLEN", this.key(key)], this.replies.integer);
  }

  /**
   * Sets or clears one bit.
   *
   * @param key The key.
   * @param offset The bit offset.
   * @param bit The new bit.
   * @returns The bit's previous value.
   */
  setbit(key: Key, offset: number, bit: 0 | 1): Promise<0 | 1> {
    return this.send(
      ["SETBIT", this.key(key), integerArg("offset", offset, 0), bit],
      this.replies.integer as (value: unknown) => 0 | 1,
    );
  }

  /**
   * Reads one bit.
   *
   * @param key The key.
   * @param offset The bit offset.
   * @returns The bit (0 past the end or for a missing key).
   */
  getbit(key: Key, offset: number): Promise<0 | 1> {
    return this.send(
      ["GETBIT", this.key(key), integerArg("offset", offset, 0)],
      this.replies.integer as (value: unknown) => 0 | 1,
    );
  }

  /**
   * Counts the set bits of a value.
   *
   * @param key The key.
   * @param range Only within this range of bytes (or bits).
   * @returns The number of bits set to 1.
   */
  bitcount(key: Key, range?: BitRange): Promise<number> {
    return this.send(rangeArgs(["BITCOUNT", this.key(key)], range), this.replies.integer);
  }

  /**
   * Combines values bit by bit and stores the result.
   *
   * @param operation `"AND"`, `"OR"`, `"XOR"` or `"NOT"` (one source key).
   * @param destination Where to store the result.
   * @param keys The source keys.
   * @returns The length of the result in bytes.
   */
  bitop(
    operation: "AND" | "OR" | "XOR" | "NOT",
    destination: Key,
    ...keys: Key[]
  ): Promise<number> {
    return this.send(
      ["BITOP", operation, this.key(destination), ...this.keyArgs(keys)],
      this.replies.integer,
    );
  }

  /**
   * The position of the first bit set to 0 or 1.
   *
   * @param key The key.
   * @param bit The bit to look for.
   * @param range Only within this range of bytes (or bits).
   * @returns The bit position, or -1 when not found.
   */
  bitpos(key: Key, bit: 0 | 1, range?: BitRange): Promise<number> {
    return this.send(rangeArgs(["BITPOS", this.key(key), bit], range), this.replies.integer);
  }

  /**
   * The longest common subsequence of two values (Redis 7).
   *
   * @param key1 The first key.
   * @param key2 The second key.
   * @param options `len: true` returns the length only.
   * @returns The length of the subsequence.
   */
  lcs(key1: Key, key2: Key, options: { len: true }): Promise<number>;
  /**
   * The longest common subsequence of two values (Redis 7).
   *
   * @param key1 The first key.
   * @param key2 The second key.
   * @returns The subsequence (empty when there is none or a key is missing).
   */
  lcs(key1: Key, key2: Key, options?: { len?: false }): Promise<string>;
  /**
   * The longest common subsequence of two values (either form).
   *
   * @param key1 The first key.
   * @param key2 The second key.
   * @param options `len: true` returns the length only.
   * @returns The subsequence, or its length.
   */
  lcs(key1: Key, key2: Key, options?: { len?: boolean }): Promise<string | number>;
  lcs(key1: Key, key2: Key, options?: { len?: boolean }): Promise<string | number> {
    const args: CommandArg[] = ["LCS", this.key(key1), this.key(key2)];
    if (options?.len) {
      args.push("LEN");
      return this.send(args, this.replies.integer);
    }
    return this.send(args, this.replies.text);
  }
}
