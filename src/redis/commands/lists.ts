/**
 * List commands, including the blocking ones.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Shape } from "../connection.ts";
import type { Replies } from "../replies.ts";
import { integerArg, timeoutArg } from "./_args.ts";

import type { Key, Value } from "./keys.ts";

/** An end of a list. */
export type ListEnd = "left" | "right";

/** Options of {@linkcode ListCommands.lpos}. */
export interface LposOptions {
  /** Return the `rank`-th match; negative searches from the tail. @default {1} */
  rank?: number;
  /** Compare at most this many elements (0: all). @default {0} */
  maxlen?: number;
}

/** Options of {@linkcode ListCommands.lpos} that return every match. */
export interface LposCountOptions extends LposOptions {
  /** Return up to this many matches (0: all of them). */
  count: number;
}

/** Options of {@linkcode ListCommands.lmpop} and {@linkcode ListCommands.blmpop}. */
export interface MpopOptions {
  /** Pop up to this many elements. @default {1} */
  count?: number;
}

/** An element popped by {@linkcode ListCommands.blpop} or {@linkcode ListCommands.brpop}. */
export interface PoppedElement {
  /** The key it came from (without the store's namespace). */
  key: string;
  /** The element. */
  element: string;
}

/** Elements popped by {@linkcode ListCommands.lmpop} or {@linkcode ListCommands.blmpop}. */
export interface PoppedElements {
  /** The key they came from (without the store's namespace). */
  key: string;
  /** The elements, in pop order. */
  elements: string[];
}

function keyList(keys: Key | readonly Key[]): readonly Key[] {
  return typeof keys === "string" || keys instanceof Uint8Array ? [keys] : keys;
}

function end(name: string, value: ListEnd): "LEFT" | "RIGHT" {
  if (value === "left") return "LEFT";
  if (value === "right") return "RIGHT";
  throw new TypeError(`Cannot use ${name} "${String(value)}": expected "left" or "right"`);
}

/** Shapes a `[key, element]` reply (BLPOP, BRPOP). */
function elementShape(
  replies: Replies,
  unkey: (key: string) => string,
): Shape<PoppedElement | null> {
  return (value) => {
    const reply = replies.arrayOrNull(value);
    if (reply === null) return null;
    return { key: unkey(replies.text(reply[0])), element: replies.text(reply[1]) };
  };
}

/** Shapes a `[key, [element...]]` reply (LMPOP, BLMPOP). */
function poppedShape(
  replies: Replies,
  unkey: (key: string) => string,
): Shape<PoppedElements | null> {
  return (value) => {
    const reply = replies.arrayOrNull(value);
    if (reply === null) return null;
    return { key: unkey(replies.text(reply[0])), elements: replies.strings(reply[1]) };
  };
}

/**
 * List commands: LPUSH, RPOP, LRANGE, LMOVE, LPOS, and the blocking BLPOP,
 * BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
 *
 * Blocking commands take a timeout in seconds (0 waits forever) and run on a
 * connection of their own, so they never delay the store's other commands.
 * To give up early, use a view: `store.with({ signal }).blpop(...)`.
 *
 * @example Use a list as a queue
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.rpush("jobs", "a", "b", "c");
 * console.log(await store.lpop("jobs")); // "a"
 * console.log(await store.lrange("jobs", 0, -1)); // ["b", "c"]
 * console.log(await store.blpop("jobs", 1)); // { key: "jobs", element: "b" }
 * ```
 */
export abstract class ListCommands extends CommandCore {
  /**
   * Prepends elements (the last one given ends up first).
   *
   * @param key The key.
   * @param elements The elements.
   * @returns The length of the list afterwards.
   */
  lpush(key: Key, ...elements: Value[]): Promise<number> {
    return this.send(["LPUSH", this.key(key), ...elements], this.replies.integer);
  }

  /**
   * Appends elements.
   *
   * @param key The key.
   * @param elements The elements.
   * @returns The length of the list afterwards.
   */
  rpush(key: Key, ...elements: Value[]): Promise<number> {
    return this.send(["RPUSH", this.key(key), ...elements], this.replies.integer);
  }

