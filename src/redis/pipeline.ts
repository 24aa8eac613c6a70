/**
 * Pipelines and MULTI/EXEC transactions: record typed command calls, then
 * send them in one write. An error reply is that entry's value; it never
 * rejects the batch.
 *
 * @module
 */

import { ReplyError, WatchError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";
import type { CallOptions, Connection, Shape } from "./connection.ts";
import { CommandCore, type Key } from "./commands.ts";
import { attachRedisCommands, type RedisCommands } from "./commands/mod.ts";
import type { Replies } from "./replies.ts";

/** Names of the command methods a pipeline can record (those that send one command). */
export type CommandName = {
  [K in keyof RedisCommands]: RedisCommands[K] extends (...args: never[]) => Promise<unknown> ? K
    : never;
}[keyof RedisCommands];

/** What command `K` resolves to: the reply type its method promises. */
export type ReplyOf<K extends CommandName> = Awaited<ReturnType<RedisCommands[K]>>;

/**
 * Every command method of a batch of kind `B` whose replies so far are `R`:
 * each records the call and returns the batch with its reply type appended,
 * so `commit()` resolves to the tuple of every reply type, in order.
 */
export type ChainedCommands<B extends "pipeline" | "transaction", R extends unknown[]> = {
  [K in CommandName]: (
    ...args: Parameters<RedisCommands[K]>
  ) => B extends "pipeline" ? Pipeline<[...R, ReplyOf<K>]> : Transaction<[...R, ReplyOf<K>]>;
};

/**
 * A batch of commands sent in one write by {@linkcode Pipeline.commit}. Its
 * type records the reply type of every command added: `R` is the tuple
 * `commit()` resolves to.
 *
 * A command that fails on the server does not reject the batch: its entry
 * holds the `ReplyError` instead of the typed reply. The tuple shows the
 * replies of commands that succeed; where one can fail (a wrong type, a
 * script error), check its entry with `instanceof ReplyError`.
 *
 * @typeParam R The reply types of the commands added so far, in order.
 *
 * @example Send three commands in one write
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const [ok, n, value] = await store.pipeline().set("a", 1).incr("a").get("a").commit();
 * console.log(ok, n, value); // "OK" 2 "2"  (types: "OK" | null, number, string | null)
 * ```
 */
export interface Pipeline<R extends unknown[] = unknown[]> extends ChainedCommands<"pipeline", R> {
  /** Number of recorded commands. */
  readonly length: number;
  /**
   * Sends every recorded command in one write.
   *
   * @param options Deadline and abort signal for the whole batch.
   * @returns Every reply in order; an error reply is a `ReplyError` value.
   */
  commit(options?: CallOptions): Promise<R>;
}

/**
 * Commands sent atomically with MULTI/EXEC by {@linkcode Transaction.commit}.
 * Like a {@linkcode Pipeline}, its type records the reply type of every
 * command added.
 *
 * @typeParam R The reply types of the commands added so far, in order.
 *
 * @example Increment two counters atomically
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const replies = await store.transaction().incr("a").incr("b").commit();
 * console.log(replies); // [1, 1]
 * ```
 */
export interface Transaction<R extends unknown[] = unknown[]>
  extends ChainedCommands<"transaction", R> {
  /** Number of recorded commands. */
  readonly length: number;
  /**
   * Sends MULTI, the commands and EXEC in one write.
   *
   * @param options Deadline and abort signal.
   * @returns The replies of EXEC in order; an error reply is a `ReplyError` value.
   * @throws {WatchError} When a watched key changed (EXEC replied nil).
   * @throws {ReplyError} EXECABORT when a command was refused at queue
   *   time; its `cause` is that command's error.
   */
  commit(options?: CallOptions): Promise<R>;
}

/** A recorded command. */
export interface Entry {
  args: CommandArg[];
  shape: Shape<unknown>;
}

/** What a batch's command methods need from the store: keys and reply shapes. */
export interface BatchContext {
  /** Adds the namespace to a key. */
  key(key: Key): CommandArg;
  /** Removes the namespace from a key the server returned. */
  unkey(key: string): string;
  /** The reply shapes for the store's encoding. */
  readonly replies: Replies;
  /** The key prefix ("" for none). */
  readonly namespace: string;
}

/** The command methods of a batch. */
interface Batch extends RedisCommands {}

/**
 * A pipeline or transaction at runtime: every command method, whose executor
 * records the command and returns the batch (for chaining). It has no
 * connection of its own, so no `close()`.
 */
class Batch extends CommandCore {
  #context: BatchContext;
  #entries: Entry[] = [];
  #commit: (entries: Entry[], options?: CallOptions) => Promise<unknown[]>;
  #committed = false;

  constructor(
    context: BatchContext,
    commit: (entries: Entry[], options?: CallOptions) => Promise<unknown[]>,
  ) {
    super();
    this.#context = context;
    this.#commit = commit;
  }

  /** Records a command; returns the batch. */
  protected send<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    if (this.#committed) {
      throw new TypeError("Cannot add a command: the batch was already committed");
    }
    this.#entries.push({ args, shape: shape as Shape<unknown> });
    return this as unknown as Promise<T>;
  }

  /** A batch records blocking commands like the others (they run in order, not apart). */
  protected sendBlocking<T>(args: CommandArg[], shape: Shape<T>): Promise<T> {
    return this.send(args, shape);
  }

  protected get replies(): Replies {
    return this.#context.replies;
  }

  protected key(key: Key): CommandArg {
    return this.#context.key(key);
  }

  protected unkey(key: string): string {
    return this.#context.unkey(key);
  }

  get namespace(): string {
    return this.#context.namespace;
  }

  /** Number of recorded commands. */
  get length(): number {
    return this.#entries.length;
  }

  /**
   * Sends every recorded command.
   *
   * @param options Deadline and abort signal for the whole batch.
   * @returns Every reply in order.
   */
  commit(options?: CallOptions): Promise<unknown[]> {
    if (this.#committed) {
      return Promise.reject(new TypeError("Cannot commit: the batch was already committed"));
    }
    this.#committed = true;
    try {
      return this.#entries.length ? this.#commit(this.#entries, options) : Promise.resolve([]);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

attachRedisCommands(Batch.prototype);

/**
 * Whether `value` is a pipeline or transaction.
 *
 * @param value Any value.
 * @returns `true` for a batch.
 */
export function isBatch(value: unknown): boolean {
  return value instanceof Batch;
}

function shapeOrError(shape: Shape<unknown>, value: RespValue): unknown {
  if (value instanceof ReplyError) return value;
  try {
    return shape(value);
  } catch (error) {
    return error;
  }
}

/**
 * Sends recorded commands in one batch; replies keep error replies as values.
 *
 * @param connection Where to send.
 * @param entries The commands.
 * @param options Deadline and signal.
 * @returns The shaped replies.
 */
export function sendPipeline(
  connection: Connection,
  entries: readonly Entry[],
  options?: CallOptions,
): Promise<unknown[]> {
  const raw = (value: RespValue) => value;
  const sent = connection.sendAll(entries.map(({ args }) => ({ args, shape: raw })), {
    ...options,
    errorsAsValues: true,
  });
  return Promise.all(
    sent.map((reply, index) =>
      reply.then((value) => shapeOrError(entries[index].shape, value as RespValue))
    ),
  );
}

/**
 * Sends MULTI, the recorded commands and EXEC in one batch.
 *
 * @param connection Where to send (the one that ran WATCH, if any).
 * @param entries The commands.
 * @param options Deadline and signal.
 * @returns The shaped EXEC replies.
 */
export async function sendTransaction(
  connection: Connection,
  entries: readonly Entry[],
  options?: CallOptions,
): Promise<unknown[]> {
  const raw = (value: RespValue) => value;
  // One unit: MULTI is never sent without its EXEC.
  const sent = connection.sendAll([
    { args: ["MULTI"], shape: raw },
    ...entries.map(({ args }) => ({ args, shape: raw })),
    { args: ["EXEC"], shape: raw },
  ], { ...options, errorsAsValues: true });
  const replies = await Promise.all(sent) as RespValue[];
  const exec = replies[replies.length - 1];
  if (replies[0] instanceof ReplyError) throw replies[0];
  if (exec instanceof ReplyError) {
    const queued = replies.slice(1, -1).find((reply) => reply instanceof ReplyError);
    throw new ReplyError(
      queued ? `${exec.message} (${(queued as ReplyError).message})` : exec.message,
      { cause: queued },
    );
  }
  if (exec === null) throw new WatchError("Cannot commit transaction: a watched key changed");
  if (!Array.isArray(exec)) {
    throw new ReplyError("ERR Cannot commit transaction: EXEC did not reply with an array");
  }
  return exec.map((value, index) => shapeOrError(entries[index].shape, value));
}

/**
 * Builds a pipeline or transaction.
 *
 * @param context Keys and reply shapes of the store.
 * @param commit Sends the recorded entries.
 * @returns The chainable batch.
 */
export function makeBatch<B extends Pipeline<[]> | Transaction<[]>>(
  context: BatchContext,
  commit: (entries: Entry[], options?: CallOptions) => Promise<unknown[]>,
): B {
  return new Batch(context, commit) as unknown as B;
}
