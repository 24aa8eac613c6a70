/**
 * Connection and server commands.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Key, Value } from "./keys.ts";

/**
 * Parsed INFO: section name (lower case, e.g. `"server"`, `"keyspace"`) →
 * field → value. Values stay text: INFO mixes numbers, versions and lists
 * (`"keys=1,expires=0,avg_ttl=0"`).
 */
export type InfoSections = Record<string, Record<string, string>>;

/** Options of {@linkcode ServerCommands.flushdb} and {@linkcode ServerCommands.flushall}. */
export interface FlushOptions {
  /** Free the memory in the background. @default {false} (the server's default) */
  async?: boolean;
}

function parseInfo(text: string): InfoSections {
  const sections: InfoSections = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") continue;
    if (line.startsWith("#")) {
      current = sections[line.slice(1).trim().toLowerCase()] = {};
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    current ??= sections[""] = {};
    current[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return sections;
}

/** Parses one CLIENT LIST / CLIENT INFO line: `id=3 addr=127.0.0.1:5 name= ...`. */
function parseClient(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of line.trim().split(" ")) {
    const equals = field.indexOf("=");
    if (equals > 0) out[field.slice(0, equals)] = field.slice(equals + 1);
  }
  return out;
}

function flushArgs(command: string, options: FlushOptions | undefined): CommandArg[] {
  const args: CommandArg[] = [command];
  if (options?.async !== undefined) args.push(options.async ? "ASYNC" : "SYNC");
  return args;
}

/**
 * Connection and server commands: ECHO, DBSIZE, FLUSHDB, INFO, TIME, CONFIG,
 * CLIENT, PUBLISH...
 *
 * There is no `select()`: the database is part of the store's URL
 * (`redis://host/2`) and is selected by the handshake of every connection
 * the store opens, including reconnections and the extra connections of
 * blocking commands. A SELECT sent on the shared, auto-pipelined connection
 * would silently move every later command of every caller, and would be
 * undone by the next reconnection. For another database, create another
 * store; `execute("SELECT", n)` remains possible but is not supported.
 *
 * Server-wide commands ignore the store's namespace: `dbsize()` and
 * `flushdb()` count and remove every key of the database.
 *
 * @example Inspect the server
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("a", 1);
 * console.log(await store.dbsize()); // 1
 * const info = await store.info("server");
 * console.log(typeof info.server.redis_version); // "string"
 * console.log(await store.echo("hi")); // "hi"
 * ```
 */
export abstract class ServerCommands extends CommandCore {
  /**
   * Returns its argument.
   *
   * @param message The message.
   * @returns The same message.
   */
  echo(message: Value): Promise<string> {
    return this.send(["ECHO", message], this.replies.text);
  }

  /**
   * The number of keys in the database (every namespace).
   *
   * @returns The count.
   */
  dbsize(): Promise<number> {
    return this.send(["DBSIZE"], this.replies.integer);
  }

  /**
   * Removes every key of the database (every namespace): the raw FLUSHDB,
   * even on a namespaced store. To remove only a store's namespace, use
   * `store.flush()`.
   *
   * @param options `async` frees memory in the background.
   * @returns `"OK"`.
   */
  flushdb(options?: FlushOptions): Promise<"OK"> {
    return this.send(flushArgs("FLUSHDB", options), this.replies.ok);
  }

  /**
   * Removes every key of every database of the server.
   *
   * @param options `async` frees memory in the background.
   * @returns `"OK"`.
   */
  flushall(options?: FlushOptions): Promise<"OK"> {
    return this.send(flushArgs("FLUSHALL", options), this.replies.ok);
  }

  /**
   * Server information, parsed.
   *
   * @param sections Sections to include (e.g. `"server"`, `"memory"`,
   * `"keyspace"`, `"all"`); none for the default set.
   * @returns Section name (lower case) → field → value.
   *
   * @example Read the server version
   * ```ts
   * import { startStore } from "@pulsar/datastore";
   *
   * await using store = await startStore("pulsar://");
   * const { server } = await store.info("server");
   * console.log(server.redis_version); // e.g. "7.0.0"
   * ```
   */
  info(...sections: string[]): Promise<InfoSections> {
    return this.send(["INFO", ...sections], (value) => parseInfo(this.replies.text(value)));
  }

  /**
   * Server information as the server's text.
   *
   * @param sections Sections to include; none for the default set.
   * @returns The text (`# Section` headers, `field:value` lines).
   */
  infoText(...sections: string[]): Promise<string> {
    return this.send(["INFO", ...sections], this.replies.text);
  }

  /**
   * The server's clock.
   *
   * @returns `[seconds, microseconds]` since the Unix epoch.
   */
  time(): Promise<[seconds: number, microseconds: number]> {
    return this.send(["TIME"], (value) => {
      const [seconds, microseconds] = this.replies.integers(value);
      return [seconds, microseconds];
    });
  }

  /**
   * When the last successful save to disk happened.
   *
   * @returns A Unix time in seconds.
   */
  lastsave(): Promise<number> {
    return this.send(["LASTSAVE"], this.replies.integer);
  }

  /**
   * Saves the dataset to disk, blocking the server until done.
   *
   * @returns `"OK"`.
   */
  save(): Promise<"OK"> {
    return this.send(["SAVE"], this.replies.ok);
  }

  /**
   * Saves the dataset to disk in the background.
   *
   * @param options `schedule` waits for a running AOF rewrite instead of failing.
   * @returns The server's status text, e.g. `"Background saving started"`.
   */
  bgsave(options?: { schedule?: boolean }): Promise<string> {
    const args: CommandArg[] = ["BGSAVE"];
    if (options?.schedule) args.push("SCHEDULE");
    return this.send(args, this.replies.text);
  }

  /**
   * Reads configuration parameters.
   *
   * @param patterns Parameter names or glob patterns (several need Redis 7).
   * @returns Parameter → value.
   */
  configGet(...patterns: string[]): Promise<Record<string, string>> {
    return this.send(["CONFIG", "GET", ...patterns], this.replies.record);
  }

  /**
   * Sets one configuration parameter.
   *
   * @param parameter The parameter, e.g. `"maxmemory-policy"`.
   * @param value Its value.
   * @returns `"OK"`.
   */
  configSet(parameter: string, value: Value): Promise<"OK">;
  /**
   * Sets configuration parameters (several need Redis 7).
   *
   * @param parameters Parameter → value.
   * @returns `"OK"`.
   */
  configSet(parameters: Record<string, Value>): Promise<"OK">;
  /**
   * Sets configuration parameters (either form).
   *
   * @param parameter A parameter (then `value`), or parameter → value.
   * @param value The value of a single parameter.
   * @returns `"OK"`.
   */
  configSet(parameter: string | Record<string, Value>, value?: Value): Promise<"OK">;
  configSet(parameter: string | Record<string, Value>, value?: Value): Promise<"OK"> {
    const args: CommandArg[] = ["CONFIG", "SET"];
    if (typeof parameter === "string") {
      if (value === undefined) throw new TypeError("Cannot run CONFIG SET: value is undefined");
      args.push(parameter, value);
    } else {
      for (const [name, item] of Object.entries(parameter)) args.push(name, item);
    }
    return this.send(args, this.replies.ok);
  }

  /**
   * Names the store's shared connection (CLIENT SETNAME). The name is lost
   * on reconnection: prefer the `clientName` option, which every connection
   * sends in its handshake.
   *
   * @param name The name (no spaces).
   * @returns `"OK"`.
   */
  clientSetname(name: string): Promise<"OK"> {
    return this.send(["CLIENT", "SETNAME", name], this.replies.ok);
  }

  /**
   * The name of the store's shared connection.
   *
   * @returns The name, or `null` when unnamed.
   */
  clientGetname(): Promise<string | null> {
    return this.send(["CLIENT", "GETNAME"], (value) => {
      const name = this.replies.textOrNull(value);
      return name === "" ? null : name;
    });
  }

  /**
   * The id of the store's shared connection.
   *
   * @returns The id.
   */
  clientId(): Promise<number> {
    return this.send(["CLIENT", "ID"], this.replies.integer);
  }

  /**
   * The server's client connections, parsed.
   *
   * @returns One object per connection (`id`, `addr`, `name`, `db`, `cmd`...).
   */
  clientList(): Promise<Record<string, string>[]> {
    return this.send(
      ["CLIENT", "LIST"],
      (value) =>
        this.replies.text(value).split("\n").filter((line) => line.trim() !== "").map(
          parseClient,
        ),
    );
  }

  /**
   * The shared connection as the server sees it, parsed (Redis 6.2).
   *
   * @returns Its fields (`id`, `addr`, `name`, `db`, `resp`...).
   */
  clientInfo(): Promise<Record<string, string>> {
    return this.send(["CLIENT", "INFO"], (value) => parseClient(this.replies.text(value)));
  }

  /**
   * Publishes a message. The channel gets the store's namespace, like the
   * channels of {@linkcode RedisStore.pubsub}.
   *
   * @param channel The channel.
   * @param message The message (sent as is: no message protocol is applied).
   * @returns How many subscribers received it (on this node).
   */
  publish(channel: Key, message: Value): Promise<number> {
    return this.send(["PUBLISH", this.key(channel), message], this.replies.integer);
  }

  /**
   * Publishes a message on a shard channel (SPUBLISH, Redis 7; the
   * store's namespace is applied to the channel).
   *
   * @param channel The shard channel.
   * @param message The message.
   * @returns How many subscribers received it.
   */
  spublish(channel: Key, message: Value): Promise<number> {
    return this.send(["SPUBLISH", this.key(channel), message], this.replies.integer);
  }

  /**
   * The number of commands the server knows.
   *
   * @returns The count.
   */
  commandCount(): Promise<number> {
    return this.send(["COMMAND", "COUNT"], this.replies.integer);
  }
}
