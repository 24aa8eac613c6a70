/**
 * Sorted-set commands: members ordered by a score.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Shape } from "../connection.ts";
import type { Replies, ScoredMember } from "../replies.ts";
import { integerArg, timeoutArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";
import type { IntercardOptions } from "./sets.ts";

export type { ScoredMember };

/**
 * A score bound: a number (`Infinity` and `-Infinity` included), or Redis'
 * text form: `"(1.5"` (exclusive), `"-inf"`, `"+inf"`. For BYLEX ranges:
 * `"[a"` (inclusive), `"(a"` (exclusive), `"-"`, `"+"`.
 */
export type Bound = number | string;

/** A member to add with {@linkcode SortedSetCommands.zadd}. */
export interface ZMember {
  /** The member. */
  member: Value;
  /** Its score. */
  score: number;
}

/** Members for {@linkcode SortedSetCommands.zadd}: an object of member → score, or a list. */
export type ZMembers = Record<string, number> | readonly ZMember[];

/** Options of {@linkcode SortedSetCommands.zadd}. */
export interface ZAddOptions {
  /** Only add new members. @default {false} */
  nx?: boolean;
  /** Only update existing members. @default {false} */
  xx?: boolean;
  /** Only update when the new score is greater. @default {false} */
  gt?: boolean;
  /** Only update when the new score is less. @default {false} */
  lt?: boolean;
  /** Count changed members too, not only added ones. @default {false} */
  ch?: boolean;
}

/** A window of a range: skip `offset` elements, return at most `count` (negative: all). */
export interface Limit {
  /** Elements to skip. */
  offset: number;
  /** Elements to return; negative returns the rest. */
  count: number;
}

/** Options of {@linkcode SortedSetCommands.zrange}. */
export interface ZRangeOptions {
  /** What `start` and `stop` are: ranks (default), scores, or lexicographic bounds. @default {undefined} (ranks) */
  by?: "score" | "lex";
  /** Highest first (`start` is then the high bound). @default {false} */
  rev?: boolean;
  /** A window of the result (only with `by`). @default {undefined} */
  limit?: Limit;
}

/** Options of the range-by-score and range-by-lex commands. */
export interface ZRangeByOptions {
  /** A window of the result. @default {undefined} */
  limit?: Limit;
}

/** Options of ZUNION, ZINTER and their STORE forms. */
export interface ZCombineOptions {
  /** A multiplier per input key, in order. @default {undefined} (all 1) */
  weights?: readonly number[];
  /** How the scores of a member are combined. @default {"sum"} */
  aggregate?: "sum" | "min" | "max";
}

/** Which end of a sorted set to pop. */
export type ZEnd = "min" | "max";

/** A member popped by {@linkcode SortedSetCommands.bzpopmin} or `bzpopmax`. */
export interface ZPoppedMember extends ScoredMember {
  /** The key it came from (without the store's namespace). */
  key: string;
}

/** Members popped by {@linkcode SortedSetCommands.zmpop} or `bzmpop`. */
export interface ZPoppedMembers {
  /** The key they came from (without the store's namespace). */
  key: string;
  /** The members with their scores, in pop order. */
  members: ScoredMember[];
}

function keyList(keys: Key | readonly Key[]): readonly Key[] {
  return typeof keys === "string" || keys instanceof Uint8Array ? [keys] : keys;
}

function zend(value: ZEnd): "MIN" | "MAX" {
  if (value === "min") return "MIN";
  if (value === "max") return "MAX";
  throw new TypeError(`Cannot use end "${String(value)}": expected "min" or "max"`);
}

function limitArgs(args: CommandArg[], limit: Limit | undefined): CommandArg[] {
  if (limit) {
    args.push(
      "LIMIT",
      integerArg("limit.offset", limit.offset, 0),
      integerArg("limit.count", limit.count),
    );
  }
  return args;
}

function rangeArgs(args: CommandArg[], options: ZRangeOptions | undefined): CommandArg[] {
  if (options?.by === "score") args.push("BYSCORE");
  else if (options?.by === "lex") args.push("BYLEX");
  else if (options?.by !== undefined) {
    throw new TypeError(`Cannot use by "${String(options.by)}": expected "score" or "lex"`);
  }
  if (options?.rev) args.push("REV");
  return limitArgs(args, options?.limit);
}

