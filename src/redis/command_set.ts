/**
 * `CommandSet`: every command method over an {@linkcode Executor}, with
 * nothing else (no `close()`, no `pipeline()`): what `store.with()` and
 * `store.watch()` hand out.
 *
 * @module
 */

import type { CommandArg } from "../protocol/types.ts";
import { CommandCore, type Executor, type Key } from "./commands.ts";
import { attachRedisCommands, type RedisCommands } from "./commands/mod.ts";
import type { CallOptions, Shape } from "./connection.ts";
import type { Replies } from "./replies.ts";

/** Where a command set's commands go, and what it says about its store. */
export interface CommandSetExecutor extends Executor {
  /** The store's connection string, password masked (for `String(view)`). */
  readonly label: string;
  /** The store's canonical connection string. */
  readonly dns: string;
  /** The same executor with more call options (for `with()` on a view). */
  with(options: CallOptions): CommandSetExecutor;
}

/** The command methods of {@linkcode CommandSet}. */
export interface CommandSet extends RedisCommands {}

/**
 * Every command method of the store, sent through one executor: a view with
 * per-call options (`store.with()`), or the connection that WATCHes keys
 * (`store.watch()`). It shares the store's connections and has no
 * connection methods of its own.
 *
 * @example A view with a deadline
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const view = store.with({ timeout: 1000 });
 * await view.set("k", "v");
 * console.log(await view.get("k")); // "v"
 * ```
 */
export class CommandSet extends CommandCore {
  #executor: CommandSetExecutor;

  /**
   * Creates a command set; use `store.with()` rather than this directly.
   *
   * @param executor Where its commands go.
   */
  constructor(executor: CommandSetExecutor) {
    super();
    this.#executor = executor;
  }

  /** Sends through the executor. */
  protected send<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.#executor.send(args, shape);
  }

  /** Sends a blocking command through the executor. */
  protected sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.#executor.sendBlocking(args, shape);
  }

  /** The reply shapes for the store's encoding. */
  protected get replies(): Replies {
    return this.#executor.replies;
  }

  /** Adds the namespace to a key. */
  protected key(key: Key): CommandArg {
    return this.#executor.key(key);
  }

  /** Removes the namespace from a key the server returned. */
  protected unkey(key: string): string {
    return this.#executor.unkey(key);
  }

  /** The store's key prefix ("" for none). */
  get namespace(): string {
    return this.#executor.namespace;
  }

  /** The store's canonical connection string. */
  get dns(): string {
    return this.#executor.dns;
  }

  /**
   * The same commands with more per-call options (merged over these).
   *
   * @param options `timeout` in milliseconds, `signal`, `idempotent`.
   * @returns The view.
   */
  with(options: CallOptions): CommandSet {
    return new CommandSet(this.#executor.with(options));
  }

  /**
   * The store's connection string, password masked.
   *
   * @returns The string.
   */
  override toString(): string {
    return this.#executor.label;
  }
}

attachRedisCommands(CommandSet.prototype);
