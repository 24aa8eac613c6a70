/**
 * Lua scripts run by SHA-1 (EVALSHA), falling back to EVAL when the server
 * does not have the script cached.
 *
 * @module
 */

import { NoScriptError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";

/** What a script needs from its store. */
export interface ScriptHost {
  /** Sends a command and returns its raw reply. */
  send(args: CommandArg[]): Promise<RespValue>;
  /** Adds the store's namespace to a key. */
  key(key: string | Uint8Array): CommandArg;
}

/**
 * Hex SHA-1 of a script, computed with WebCrypto (as Redis names scripts).
 *
 * @param source The Lua source.
 * @returns 40 lowercase hex digits.
 */
export async function scriptSha(source: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(source));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * A Lua script of a store. `run()` uses EVALSHA and falls back to EVAL on
 * NOSCRIPT; in a pipeline, `load()` it first and record
 * `pipeline.execute("EVALSHA", script.sha, ...)`.
 *
 * @example Run a script against Redis
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * const script = await store.script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * console.log(await script.run(["counter"], [5])); // 5
 * ```
 */
export class RedisScript {
  /** The Lua source. */
  readonly source: string;
  /** Its SHA-1, hex. */
  readonly sha: string;
  #host: ScriptHost;

  /**
   * Creates a script; use `store.script(source)`.
   *
   * @param host The store's side.
   * @param source The Lua source.
   * @param sha Its SHA-1 (see {@linkcode scriptSha}).
   */
  constructor(host: ScriptHost, source: string, sha: string) {
    this.#host = host;
    this.source = source;
    this.sha = sha;
  }

  #args(keys: readonly (string | Uint8Array)[], args: readonly CommandArg[]): CommandArg[] {
    return [keys.length, ...keys.map((key) => this.#host.key(key)), ...args];
  }

  /**
   * Runs the script (EVALSHA, then EVAL if the server lost it).
   *
   * @param keys Keys the script touches (namespaced like other keys).
   * @param args Other arguments.
   * @returns The script's raw reply.
   * @throws {ReplyError} When the script fails.
   */
  async run(
    keys: readonly (string | Uint8Array)[] = [],
    args: readonly CommandArg[] = [],
  ): Promise<RespValue> {
    const rest = this.#args(keys, args);
    try {
      return await this.#host.send(["EVALSHA", this.sha, ...rest]);
    } catch (error) {
      if (!(error instanceof NoScriptError)) throw error;
      return await this.#host.send(["EVAL", this.source, ...rest]);
    }
  }

  /**
   * Loads the script into the server's cache (SCRIPT LOAD).
   *
   * @returns Resolves once loaded.
   */
  async load(): Promise<void> {
    await this.#host.send(["SCRIPT", "LOAD", this.source]);
  }
}