function combineArgs(args: CommandArg[], options: ZCombineOptions | undefined): CommandArg[] {
  if (options?.weights) args.push("WEIGHTS", ...options.weights);
  if (options?.aggregate !== undefined) {
    const aggregate = options.aggregate.toUpperCase();
    if (aggregate !== "SUM" && aggregate !== "MIN" && aggregate !== "MAX") {
      throw new TypeError(
        `Cannot use aggregate "${options.aggregate}": expected "sum", "min" or "max"`,
      );
    }
    args.push("AGGREGATE", aggregate);
  }
  return args;
}

/** Shapes a `[key, member, score]` reply (BZPOPMIN, BZPOPMAX). */
function poppedMemberShape(
  replies: Replies,
  unkey: (key: string) => string,
): Shape<ZPoppedMember | null> {
  return (value) => {
    const reply = replies.arrayOrNull(value);
    if (reply === null) return null;
    return {
      key: unkey(replies.text(reply[0])),
      member: replies.text(reply[1]),
      score: replies.double(reply[2]),
    };
  };
}

/** Shapes a `[key, [[member, score]...]]` reply (ZMPOP, BZMPOP). */
function poppedMembersShape(
  replies: Replies,
  unkey: (key: string) => string,
): Shape<ZPoppedMembers | null> {
  return (value) => {
    const reply = replies.arrayOrNull(value);
    if (reply === null) return null;
    return { key: unkey(replies.text(reply[0])), members: replies.scored(reply[1]) };
  };
}

/**
 * Sorted-set commands: ZADD, ZRANGE, ZSCORE, ZRANK, ZPOPMIN, ZUNION...
 *
 * Scores are numbers (RESP2 text scores are parsed; `inf` becomes
 * `Infinity`). The `...WithScores` variants return `{ member, score }` objects.
 *
 * @example A leaderboard
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.zadd("board", { ann: 30, bob: 10, cid: 20 });
 * console.log(await store.zrange("board", 0, -1, { rev: true })); // ["ann", "cid", "bob"]
 * console.log(await store.zrangeWithScores("board", 0, 0)); // [{ member: "bob", score: 10 }]
 * console.log(await store.zincrby("board", 15, "bob")); // 25
 * ```
 */
export abstract class SortedSetCommands extends CommandCore {
  /**
   * Adds one member, or updates its score.
   *
   * @param key The key.
   * @param score The score.
   * @param member The member.
   * @param options Conditions and `ch`.
   * @returns How many members were added (with `ch`: added or changed).
   */
  zadd(key: Key, score: number, member: Value, options?: ZAddOptions): Promise<number>;
  /**
   * Adds members, or updates their scores.
   *
   * @param key The key.
   * @param members An object of member → score, or `{ member, score }` objects.
   * @param options Conditions and `ch`.
   * @returns How many members were added (with `ch`: added or changed).
   */
  zadd(key: Key, members: ZMembers, options?: ZAddOptions): Promise<number>;
  /**
   * Adds members, or updates their scores (either form).
   *
   * @param key The key.
   * @param scoreOrMembers A score (then the member), or the members.
   * @param memberOrOptions The member, or the options.
   * @param maybeOptions The options after a score and member.
   * @returns How many members were added (with `ch`: added or changed).
   */
  zadd(
    key: Key,
    scoreOrMembers: number | ZMembers,
    memberOrOptions?: Value | ZAddOptions,
    maybeOptions?: ZAddOptions,
  ): Promise<number>;
  zadd(
    key: Key,
    scoreOrMembers: number | ZMembers,
    memberOrOptions?: Value | ZAddOptions,
    maybeOptions?: ZAddOptions,
  ): Promise<number> {
    const args: CommandArg[] = ["ZADD", this.key(key)];
    let options: ZAddOptions | undefined;
    const pairs: CommandArg[] = [];
    if (typeof scoreOrMembers === "number") {
      if (memberOrOptions === undefined) {
        throw new TypeError("Cannot run ZADD: member is undefined");
      }
      pairs.push(scoreOrMembers, memberOrOptions as Value);
      options = maybeOptions;
    } else {
      options = memberOrOptions as ZAddOptions | undefined;
      if (Array.isArray(scoreOrMembers)) {
        for (const { member, score } of scoreOrMembers as readonly ZMember[]) {
          pairs.push(score, member);
        }
      } else {
        for (const [member, score] of Object.entries(scoreOrMembers)) pairs.push(score, member);
      }
    }
    if (options?.nx) args.push("NX");
    if (options?.xx) args.push("XX");
    if (options?.gt) args.push("GT");
    if (options?.lt) args.push("LT");
    if (options?.ch) args.push("CH");
    args.push(...pairs);
    return this.send(args, this.replies.integer);
  }

