/**
 * String commands.
 *
 * @module
 */

import { type Key, KeyCommands, type Value } from "./keys.ts";

/** Options of {@linkcode StringCommands.set}. */
export interface SetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time in seconds. */
  exat?: number;
  /** Expire at this Unix time in milliseconds. */
  pxat?: number;
  /** Only set when the key does not exist. */
  nx?: boolean;
  /** Only set when the key exists. */
  xx?: boolean;
  /** Keep the key's time to live. */
  keepttl?: boolean;
}

/** String commands: GET, SET, INCR... */
export abstract class StringCommands extends KeyCommands {
  /**
   * Gets the value of a key.
   *
   * @param key The key.
   * @returns The value, or `null` when the key does not exist.
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
   * Sets the value of a key.
   *
   * @param key The key.
   * @param value The value.
   * @param options Expiry and conditions.
   * @returns `"OK"`, or `null` when NX/XX prevented the write.
   */
  set(key: Key, value: Value, options?: SetOptions): Promise<"OK" | null> {
    const args = ["SET", this.key(key), value];
    if (options) {
      if (options.ex !== undefined) args.push("EX", options.ex);
      if (options.px !== undefined) args.push("PX", options.px);
      if (options.exat !== undefined) args.push("EXAT", options.exat);
      if (options.pxat !== undefined) args.push("PXAT", options.pxat);
      if (options.nx) args.push("NX");
      if (options.xx) args.push("XX");
      if (options.keepttl) args.push("KEEPTTL");
    }
    return this.send(args, this.replies.textOrNull as (value: unknown) => "OK" | null);
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
}