  /**
   * Prepends elements only when the list exists.
   *
   * @param key The key.
   * @param elements The elements.
   * @returns The length of the list afterwards (0 when it does not exist).
   */
  lpushx(key: Key, ...elements: Value[]): Promise<number> {
    return this.send(["LPUSHX", this.key(key), ...elements], this.replies.integer);
  }

  /**
   * Appends elements only when the list exists.
   *
   * @param key The key.
   * @param elements The elements.
   * @returns The length of the list afterwards (0 when it does not exist).
   */
  rpushx(key: Key, ...elements: Value[]): Promise<number> {
    return this.send(["RPUSHX", this.key(key), ...elements], this.replies.integer);
  }

  /**
   * Removes and returns the first element.
   *
   * @param key The key.
   * @returns The element, or `null` when the list is empty.
   */
  lpop(key: Key): Promise<string | null>;
  /**
   * Removes and returns up to `count` elements from the head.
   *
   * @param key The key.
   * @param count How many.
   * @returns The elements; `[]` when the list is empty.
   */
  lpop(key: Key, count: number): Promise<string[]>;
  /**
   * Removes and returns elements from the head (either form).
   *
   * @param key The key.
   * @param count How many; without it, one element or `null`.
   * @returns An element or `null`, or with `count` the elements.
   */
  lpop(key: Key, count?: number): Promise<string | null | string[]>;
  lpop(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) return this.send(["LPOP", this.key(key)], this.replies.textOrNull);
    return this.send(
      ["LPOP", this.key(key), integerArg("count", count, 0)],
      this.replies.strings,
    );
  }

  /**
   * Removes and returns the last element.
   *
   * @param key The key.
   * @returns The element, or `null` when the list is empty.
   */
  rpop(key: Key): Promise<string | null>;
  /**
   * Removes and returns up to `count` elements from the tail.
   *
   * @param key The key.
   * @param count How many.
   * @returns The elements, last first; `[]` when the list is empty.
   */
  rpop(key: Key, count: number): Promise<string[]>;
  /**
   * Removes and returns elements from the tail (either form).
   *
   * @param key The key.
   * @param count How many; without it, one element or `null`.
   * @returns An element or `null`, or with `count` the elements.
   */
  rpop(key: Key, count?: number): Promise<string | null | string[]>;
  rpop(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) return this.send(["RPOP", this.key(key)], this.replies.textOrNull);
    return this.send(
      ["RPOP", this.key(key), integerArg("count", count, 0)],
      this.replies.strings,
    );
  }

  /**
   * The length of a list.
   *
   * @param key The key.
   * @returns The length; 0 when the key does not exist.
   */
  llen(key: Key): Promise<number> {
    return this.send(["LLEN", this.key(key)], this.replies.integer);
  }

  /**
   * A range of elements (inclusive; negative indexes count from the end).
   *
   * @param key The key.
   * @param start The first index.
   * @param stop The last index (`-1` for the end).
   * @returns The elements.
   */
  lrange(key: Key, start: number, stop: number): Promise<string[]> {
    return this.send(
      ["LRANGE", this.key(key), integerArg("start", start), integerArg("stop", stop)],
      this.replies.strings,
    );
  }

  /**
   * A range of elements as bytes.
   *
   * @param key The key.
   * @param start The first index.
   * @param stop The last index (`-1` for the end).
   * @returns The elements.
   */
  lrangeBytes(key: Key, start: number, stop: number): Promise<Uint8Array[]> {
    return this.send(
      ["LRANGE", this.key(key), integerArg("start", start), integerArg("stop", stop)],
      this.replies.bytesArray as (value: unknown) => Uint8Array[],
    );
  }

  /**
   * The element at an index.
   *
   * @param key The key.
   * @param index The index; negative counts from the end.
   * @returns The element, or `null` when out of range.
   */
  lindex(key: Key, index: number): Promise<string | null> {
    return this.send(
      ["LINDEX", this.key(key), integerArg("index", index)],
      this.replies.textOrNull,
    );
  }

  /**
   * Replaces the element at an index.
   *
   * @param key The key.
   * @param index The index; negative counts from the end.
   * @param element The new element.
   * @returns `"OK"`; rejects with a `ReplyError` when out of range.
   */
  lset(key: Key, index: number, element: Value): Promise<"OK"> {
    return this.send(
      ["LSET", this.key(key), integerArg("index", index), element],
      this.replies.ok,
    );
  }

  /**
   * Inserts an element before or after the first occurrence of another.
   *
   * @param key The key.
   * @param position `"before"` or `"after"` the pivot.
   * @param pivot The element to look for.
   * @param element The element to insert.
   * @returns The length afterwards; -1 when the pivot was not found, 0 when
   * the key does not exist.
   */
  linsert(
    key: Key,
    position: "before" | "after",
    pivot: Value,
    element: Value,
  ): Promise<number> {
    if (position !== "before" && position !== "after") {
      throw new TypeError(
        `Cannot use position "${String(position)}": expected "before" or "after"`,
      );
    }
    return this.send(
      ["LINSERT", this.key(key), position === "before" ? "BEFORE" : "AFTER", pivot, element],
      this.replies.integer,
    );
  }

  /**
   * Removes occurrences of an element.
   *
   * @param key The key.
   * @param count How many: positive from the head, negative from the tail, 0 all.
   * @param element The element.
   * @returns How many were removed.
   */
  lrem(key: Key, count: number, element: Value): Promise<number> {
    return this.send(
      ["LREM", this.key(key), integerArg("count", count), element],
      this.replies.integer,
    );
  }

  /**
   * Keeps only a range of elements.
   *
   * @param key The key.
   * @param start The first index kept.
   * @param stop The last index kept.
   * @returns `"OK"`.
   */
  ltrim(key: Key, start: number, stop: number): Promise<"OK"> {
    return this.send(
      ["LTRIM", this.key(key), integerArg("start", start), integerArg("stop", stop)],
      this.replies.ok,
    );
  }

  /**
   * The indexes of matching elements.
   *
   * @param key The key.
   * @param element The element to look for.
   * @param options `count` (0: all matches), `rank`, `maxlen`.
   * @returns The indexes; `[]` when none matches.
   */
  lpos(key: Key, element: Value, options: LposCountOptions): Promise<number[]>;
  /**
   * The index of a matching element.
   *
   * @param key The key.
   * @param element The element to look for.
   * @param options `rank` (which match), `maxlen`.
   * @returns The index, or `null` when none matches.
   */
  lpos(key: Key, element: Value, options?: LposOptions): Promise<number | null>;
  /**
   * The index or indexes of matching elements (either form).
   *
   * @param key The key.
   * @param element The element to look for.
   * @param options `count`, `rank`, `maxlen`.
   * @returns An index or `null`, or with `count` the indexes.
   */
  lpos(
    key: Key,
    element: Value,
    options?: LposOptions | LposCountOptions,
  ): Promise<number | null | number[]>;
  lpos(
    key: Key,
    element: Value,
    options?: LposOptions | LposCountOptions,
  ): Promise<number | null | number[]> {
    const args: CommandArg[] = ["LPOS", this.key(key), element];
    if (options?.rank !== undefined) args.push("RANK", integerArg("rank", options.rank));
    if (options?.maxlen !== undefined) args.push("MAXLEN", integerArg("maxlen", options.maxlen, 0));
    if (options && "count" in options && options.count !== undefined) {
      args.push("COUNT", integerArg("count", options.count, 0));
      return this.send(args, this.replies.integers);
    }
    return this.send(args, this.replies.integerOrNull);
  }

  /**
   * Moves an element from one list to another, atomically.
   *
   * @param source The list to pop from.
   * @param destination The list to push to.
   * @param from The end of `source` to pop.
   * @param to The end of `destination` to push.
   * @returns The element, or `null` when `source` is empty.
   */
  lmove(source: Key, destination: Key, from: ListEnd, to: ListEnd): Promise<string | null> {
    return this.send(
      ["LMOVE", this.key(source), this.key(destination), end("from", from), end("to", to)],
      this.replies.textOrNull,
    );
  }

  /**
   * Pops the last element of one list and pushes it to the head of another.
   *
   * @param source The list to pop from.
   * @param destination The list to push to.
   * @returns The element, or `null` when `source` is empty.
   */
  rpoplpush(source: Key, destination: Key): Promise<string | null> {
    return this.send(
      ["RPOPLPUSH", this.key(source), this.key(destination)],
      this.replies.textOrNull,
    );
  }

  /**
   * Pops elements from the first non-empty list of several (Redis 7).
   *
   * @param keys The lists, in order.
   * @param from The end to pop.
   * @param options `count`.
   * @returns The key and its elements, or `null` when every list is empty.
   */
  lmpop(keys: Key | readonly Key[], from: ListEnd, options?: MpopOptions): Promise<
    PoppedElements | null
  > {
    const list = keyList(keys);
    const args: CommandArg[] = ["LMPOP", list.length, ...this.keyArgs(list), end("from", from)];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    return this.send(args, poppedShape(this.replies, (key) => this.unkey(key)));
  }

  /**
   * Removes and returns the first element of the first non-empty list,
   * waiting for one when they are all empty.
   *
   * @param keys The lists, in order.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The key and element, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   *
   * @example Wait for a job
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * setTimeout(() => store.rpush("jobs", "build"), 10);
   * console.log(await store.blpop("jobs", 5)); // { key: "jobs", element: "build" }
   * console.log(await store.blpop("jobs", 0.1)); // null
   * ```
   */
  blpop(keys: Key | readonly Key[], timeout: number): Promise<PoppedElement | null> {
    return this.sendBlocking(
      ["BLPOP", ...this.keyArgs(keyList(keys)), timeoutArg(timeout)],
      elementShape(this.replies, (key) => this.unkey(key)),
    );
  }

  /**
   * Removes and returns the last element of the first non-empty list,
   * waiting for one when they are all empty.
   *
   * @param keys The lists, in order.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The key and element, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  brpop(keys: Key | readonly Key[], timeout: number): Promise<PoppedElement | null> {
    return this.sendBlocking(
      ["BRPOP", ...this.keyArgs(keyList(keys)), timeoutArg(timeout)],
      elementShape(this.replies, (key) => this.unkey(key)),
    );
  }

  /**
   * {@linkcode ListCommands.lmove}, waiting for an element when `source` is empty.
   *
   * @param source The list to pop from.
   * @param destination The list to push to.
   * @param from The end of `source` to pop.
   * @param to The end of `destination` to push.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The element, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  blmove(
    source: Key,
    destination: Key,
    from: ListEnd,
    to: ListEnd,
    timeout: number,
  ): Promise<string | null> {
    return this.sendBlocking(
      [
        "BLMOVE",
        this.key(source),
        this.key(destination),
        end("from", from),
        end("to", to),
        timeoutArg(timeout),
      ],
      this.replies.textOrNull,
    );
  }

  /**
   * {@linkcode ListCommands.rpoplpush}, waiting for an element when `source` is empty.
   *
   * @param source The list to pop from.
   * @param destination The list to push to.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @returns The element, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  brpoplpush(source: Key, destination: Key, timeout: number): Promise<string | null> {
    return this.sendBlocking(
      ["BRPOPLPUSH", this.key(source), this.key(destination), timeoutArg(timeout)],
      this.replies.textOrNull,
    );
  }

  /**
   * {@linkcode ListCommands.lmpop}, waiting when every list is empty (Redis 7).
   *
   * @param keys The lists, in order.
   * @param from The end to pop.
   * @param timeout Seconds to wait (fractions allowed); 0 waits forever.
   * @param options `count`.
   * @returns The key and its elements, or `null` on timeout.
   * @throws {RangeError} When `timeout` is negative or not finite.
   */
  blmpop(
    keys: Key | readonly Key[],
    from: ListEnd,
    timeout: number,
    options?: MpopOptions,
  ): Promise<PoppedElements | null> {
    const list = keyList(keys);
    const args: CommandArg[] = [
      "BLMPOP",
      timeoutArg(timeout),
      list.length,
      ...this.keyArgs(list),
      end("from", from),
    ];
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    return this.sendBlocking(args, poppedShape(this.replies, (key) => this.unkey(key)));
  }
}