  /**
   * Increments a member's score (adding the member when missing).
   *
   * @param key The key.
   * @param increment The amount.
   * @param member The member.
   * @returns The new score.
   */
  zincrby(key: Key, increment: number, member: Value): Promise<number> {
    return this.send(["ZINCRBY", this.key(key), increment, member], this.replies.double);
  }

  /**
   * A member's score.
   *
   * @param key The key.
   * @param member The member.
   * @returns The score, or `null` when the member or the key does not exist.
   */
  zscore(key: Key, member: Value): Promise<number | null> {
    return this.send(["ZSCORE", this.key(key), member], this.replies.doubleOrNull);
  }

  /**
   * The scores of several members.
   *
   * @param key The key.
   * @param members The members.
   * @returns One score per member, `null` for a missing one.
   */
  zmscore(key: Key, ...members: Value[]): Promise<(number | null)[]> {
    return this.send(["ZMSCORE", this.key(key), ...members], this.replies.doubles);
  }

  /**
   * The number of members.
   *
   * @param key The key.
   * @returns The count; 0 when the key does not exist.
   */
  zcard(key: Key): Promise<number> {
    return this.send(["ZCARD", this.key(key)], this.replies.integer);
  }

  /**
   * Counts the members with a score within bounds.
   *
   * @param key The key.
   * @param min The low bound (see {@linkcode Bound}).
   * @param max The high bound.
   * @returns The count.
   */
  zcount(key: Key, min: Bound, max: Bound): Promise<number> {
    return this.send(["ZCOUNT", this.key(key), min, max], this.replies.integer);
  }

  /**
   * Counts the members within lexicographic bounds (all scores equal).
   *
   * @param key The key.
   * @param min The low bound, e.g. `"[a"` or `"-"`.
   * @param max The high bound, e.g. `"(c"` or `"+"`.
   * @returns The count.
   */
  zlexcount(key: Key, min: string, max: string): Promise<number> {
    return this.send(["ZLEXCOUNT", this.key(key), min, max], this.replies.integer);
  }

  /**
   * Members by rank, score or lexicographic range.
   *
   * @param key The key.
   * @param start The first rank, or the low bound (the high one with `rev`).
   * @param stop The last rank, or the high bound (the low one with `rev`).
   * @param options `by`, `rev`, `limit`.
   * @returns The members, lowest score first (highest with `rev`).
   *
   * @example Ranges by rank and by score
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.zadd("z", { a: 1, b: 2, c: 3 });
   * console.log(await store.zrange("z", 0, 1)); // ["a", "b"]
   * console.log(await store.zrange("z", "(1", Infinity, { by: "score" })); // ["b", "c"]
   * console.log(await store.zrange("z", "+inf", 2, { by: "score", rev: true })); // ["c", "b"]
   * ```
   */
  zrange(key: Key, start: Bound, stop: Bound, options?: ZRangeOptions): Promise<string[]> {
    return this.send(
      rangeArgs(["ZRANGE", this.key(key), start, stop], options),
      this.replies.strings,
    );
  }

