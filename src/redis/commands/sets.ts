/**
 * Set commands: unordered collections of distinct members.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import { integerArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";

/** Options of {@linkcode SetCommands.sintercard} and `zintercard`. */
export interface IntercardOptions {
  /** Stop counting at this many (0: no limit). @default {0} */
  limit?: number;
}

/**
 * Set commands: SADD, SMEMBERS, SISMEMBER, SINTER, SUNION, SDIFF...
 *
 * Members come back as text, in no particular order.
 *
 * @example Tags
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.sadd("tags:a", "red", "green");
 * await store.sadd("tags:b", "green", "blue");
 * console.log(await store.sinter("tags:a", "tags:b")); // ["green"]
 * console.log(await store.sismember("tags:a", "blue")); // false
 * ```
 */
export abstract class SetCommands extends CommandCore {
  /**
   * Adds members.
   *
   * @param key The key.
   * @param members The members.
   * @returns How many were added (not counting those already there).
   */
  sadd(key: Key, ...members: Value[]): Promise<number> {
    return this.send(["SADD", this.key(key), ...members], this.replies.integer);
  }

  /**
   * Removes members.
   *
   * @param key The key.
   * @param members The members.
   * @returns How many were removed.
   */
  srem(key: Key, ...members: Value[]): Promise<number> {
    return this.send(["SREM", this.key(key), ...members], this.replies.integer);
  }

  /**
   * Every member.
   *
   * @param key The key.
   * @returns The members; `[]` when the key does not exist.
   */
  smembers(key: Key): Promise<string[]> {
    return this.send(["SMEMBERS", this.key(key)], this.replies.strings);
  }

  /**
   * Every member, as bytes.
   *
   * @param key The key.
   * @returns The members.
   */
  smembersBytes(key: Key): Promise<Uint8Array[]> {
    return this.send(
      ["SMEMBERS", this.key(key)],
      this.replies.bytesArray as (value: unknown) => Uint8Array[],
    );
  }

  /**
   * Whether a value is a member.
   *
   * @param key The key.
   * @param member The value.
   * @returns `true` when it is.
   */
  sismember(key: Key, member: Value): Promise<boolean> {
    return this.send(["SISMEMBER", this.key(key), member], this.replies.boolean);
  }

  /**
   * Whether each value is a member.
   *
   * @param key The key.
   * @param members The values.
   * @returns One boolean per value, in order.
   */
  smismember(key: Key, ...members: Value[]): Promise<boolean[]> {
    return this.send(["SMISMEMBER", this.key(key), ...members], this.replies.booleans);
  }

  /**
   * The number of members.
   *
   * @param key The key.
   * @returns The count; 0 when the key does not exist.
   */
  scard(key: Key): Promise<number> {
    return this.send(["SCARD", this.key(key)], this.replies.integer);
  }

  /**
   * Removes and returns a random member.
   *
   * @param key The key.
   * @returns The member, or `null` when the set is empty.
   */
  spop(key: Key): Promise<string | null>;
  /**
   * Removes and returns up to `count` random members.
   *
   * @param key The key.
   * @param count How many.
   * @returns The members; `[]` when the set is empty.
   */
  spop(key: Key, count: number): Promise<string[]>;
  /**
   * Removes and returns random members (either form).
   *
   * @param key The key.
   * @param count How many; without it, one member or `null`.
   * @returns A member or `null`, or with `count` the members.
   */
  spop(key: Key, count?: number): Promise<string | null | string[]>;
  spop(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) return this.send(["SPOP", this.key(key)], this.replies.textOrNull);
    return this.send(["SPOP", this.key(key), integerArg("count", count, 0)], this.replies.strings);
  }

  /**
   * A random member.
   *
   * @param key The key.
   * @returns The member, or `null` when the set is empty.
   */
  srandmember(key: Key): Promise<string | null>;
  /**
   * Random members.
   *
   * @param key The key.
   * @param count Positive for distinct members (at most all), negative for
   * `-count` members that may repeat.
   * @returns The members.
   */
  srandmember(key: Key, count: number): Promise<string[]>;
  /**
   * Random members (either form).
   *
   * @param key The key.
   * @param count How many; without it, one member or `null`.
   * @returns A member or `null`, or with `count` the members.
   */
  srandmember(key: Key, count?: number): Promise<string | null | string[]>;
  srandmember(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) {
      return this.send(["SRANDMEMBER", this.key(key)], this.replies.textOrNull);
    }
    return this.send(
      ["SRANDMEMBER", this.key(key), integerArg("count", count)],
      this.replies.strings,
    );
  }

  /**
   * Moves a member from one set to another, atomically.
   *
   * @param source The set to remove it from.
   * @param destination The set to add it to.
   * @param member The member.
   * @returns Whether it was moved (not when it is not in `source`).
   */
  smove(source: Key, destination: Key, member: Value): Promise<boolean> {
    return this.send(
      ["SMOVE", this.key(source), this.key(destination), member],
      this.replies.boolean,
    );
  }

  /**
   * The intersection of sets.
   *
   * @param keys The sets.
   * @returns The members in all of them.
   */
  sinter(...keys: Key[]): Promise<string[]> {
    return this.send(["SINTER", ...this.keyArgs(keys)], this.replies.strings);
  }

  /**
   * The size of the intersection of sets (Redis 7).
   *
   * @param keys The sets.
   * @param options `limit` stops counting early.
   * @returns The number of members in all of them.
   */
  sintercard(keys: readonly Key[], options?: IntercardOptions): Promise<number> {
    const args: CommandArg[] = ["SINTERCARD", keys.length, ...this.keyArgs(keys)];
    if (options?.limit !== undefined) args.push("LIMIT", integerArg("limit", options.limit, 0));
    return this.send(args, this.replies.integer);
  }

  /**
   * Stores the intersection of sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The sets.
   * @returns The size of the result.
   */
  sinterstore(destination: Key, ...keys: Key[]): Promise<number> {
    return this.send(
      ["SINTERSTORE", this.key(destination), ...this.keyArgs(keys)],
      this.replies.integer,
    );
  }

  /**
   * The union of sets.
   *
   * @param keys The sets.
   * @returns The members in any of them.
   */
  sunion(...keys: Key[]): Promise<string[]> {
    return this.send(["SUNION", ...this.keyArgs(keys)], this.replies.strings);
  }

  /**
   * Stores the union of sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The sets.
   * @returns The size of the result.
   */
  sunionstore(destination: Key, ...keys: Key[]): Promise<number> {
    return this.send(
      ["SUNIONSTORE", this.key(destination), ...this.keyArgs(keys)],
      this.replies.integer,
    );
  }

  /**
   * The members of the first set that are in none of the others.
   *
   * @param keys The first set, then the sets to subtract.
   * @returns The difference.
   */
  sdiff(...keys: Key[]): Promise<string[]> {
    return this.send(["SDIFF", ...this.keyArgs(keys)], this.replies.strings);
  }

  /**
   * Stores the difference of sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The first set, then the sets to subtract.
   * @returns The size of the result.
   */
  sdiffstore(destination: Key, ...keys: Key[]): Promise<number> {
    return this.send(
      ["SDIFFSTORE", this.key(destination), ...this.keyArgs(keys)],
      this.replies.integer,
    );
  }
}
