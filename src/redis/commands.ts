/**
 * The typed command methods, written once and shared by the store, its
 * per-call views, pipelines and transactions: each method only builds the
 * arguments and names a reply shape, then calls `send`.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../protocol/types.ts";
import { RemoteStore } from "../remote_store.ts";
import type { Shape } from "./connection.ts";
import type { Replies } from "./replies.ts";

/** Commands that switch a connection into another mode: refused by `execute`. */
const connectionModes = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "SELECT",
  "HELLO",
  "RESET",
  "QUIT",
  // Transactions on the shared connection would capture other callers'
  // commands: use store.transaction() / store.watch().
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SYNC",
  "PSYNC",
]);

/** Commands that block the connection: `execute` runs them on a connection of their own. */
const blockingCommands = new Set([
  "BLPOP",
  "BRPOP",
  "BLMOVE",
  "BRPOPLPUSH",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "XREAD",
  "XREADGROUP",
  "WAIT",
]);

/** A key: text, or bytes for binary keys. */
export type Key = string | Uint8Array;
/** A value: text, a number, a bigint or bytes. */
export type Value = CommandArg;

/**
 * The base of every object that runs commands. Subclasses say how a command
 * is sent (`send`), how replies are shaped (`replies`) and how keys are
 * namespaced (`key`).
 *
 * Rule for command methods: build the arguments, then
 * `return this.send(args, shape)` (or `sendBlocking`) and nothing else, so
 * pipelines and transactions can record the same call.
 */
export abstract class CommandsBase extends RemoteStore {
  /** Sends one command and shapes its reply. */
  protected abstract send<T>(args: CommandArg[], shape: Shape<T>): Promise<T>;
  /**
   * Sends a blocking command (BLPOP, XREAD BLOCK...) on a connection of its
   * own so it never stalls the shared one.
   */
  protected abstract sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T>;
  /** The reply shapes for this store's encoding. */
  protected abstract get replies(): Replies;
  /** Adds the namespace to a key. */
  protected abstract key(key: Key): CommandArg;
  /** Removes the namespace from a key the server returned. */
  protected abstract unkey(key: string): string;

  /**
   * Namespaces every key of a list. (Not named `keys`: that is the KEYS
   * command's method.)
   *
   * @param keys The keys.
   * @returns The keys with the namespace applied.
   */
  protected keyArgs(keys: readonly Key[]): CommandArg[] {
    return keys.map((key) => this.key(key));
  }

  /**
   * Runs any command; the reply is returned as decoded (see `RespValue`).
   * Keys are sent as given: the namespace is not applied. Commands that
   * would change the shared connection's mode or state for every caller
   * (SUBSCRIBE, MONITOR, SELECT, HELLO, RESET, QUIT, MULTI/EXEC/WATCH,
   * CLIENT REPLY) are refused: use `store.pubsub()`, `store.transaction()`,
   * `store.watch()`, or a store per database. Blocking commands (BLPOP,
   * XREAD...) run on a connection of their own.
   *
   * @param command The command name, e.g. `"OBJECT"`.
   * @param args Its arguments.
   * @returns The raw reply.
   * @throws {TypeError} For a command that would change the connection's mode.
   *
   * @example Run a command that has no method
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * console.log(await store.execute("PING")); // "PONG"
   * ```
   */
  execute(command: string, ...args: CommandArg[]): Promise<RespValue> {
    const name = typeof command === "string" ? command.toUpperCase() : "";
    const sub = name === "CLIENT" && typeof args[0] === "string" ? args[0].toUpperCase() : "";
    if (connectionModes.has(name) || sub === "REPLY") {
      throw new TypeError(
        `Cannot run ${command}${
          sub ? ` ${sub}` : ""
        } on the shared connection: it would change the connection's state for every caller (use store.pubsub(), store.transaction() or store.watch())`,
      );
    }
    if (blockingCommands.has(name)) return this.sendBlocking([command, ...args], this.replies.raw);
    return this.send([command, ...args], this.replies.raw);
  }
}