  /**
   * {@linkcode SortedSetCommands.zrange} with scores.
   *
   * @param key The key.
   * @param start The first rank, or the low bound (the high one with `rev`).
   * @param stop The last rank, or the high bound (the low one with `rev`).
   * @param options `by`, `rev`, `limit`.
   * @returns The members with their scores.
   */
  zrangeWithScores(
    key: Key,
    start: Bound,
    stop: Bound,
    options?: ZRangeOptions,
  ): Promise<ScoredMember[]> {
    const args = rangeArgs(["ZRANGE", this.key(key), start, stop], options);
    args.push("WITHSCORES");
    return this.send(args, this.replies.scored);
  }

  /**
   * Stores a range of a sorted set (Redis 6.2).
   *
   * @param destination Where to store it (overwritten).
   * @param source The sorted set.
   * @param start The first rank, or the low bound.
   * @param stop The last rank, or the high bound.
   * @param options `by`, `rev`, `limit`.
   * @returns The number of members stored.
   */
  zrangestore(
    destination: Key,
    source: Key,
    start: Bound,
    stop: Bound,
    options?: ZRangeOptions,
  ): Promise<number> {
    return this.send(
      rangeArgs(["ZRANGESTORE", this.key(destination), this.key(source), start, stop], options),
      this.replies.integer,
    );
  }

  /**
   * Members with a score within bounds, lowest first.
   *
   * @param key The key.
   * @param min The low bound.
   * @param max The high bound.
   * @param options `limit`.
   * @returns The members.
   */
  zrangebyscore(key: Key, min: Bound, max: Bound, options?: ZRangeByOptions): Promise<string[]> {
    return this.send(
      limitArgs(["ZRANGEBYSCORE", this.key(key), min, max], options?.limit),
      this.replies.strings,
    );
  }

  /**
   * Members with a score within bounds, highest first.
   *
   * @param key The key.
   * @param max The high bound.
   * @param min The low bound.
   * @param options `limit`.
   * @returns The members.
   */
  zrevrangebyscore(
    key: Key,
    max: Bound,
    min: Bound,
    options?: ZRangeByOptions,
  ): Promise<string[]> {
    return this.send(
      limitArgs(["ZREVRANGEBYSCORE", this.key(key), max, min], options?.limit),
      this.replies.strings,
    );
  }

  /**
   * Members by rank, highest score first.
   *
   * @param key The key.
   * @param start The first rank (0 is the highest score).
   * @param stop The last rank.
   * @returns The members.
   */
  zrevrange(key: Key, start: number, stop: number): Promise<string[]> {
    return this.send(
      ["ZREVRANGE", this.key(key), integerArg("start", start), integerArg("stop", stop)],
      this.replies.strings,
    );
  }

  /**
   * Members within lexicographic bounds (all scores equal).
   *
   * @param key The key.
   * @param min The low bound, e.g. `"[a"` or `"-"`.
   * @param max The high bound, e.g. `"(c"` or `"+"`.
   * @param options `limit`.
   * @returns The members.
   */
  zrangebylex(key: Key, min: string, max: string, options?: ZRangeByOptions): Promise<string[]> {
    return this.send(
      limitArgs(["ZRANGEBYLEX", this.key(key), min, max], options?.limit),
      this.replies.strings,
    );
  }

  /**
   * Members between two lexicographic bounds, in reverse order (all
   * members must have the same score).
   *
   * @param key The key.
   * @param max The greater bound (`"[c"`, `"(c"` or `"+"`).
   * @param min The smaller bound (`"[a"`, `"(a"` or `"-"`).
   * @param options `limit`.
   * @returns The members.
   */
  zrevrangebylex(key: Key, max: string, min: string, options?: ZRangeByOptions): Promise<string[]> {
    return this.send(
      limitArgs(["ZREVRANGEBYLEX", this.key(key), max, min], options?.limit),
      this.replies.strings,
    );
  }

  /**
   * A member's rank, lowest score first.
   *
   * @param key The key.
   * @param member The member.
   * @returns The rank (0-based), or `null` when the member does not exist.
   */
  zrank(key: Key, member: Value): Promise<number | null> {
    return this.send(["ZRANK", this.key(key), member], this.replies.integerOrNull);
  }

