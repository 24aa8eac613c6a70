/**
 * Pipelines and MULTI/EXEC transactions: record typed command calls, then
 * send them in one write. An error reply is that entry's value; it never
 * rejects the batch.
 *
 * @module
 */

import { ReplyError, WatchError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";
import type { RemoteStore } from "../remote_store.ts";
import type { CallOptions, Connection, Shape } from "./connection.ts";
import type { RedisCommands } from "./commands/mod.ts";

/** Names of the command methods a pipeline can record (those that send one command). */
export type CommandName =
  | {
    [K in keyof RedisCommands]: K extends keyof RemoteStore ? never
      : RedisCommands[K] extends (...args: never[]) => Promise<unknown> ? K
      : never;
  }[keyof RedisCommands]
  | "execute";

/** Every command method, recording the call and returning `R` for chaining. */
export type ChainedCommands<R> = {
  [K in CommandName]: (...args: Parameters<RedisCommands[K]>) => R;
};

/**
 * A batch of commands sent in one write by {@linkcode Pipeline.commit}.
 *
 * @example Send three commands in one write
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * const replies = await store.pipeline().set("a", 1).incr("a").get("a").commit();
 * console.log(replies); // ["OK", 2, "2"]
 * ```
 */
export interface Pipeline extends ChainedCommands<Pipeline> {
  /** Number of recorded commands. */
  readonly length: number;
  /**
   * Sends every recorded command in one write.
   *
   * @param options Deadline and abort signal for the whole batch.
   * @returns Every reply in order; an error reply is a `ReplyError` value.
   */
  commit(options?: CallOptions): Promise<unknown[]>;
}

/**
 * Commands sent atomically with MULTI/EXEC by {@linkcode Transaction.commit}.
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
export interface Transaction extends ChainedCommands<Transaction> {
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
  commit(options?: CallOptions): Promise<unknown[]>;
}

/** A recorded command. */
export interface Entry {
  args: CommandArg[];
  shape: Shape<unknown>;
}

/** Makes a view of the store whose command methods record into `entries`. */
export type Recorder = (
  record: (args: CommandArg[], shape: Shape<unknown>) => unknown,
) => object;

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
 * Builds a pipeline or transaction on a recorder view.
 *
 * @param recorder Makes the view whose methods record.
 * @param commit Sends the recorded entries.
 * @returns The chainable batch.
 */
export function makeBatch<B extends Pipeline | Transaction>(
  recorder: Recorder,
  commit: (entries: Entry[], options?: CallOptions) => Promise<unknown[]>,
): B {
  const entries: Entry[] = [];
  let committed = false;
  const batch = recorder((args, shape) => {
    if (committed) {
      throw new TypeError("Cannot add a command: the batch was already committed");
    }
    entries.push({ args, shape });
    return batch;
  }) as B;
  Object.defineProperties(batch, {
    length: { get: () => entries.length },
    commit: {
      value: (options?: CallOptions) => {
        if (committed) {
          return Promise.reject(new TypeError("Cannot commit: the batch was already committed"));
        }
        committed = true;
        try {
          return entries.length ? commit(entries, options) : Promise.resolve([]);
        } catch (error) {
          return Promise.reject(error);
        }
      },
    },
  });
  return batch;
}
