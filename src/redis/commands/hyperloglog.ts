/**
 * HyperLogLog commands: approximate distinct counts in 12 KiB per key.
 *
 * @module
 */

import { CommandCore } from "../commands.ts";
import type { Key, Value } from "./keys.ts";

/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE. The count of distinct
 * elements is an estimate (standard error 0.81%). The embedded server has
 * no HyperLogLog yet: these need Redis.
 *
 * @example Count distinct visitors
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * await store.pfadd("visitors", "ann", "bob", "ann");
 * console.log(await store.pfcount("visitors")); // 2
 * ```
 */
export abstract class HyperLogLogCommands extends CommandCore {
  /**
   * Adds elements to a HyperLogLog.
   *
   * @param key The key.
   * @param elements The elements.
   * @returns Whether the estimate changed.
   */
  pfadd(key: Key, ...elements: Value[]): Promise<boolean> {
    return this.send(["PFADD", this.key(key), ...elements], this.replies.boolean);
  }

  /**
   * Estimates the distinct elements added to one or more HyperLogLogs (their union).
   *
   * @param keys The keys.
   * @returns The estimate.
   */
  pfcount(...keys: Key[]): Promise<number> {
    return this.send(["PFCOUNT", ...this.keyArgs(keys)], this.replies.integer);
  }

  /**
   * Merges HyperLogLogs into `destination`.
   *
   * @param destination The key written.
   * @param sources The keys merged (with `destination`'s own).
   * @returns `"OK"`.
   */
  pfmerge(destination: Key, ...sources: Key[]): Promise<"OK"> {
    return this.send(
      ["PFMERGE", this.key(destination), ...this.keyArgs(sources)],
      this.replies.ok,
    );
  }
}