  /**
   * A member's rank, highest score first.
   *
   * @param key The key.
   * @param member The member.
   * @returns The rank (0-based), or `null` when the member does not exist.
   */
  zrevrank(key: Key, member: Value): Promise<number | null> {
    return this.send(["ZREVRANK", this.key(key), member], this.replies.integerOrNull);
  }

  /**
   * Removes members.
   *
   * @param key The key.
   * @param members The members.
   * @returns How many were removed.
   */
  zrem(key: Key, ...members: Value[]): Promise<number> {
    return this.send(["ZREM", this.key(key), ...members], this.replies.integer);
  }

  /**
   * Removes the members within a range of ranks.
   *
   * @param key The key.
   * @param start The first rank.
   * @param stop The last rank.
   * @returns How many were removed.
   */
  zremrangebyrank(key: Key, start: number, stop: number): Promise<number> {
    return this.send(
      ["ZREMRANGEBYRANK", this.key(key), integerArg("start", start), integerArg("stop", stop)],
      this.replies.integer,
    );
  }

  /**
   * Removes the members with a score within bounds.
   *
   * @param key The key.
   * @param min The low bound.
   * @param max The high bound.
   * @returns How many were removed.
   */
  zremrangebyscore(key: Key, min: Bound, max: Bound): Promise<number> {
    return this.send(["ZREMRANGEBYSCORE", this.key(key), min, max], this.replies.integer);
  }

  /**
   * Removes the members within lexicographic bounds.
   *
   * @param key The key.
   * @param min The low bound, e.g. `"[a"`.
   * @param max The high bound, e.g. `"+"`.
   * @returns How many were removed.
   */
  zremrangebylex(key: Key, min: string, max: string): Promise<number> {
    return this.send(["ZREMRANGEBYLEX", this.key(key), min, max], this.replies.integer);
  }

  /**
   * Removes and returns the member with the lowest score.
   *
   * @param key The key.
   * @returns The member and score, or `null` when the set is empty.
   */
  zpopmin(key: Key): Promise<ScoredMember | null>;
  /**
   * Removes and returns up to `count` members with the lowest scores.
   *
   * @param key The key.
   * @param count How many.
   * @returns The members, lowest first.
   */
  zpopmin(key: Key, count: number): Promise<ScoredMember[]>;
  /**
   * Removes and returns the members with the lowest scores (either form).
   *
   * @param key The key.
   * @param count How many; without it, one member or `null`.
   * @returns A member or `null`, or with `count` the members.
   */
  zpopmin(key: Key, count?: number): Promise<ScoredMember | null | ScoredMember[]>;
  zpopmin(key: Key, count?: number): Promise<ScoredMember | null | ScoredMember[]> {
    if (count === undefined) {
      return this.send(
        ["ZPOPMIN", this.key(key)],
        (value) => this.replies.scored(value)[0] ?? null,
      );
    }
    return this.send(
      ["ZPOPMIN", this.key(key), integerArg("count", count, 0)],
      this.replies.scored,
    );
  }

  /**
   * Removes and returns the member with the highest score.
   *
   * @param key The key.
   * @returns The member and score, or `null` when the set is empty.
   */
  zpopmax(key: Key): Promise<ScoredMember | null>;
  /**
   * Removes and returns up to `count` members with the highest scores.
   *
   * @param key The key.
   * @param count How many.
   * @returns The members, highest first.
   */
  zpopmax(key: Key, count: number): Promise<ScoredMember[]>;
  /**
   * Removes and returns the members with the highest scores (either form).
   *
   * @param key The key.
   * @param count How many; without it, one member or `null`.
   * @returns A member or `null`, or with `count` the members.
   */
  zpopmax(key: Key, count?: number): Promise<ScoredMember | null | ScoredMember[]>;
  zpopmax(key: Key, count?: number): Promise<ScoredMember | null | ScoredMember[]> {
    if (count === undefined) {
      return this.send(
        ["ZPOPMAX", this.key(key)],
        (value) => this.replies.scored(value)[0] ?? null,
      );
    }
    return this.send(
      ["ZPOPMAX", this.key(key), integerArg("count", count, 0)],
      this.replies.scored,
    );
  }

