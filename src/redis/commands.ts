/**
 * What every typed command method needs from the object it runs on: an
 * executor. A method builds the arguments, names a reply shape and hands
 * both to `send` (or `sendBlocking`); where the command goes is the
 * executor's business. The store sends on its shared connection, a `with()`
 * view with a deadline, a `watch()` handle on the watching connection, and a
 * pipeline or transaction records the call. The methods are written once, in
 * one module per family (`./commands/*.ts`), and attached to each of those
 * objects' prototypes by {@linkcode attachCommands}: nothing is rebound per
 * object, and none of them is secretly a store.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../protocol/types.ts";
import type { Shape } from "./connection.ts";
import type { Replies } from "./replies.ts";
import type { ReplyValue } from "./execute_reply.ts";
import { BLOCKING, commandFlags, CONNECTION_STATE } from "./table/mod.ts";

/** A key: text, or bytes for binary keys. */
export type Key = string | Uint8Array;
/** A value: text, a number, a bigint or bytes. */
export type Value = CommandArg;

/** Where commands go: the seam between command methods and connections. */
export interface Executor {
  /** Sends one command and shapes its reply. */
  send<T>(args: CommandArg[], shape: Shape<T>): Promise<T>;
  /** Sends a command that blocks its connection (BLPOP, XREAD BLOCK...). */
  sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T>;
  /** Adds the namespace to a key. */
  key(key: Key): CommandArg;
  /** Removes the namespace from a key the server returned. */
  unkey(key: string): string;
  /** The reply shapes for the store's encoding. */
  readonly replies: Replies;
  /** The key prefix ("" for none). */
  readonly namespace: string;
}

/**
 * Checks a command for `execute()` against the command table.
 *
 * @param command The command name.
 * @param args Its arguments.
 * @returns The command line, and whether it blocks its connection.
 * @throws {TypeError} For a command that changes the connection's state.
 */
export function executeArgs(
  command: string,
  args: readonly CommandArg[],
): { args: CommandArg[]; blocking: boolean; flags: number } {
  const full = [command, ...args];
  const flags = commandFlags(full);
  if (flags & CONNECTION_STATE) {
    const sub = flags !== commandFlags([command]) && typeof args[0] === "string"
      ? ` ${args[0].toUpperCase()}`
      : "";
    throw new TypeError(
      `Cannot run ${command}${sub} on the shared connection: it would change the connection's state for every caller (use store.pubsub(), store.transaction() or store.watch())`,
    );
  }
  return { args: full, blocking: (flags & BLOCKING) !== 0, flags };
}

/**
 * The base of every command family: the executor's members, as the methods
 * see them. The families extend it side by side (no family extends
 * another); {@linkcode attachCommands} puts their methods on the objects
 * that implement these members.
 */
export abstract class CommandCore {
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
  /** The key prefix ("" for none). */
  abstract readonly namespace: string;

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
   * Runs any command, decoding the reply like the typed methods do: text as
   * `string` in the store's encoding, maps as plain objects, sets as
   * arrays, scores as numbers, in the same shape under RESP2 and RESP3 (see
   * {@linkcode ReplyValue}). Keys are sent as given: the namespace is not
   * applied. Commands that would change the shared connection's state for
   * every caller (SUBSCRIBE, MONITOR, SELECT, HELLO, RESET, QUIT,
   * MULTI/EXEC/WATCH, CLIENT REPLY) are refused: use `store.pubsub()`,
   * `store.transaction()`, `store.watch()`, or a store per database.
   * Blocking commands (BLPOP, XREAD...) run on a connection of their own.
   * All of this comes from the command table. For binary data, use
   * {@linkcode CommandCore.executeBytes}.
   *
   * @param command The command name, e.g. `"OBJECT"`.
   * @param args Its arguments.
   * @returns The decoded reply.
   * @throws {TypeError} For a command that would change the connection's state.
   *
   * @example Run commands that have no method
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.execute("HSET", "h", "a", "1");
   * console.log(await store.execute("HGETALL", "h")); // { a: "1" } (RESP2 and RESP3)
   * console.log(await store.execute("PING")); // "PONG"
   * ```
   */
  execute(command: string, ...args: CommandArg[]): Promise<ReplyValue> {
    const checked = executeArgs(command, args);
    const shape = this.replies.valueFor(checked.flags, checked.args);
    return checked.blocking
      ? this.sendBlocking(checked.args, shape)
      : this.send(checked.args, shape);
  }

  /**
   * Runs any command like {@linkcode CommandCore.execute}, and returns the
   * reply as decoded from RESP, bulk strings as bytes (see `RespValue`):
   * for binary data, or to see the protocol's own form.
   *
   * @param command The command name, e.g. `"DUMP"`.
   * @param args Its arguments.
   * @returns The raw reply.
   * @throws {TypeError} For a command that would change the connection's state.
   *
   * @example Read binary data
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * await store.set("blob", new Uint8Array([0, 255]));
   * console.log(await store.executeBytes("GET", "blob")); // Uint8Array(2) [ 0, 255 ]
   * ```
   */
  executeBytes(command: string, ...args: CommandArg[]): Promise<RespValue> {
    const checked = executeArgs(command, args);
    return checked.blocking
      ? this.sendBlocking(checked.args, this.replies.raw)
      : this.send(checked.args, this.replies.raw);
  }
}

/**
 * Puts the command methods of `families` (and `execute`, `keyArgs`) on
 * `prototype`, leaving alone what it defines itself. Called once per class,
 * at module load.
 *
 * @param prototype The prototype of a class implementing the executor members.
 * @param families The family classes.
 */
export function attachCommands(
  prototype: object,
  families: readonly (abstract new () => CommandCore)[],
): void {
  for (const source of [CommandCore, ...families]) {
    for (
      const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(source.prototype))
    ) {
      if (name === "constructor" || Object.hasOwn(prototype, name)) continue;
      Object.defineProperty(prototype, name, descriptor);
    }
  }
}
