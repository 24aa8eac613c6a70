/**
 * Cursor commands (SCAN, HSCAN, SSCAN, ZSCAN), one page at a time or as
 * async iterators.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { ScoredMember } from "../replies.ts";
import { escapeGlob, integerArg } from "./_args.ts";
import type { Key } from "./keys.ts";

/** Options of the SCAN family. */
export interface ScanOptions {
  /** Only return what matches this glob pattern (filtered after the page is read). @default {undefined} (all) */
  match?: string;
  /** How much work the server does per page (a hint, not a page size). @default {undefined} (10) */
  count?: number;
}

/** Options of {@linkcode ScanCommands.scan}. */
export interface KeyScanOptions extends ScanOptions {
  /** Only keys of this type (`"string"`, `"hash"`, `"zset"`...; Redis 6). @default {undefined} */
  type?: string;
}

/** A page of {@linkcode ScanCommands.scanPage}. */
export interface ScanPage<T> {
  /** The cursor of the next page; `"0"` when the iteration is complete. */
  cursor: string;
  /** What this page holds (possibly nothing, even when more pages follow). */
  items: T[];
}

function scanArgs(args: CommandArg[], options: ScanOptions | undefined): CommandArg[] {
  if (options?.match !== undefined) args.push("MATCH", options.match);
  if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
  return args;
}

function cursorArg(cursor: string | number): string | number {
  if (typeof cursor === "number") return integerArg("cursor", cursor, 0);
  if (!/^\d+$/.test(cursor)) {
    throw new RangeError(`Cannot use cursor "${cursor}": it is not a decimal number`);
  }
  return cursor;
}

/**
 * The SCAN family: `scanPage`, `hscanPage`, `sscanPage` and `zscanPage` read
 * one page from a cursor; `scan`, `hscan`, `sscan` and `zscan` iterate every
 * page. Iteration does not block the server, and follows SCAN's guarantees:
 * an element present for the whole iteration is returned, possibly more than
 * once; elements added or removed meanwhile may or may not be.
 *
 * With a namespace, `scan` only visits the store's keys and yields them
 * without the namespace.
 *
 * @example Iterate keys and hash fields
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.mset({ "user:1": "ann", "user:2": "bob", other: "x" });
 * const users = new Set<string>();
 * for await (const key of store.scan({ match: "user:*" })) users.add(key);
 * console.log([...users].sort()); // ["user:1", "user:2"]
 *
 * await store.hset("h", { a: "1", b: "2" });
 * for await (const [field, value] of store.hscan("h")) console.log(field, value);
 * ```
 */
export abstract class ScanCommands extends CommandCore {
  /**
   * Reads one page of keys (SCAN).
   *
   * @param cursor `0` to start, then the `cursor` of the previous page.
   * @param options `match`, `count`, `type`.
   * @returns The next cursor and the keys (without the namespace).
   */
  scanPage(cursor: string | number, options?: KeyScanOptions): Promise<ScanPage<string>> {
    const args: CommandArg[] = ["SCAN", cursorArg(cursor)];
    const namespace = this.namespace;
    if (namespace) args.push("MATCH", escapeGlob(namespace) + (options?.match ?? "*"));
    else if (options?.match !== undefined) args.push("MATCH", options.match);
    if (options?.count !== undefined) args.push("COUNT", integerArg("count", options.count, 1));
    if (options?.type !== undefined) args.push("TYPE", options.type);
    return this.send(args, (value) => {
      const [next, keys] = this.replies.array(value);
      return {
        cursor: this.replies.text(next),
        items: this.replies.strings(keys).map((key) => this.unkey(key)),
      };
    });
  }

  /**
   * Reads one page of a hash (HSCAN).
   *
   * @param key The key.
   * @param cursor `0` to start, then the `cursor` of the previous page.
   * @param options `match` (on field names), `count`.
   * @returns The next cursor and `[field, value]` pairs.
   */
  hscanPage(
    key: Key,
    cursor: string | number,
    options?: ScanOptions,
  ): Promise<ScanPage<[string, string]>> {
    return this.send(scanArgs(["HSCAN", this.key(key), cursorArg(cursor)], options), (value) => {
      const [next, items] = this.replies.array(value);
      return { cursor: this.replies.text(next), items: this.replies.textPairs(items) };
    });
  }

  /**
   * Reads one page of a set (SSCAN).
   *
   * @param key The key.
   * @param cursor `0` to start, then the `cursor` of the previous page.
   * @param options `match`, `count`.
   * @returns The next cursor and members.
   */
  sscanPage(key: Key, cursor: string | number, options?: ScanOptions): Promise<ScanPage<string>> {
    return this.send(scanArgs(["SSCAN", this.key(key), cursorArg(cursor)], options), (value) => {
      const [next, items] = this.replies.array(value);
      return { cursor: this.replies.text(next), items: this.replies.strings(items) };
    });
  }

  /**
   * Reads one page of a sorted set (ZSCAN).
   *
   * @param key The key.
   * @param cursor `0` to start, then the `cursor` of the previous page.
   * @param options `match`, `count`.
   * @returns The next cursor and members with their scores.
   */
  zscanPage(
    key: Key,
    cursor: string | number,
    options?: ScanOptions,
  ): Promise<ScanPage<ScoredMember>> {
    return this.send(scanArgs(["ZSCAN", this.key(key), cursorArg(cursor)], options), (value) => {
      const [next, items] = this.replies.array(value);
      return { cursor: this.replies.text(next), items: this.replies.scored(items) };
    });
  }

  /**
   * Iterates the keys of the database (of the namespace, when the store has one).
   *
   * @param options `match`, `count`, `type`.
   * @returns An async iterator of keys (without the namespace).
   *
   * @example Delete keys by pattern
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.mset({ "tmp:1": "a", "tmp:2": "b" });
   * for await (const key of store.scan({ match: "tmp:*", count: 100 })) await store.del(key);
   * console.log(await store.exists("tmp:1", "tmp:2")); // 0
   * ```
   */
  async *scan(options?: KeyScanOptions): AsyncIterableIterator<string> {
    let cursor = "0";
    do {
      const page = await this.scanPage(cursor, options);
      cursor = page.cursor;
      yield* page.items;
    } while (cursor !== "0");
  }

  /**
   * Iterates the fields and values of a hash.
   *
   * @param key The key.
   * @param options `match` (on field names), `count`.
   * @returns An async iterator of `[field, value]` pairs.
   */
  async *hscan(key: Key, options?: ScanOptions): AsyncIterableIterator<[string, string]> {
    let cursor = "0";
    do {
      const page = await this.hscanPage(key, cursor, options);
      cursor = page.cursor;
      yield* page.items;
    } while (cursor !== "0");
  }

  /**
   * Iterates the members of a set.
   *
   * @param key The key.
   * @param options `match`, `count`.
   * @returns An async iterator of members.
   */
  async *sscan(key: Key, options?: ScanOptions): AsyncIterableIterator<string> {
    let cursor = "0";
    do {
      const page = await this.sscanPage(key, cursor, options);
      cursor = page.cursor;
      yield* page.items;
    } while (cursor !== "0");
  }

  /**
   * Iterates the members of a sorted set with their scores.
   *
   * @param key The key.
   * @param options `match`, `count`.
   * @returns An async iterator of `{ member, score }`.
   */
  async *zscan(key: Key, options?: ScanOptions): AsyncIterableIterator<ScoredMember> {
    let cursor = "0";
    do {
      const page = await this.zscanPage(key, cursor, options);
      cursor = page.cursor;
      yield* page.items;
    } while (cursor !== "0");
  }
}