  /**
   * Removes and returns the lowest-scored member of the first non-empty
   * sorted set, waiting for one when they are all empty.
   *
   * @param keys The sorted sets, in order.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The key, member and score, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  bzpopmin(keys: Key | readonly Key[], timeout: number): Promise<ZPoppedMember | null> {
    return this.sendBlocking(
      ["BZPOPMIN", ...this.keyArgs(keyList(keys)), timeoutArg(timeout)],
      poppedMemberShape(this.replies, (key) => this.unkey(key)),
    );
  }

  /**
   * Removes and returns the highest-scored member of the first non-empty
   * sorted set, waiting for one when they are all empty.
   *
   * @param keys The sorted sets, in order.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The key, member and score, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  bzpopmax(keys: Key | readonly Key[], timeout: number): Promise<ZPoppedMember | null> {
    return this.sendBlocking(
      ["BZPOPMAX", ...this.keyArgs(keyList(keys)), timeoutArg(timeout)],
      poppedMemberShape(this.replies, (key) => this.unkey(key)),
    );
  }

  /**
   * The union of sorted sets (Redis 6.2).
   *
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The members, lowest combined score first.
   */
  zunion(keys: readonly Key[], options?: ZCombineOptions): Promise<string[]> {
    return this.send(
      combineArgs(["ZUNION", keys.length, ...this.keyArgs(keys)], options),
      this.replies.strings,
    );
  }

  /**
   * The union of sorted sets with the combined scores (Redis 6.2).
   *
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The members with their scores.
   */
  zunionWithScores(keys: readonly Key[], options?: ZCombineOptions): Promise<ScoredMember[]> {
    const args = combineArgs(["ZUNION", keys.length, ...this.keyArgs(keys)], options);
    args.push("WITHSCORES");
    return this.send(args, this.replies.scored);
  }

  /**
   * Stores the union of sorted sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The size of the result.
   */
  zunionstore(
    destination: Key,
    keys: readonly Key[],
    options?: ZCombineOptions,
  ): Promise<number> {
    const args = combineArgs(
      ["ZUNIONSTORE", this.key(destination), keys.length, ...this.keyArgs(keys)],
      options,
    );
    return this.send(args, this.replies.integer);
  }

  /**
   * The intersection of sorted sets (Redis 6.2).
   *
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The members, lowest combined score first.
   */
  zinter(keys: readonly Key[], options?: ZCombineOptions): Promise<string[]> {
    return this.send(
      combineArgs(["ZINTER", keys.length, ...this.keyArgs(keys)], options),
      this.replies.strings,
    );
  }

  /**
   * The intersection of sorted sets with the combined scores (Redis 6.2).
   *
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The members with their scores.
   */
  zinterWithScores(keys: readonly Key[], options?: ZCombineOptions): Promise<ScoredMember[]> {
    const args = combineArgs(["ZINTER", keys.length, ...this.keyArgs(keys)], options);
    args.push("WITHSCORES");
    return this.send(args, this.replies.scored);
  }

  /**
   * Stores the intersection of sorted sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The sorted sets.
   * @param options `weights`, `aggregate`.
   * @returns The size of the result.
   */
  zinterstore(
    destination: Key,
    keys: readonly Key[],
    options?: ZCombineOptions,
  ): Promise<number> {
    const args = combineArgs(
      ["ZINTERSTORE", this.key(destination), keys.length, ...this.keyArgs(keys)],
      options,
    );
    return this.send(args, this.replies.integer);
  }

  /**
   * The size of the intersection of sorted sets (Redis 7).
   *
   * @param keys The sorted sets.
   * @param options `limit` stops counting early.
   * @returns The number of members in all of them.
   */
  zintercard(keys: readonly Key[], options?: IntercardOptions): Promise<number> {
    const args: CommandArg[] = ["ZINTERCARD", keys.length, ...this.keyArgs(keys)];
    if (options?.limit !== undefined) args.push("LIMIT", integerArg("limit", options.limit, 0));
    return this.send(args, this.replies.integer);
  }

