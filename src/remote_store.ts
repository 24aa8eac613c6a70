/**
 * `RemoteStore`: the base of stores that talk to a server.
 *
 * @module
 */

import type { CommandArg } from "./protocol/types.ts";
import { Store } from "./store.ts";

/**
 * A store that talks to a server over a connection. The connection is made on
 * first use (a command, `connect()` or `ping()`), never by the constructor.
 *
 * @example Use a store and close it
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * console.log(await store.ping()); // true
 * ```
 */
export abstract class RemoteStore extends Store {
  /**
   * Checks the server answers.
   *
   * @param signal Aborts the wait.
   * @returns `true` when the server answered PING.
   */
  abstract ping(signal?: AbortSignal): Promise<boolean>;

  /**
   * Connects now instead of on first use.
   *
   * @param signal Aborts the attempt.
   * @returns Resolves once connected.
   */
  abstract connect(signal?: AbortSignal): Promise<void>;

  /**
   * Runs any command.
   *
   * @param command The command name.
   * @param args Its arguments.
   * @returns The reply, decoded by the store.
   */
  abstract execute(command: string, ...args: CommandArg[]): Promise<unknown>;

  /**
   * The object that runs commands against the server.
   *
   * @returns The client.
   */
  abstract client(): unknown;

  /**
   * A publish/subscribe handler on its own connection.
   *
   * @param options Handler options.
   * @returns The handler.
   */
  abstract pubsub(options?: Record<string, unknown>): unknown;

  /**
   * Removes every key of this store's database.
   *
   * @returns Resolves when done.
   */
  abstract flush(): Promise<void>;

  /**
   * Closes every connection; pending commands get a short grace period.
   *
   * @returns Resolves once closed.
   */
  abstract close(): Promise<void>;

  /** `await using store = ...` closes the store at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