  /**
   * The members of the first sorted set that are in none of the others (Redis 6.2).
   *
   * @param keys The first sorted set, then those to subtract.
   * @returns The members, lowest score first.
   */
  zdiff(keys: readonly Key[]): Promise<string[]> {
    return this.send(["ZDIFF", keys.length, ...this.keyArgs(keys)], this.replies.strings);
  }

  /**
   * {@linkcode SortedSetCommands.zdiff} with scores.
   *
   * @param keys The first sorted set, then those to subtract.
   * @returns The members with their scores.
   */
  zdiffWithScores(keys: readonly Key[]): Promise<ScoredMember[]> {
    return this.send(
      ["ZDIFF", keys.length, ...this.keyArgs(keys), "WITHSCORES"],
      this.replies.scored,
    );
  }

  /**
   * Stores the difference of sorted sets.
   *
   * @param destination Where to store it (overwritten).
   * @param keys The first sorted set, then those to subtract.
   * @returns The size of the result.
   */
  zdiffstore(destination: Key, keys: readonly Key[]): Promise<number> {
    return this.send(
      ["ZDIFFSTORE", this.key(destination), keys.length, ...this.keyArgs(keys)],
      this.replies.integer,
    );
  }

  /**
   * A random member.
   *
   * @param key The key.
   * @returns The member, or `null` when the key does not exist.
   */
  zrandmember(key: Key): Promise<string | null>;
  /**
   * Random members.
   *
   * @param key The key.
   * @param count Positive for distinct members (at most all), negative for
   * `-count` members that may repeat.
   * @returns The members.
   */
  zrandmember(key: Key, count: number): Promise<string[]>;
  /**
   * Random members (either form).
   *
   * @param key The key.
   * @param count How many; without it, one member or `null`.
   * @returns A member or `null`, or with `count` the members.
   */
  zrandmember(key: Key, count?: number): Promise<string | null | string[]>;
  zrandmember(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) {
      return this.send(["ZRANDMEMBER", this.key(key)], this.replies.textOrNull);
    }
    return this.send(
      ["ZRANDMEMBER", this.key(key), integerArg("count", count)],
      this.replies.strings,
    );
  }

  /**
   * Random members with their scores.
   *
   * @param key The key.
   * @param count How many (see {@linkcode SortedSetCommands.zrandmember}).
   * @returns The members with their scores.
   */
  zrandmemberWithScores(key: Key, count: number): Promise<ScoredMember[]> {
    return this.send(
      ["ZRANDMEMBER", this.key(key), integerArg("count", count), "WITHSCORES"],
      this.replies.scored,
    );
  }

  /**
   * Pops members from the first non-empty sorted set of several (Redis 7).
   *
   * @param keys The sorted sets, in order.
   * @param from `"min"` pops the lowest scores, `"max"` the highest.
   * @param options `count`.
   * @returns The key and its members, or `null` when every set is empty.
   */
  zmpop(
    keys: Key | readonly Key[],
    from: ZEnd,
    options?: { count?: number },
  ): Promise<ZPoppedMembers | null> {
    const list = keyList(keys);
    const args: CommandArg[] = ["ZMPOP", list.length, ...this.keyArgs(list), zend(from)];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    return this.send(args, poppedMembersShape(this.replies, (key) => this.unkey(key)));
  }

  /**
   * {@linkcode SortedSetCommands.zmpop}, waiting when every set is empty (Redis 7).
   *
   * @param keys The sorted sets, in order.
   * @param from `"min"` or `"max"`.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @param options `count`.
   * @returns The key and its members, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  bzmpop(
    keys: Key | readonly Key[],
    from: ZEnd,
    timeout: number,
    options?: { count?: number },
  ): Promise<ZPoppedMembers | null> {
    const list = keyList(keys);
    const args: CommandArg[] = [
      "BZMPOP",
      timeoutArg(timeout),
      list.length,
      ...this.keyArgs(list),
      zend(from),
    ];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    return this.sendBlocking(args, poppedMembersShape(this.replies, (key) => this.unkey(key)));
  }
}
