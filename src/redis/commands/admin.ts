/**
 * Server administration: SLOWLOG, MEMORY, LATENCY, ACL, CLIENT management,
 * COMMAND introspection, CONFIG RESETSTAT/REWRITE, SWAPDB, ROLE and WAIT.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { ReplyValue } from "../execute_reply.ts";
import { integerArg } from "./_args.ts";
import type { Key } from "./keys.ts";
import { commandFlags } from "../table/mod.ts";
import type { Replies } from "../replies.ts";

/** One SLOWLOG entry. */
export interface SlowlogEntry {
  /** Its unique, growing ID. */
  id: number;
  /** When it ran, in Unix seconds. */
  time: number;
  /** How long it ran, in microseconds. */
  duration: number;
  /** The command and its arguments (long ones shortened by the server). */
  args: string[];
  /** The client's address (`ip:port`). */
  client: string;
  /** The client's name. */
  clientName: string;
}

/** One LATENCY LATEST entry. */
export interface LatencyEvent {
  /** The event (`command`, `fast-command`, `expire-cycle`...). */
  event: string;
  /** When the latest spike happened, in Unix seconds. */
  time: number;
  /** Its latency in milliseconds. */
  latest: number;
  /** The largest recorded, in milliseconds. */
  max: number;
}

/** Options of {@linkcode AdminCommands.clientKill}: which clients to close. */
export interface ClientKillFilter {
  /** A client ID. */
  id?: number;
  /** A client address, `ip:port`. */
  addr?: string;
  /** Clients connected to this local address. */
  laddr?: string;
  /** Clients of an ACL user. */
  user?: string;
  /** Clients of a type. */
  type?: "normal" | "master" | "replica" | "pubsub";
  /** Whether to close the calling connection too. @default {true} (Redis's default) */
  skipme?: boolean;
}

/**
 * Server administration: SLOWLOG, MEMORY, LATENCY, ACL, CLIENT
 * KILL/PAUSE/UNPAUSE/NO-EVICT/UNBLOCK/TRACKINGINFO, COMMAND INFO/DOCS/LIST/
 * GETKEYS, CONFIG RESETSTAT/REWRITE, SWAPDB, ROLE and WAIT. Replies whose
 * shape is documented are typed; the rest are decoded like `execute()`.
 *
 * @example Inspect memory and the slow log
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("k", "v");
 * console.log((await store.memoryUsage("k")) !== null); // true
 * ```
 */
export abstract class AdminCommands extends CommandCore {
  /**
   * The slowest recent commands (SLOWLOG GET).
   *
   * @param count At most this many entries (-1: all). @default {10} (Redis's default)
   * @returns The entries, newest first.
   */
  slowlogGet(count?: number): Promise<SlowlogEntry[]> {
    const args: CommandArg[] = ["SLOWLOG", "GET"];
    if (count !== undefined) args.push(integerArg("count", count, -1));
    return this.send(args, (value) =>
      this.replies.array(value).map((item) => {
        const [id, time, duration, command, client, name] = this.replies.array(item);
        return {
          id: this.replies.integer(id),
          time: this.replies.integer(time),
          duration: this.replies.integer(duration),
          args: this.replies.strings(command),
          client: client === undefined ? "" : this.replies.text(client),
          clientName: name === undefined ? "" : this.replies.text(name),
        };
      }));
  }

  /**
   * The number of entries in the slow log.
   *
   * @returns The count.
   */
  slowlogLen(): Promise<number> {
    return this.send(["SLOWLOG", "LEN"], this.replies.integer);
  }

  /**
   * Empties the slow log.
   *
   * @returns `"OK"`.
   */
  slowlogReset(): Promise<"OK"> {
    return this.send(["SLOWLOG", "RESET"], this.replies.ok);
  }

  /**
   * Bytes a key and its value take in memory (MEMORY USAGE).
   *
   * @param key The key.
   * @param samples Nested values sampled (0: all). @default {5} (Redis's default)
   * @returns The bytes, or `null` when the key does not exist.
   */
  memoryUsage(key: Key, samples?: number): Promise<number | null> {
    const args: CommandArg[] = ["MEMORY", "USAGE", this.key(key)];
    if (samples !== undefined) args.push("SAMPLES", integerArg("samples", samples, 0));
    return this.send(args, this.replies.integerOrNull);
  }

  /**
   * The server's memory figures (MEMORY STATS), by name.
   *
   * @returns The figures, decoded like `execute()`.
   */
  memoryStats(): Promise<ReplyValue> {
    const args: CommandArg[] = ["MEMORY", "STATS"];
    return this.send(args, decoded(this.replies, args));
  }

  /**
   * The server's advice on its memory use (MEMORY DOCTOR).
   *
   * @returns The report.
   */
  memoryDoctor(): Promise<string> {
    return this.send(["MEMORY", "DOCTOR"], this.replies.text);
  }

  /**
   * The allocator's statistics (MEMORY MALLOC-STATS).
   *
   * @returns The report.
   */
  memoryMallocStats(): Promise<string> {
    return this.send(["MEMORY", "MALLOC-STATS"], this.replies.text);
  }

  /**
   * Asks the allocator to release memory (MEMORY PURGE).
   *
   * @returns `"OK"`.
   */
  memoryPurge(): Promise<"OK"> {
    return this.send(["MEMORY", "PURGE"], this.replies.ok);
  }

  /**
   * The latest latency spikes per event (LATENCY LATEST; needs
   * `latency-monitor-threshold` > 0).
   *
   * @returns One entry per event.
   */
  latencyLatest(): Promise<LatencyEvent[]> {
    return this.send(["LATENCY", "LATEST"], (value) =>
      this.replies.array(value).map((item) => {
        const [event, time, latest, max] = this.replies.array(item);
        return {
          event: this.replies.text(event),
          time: this.replies.integer(time),
          latest: this.replies.integer(latest),
          max: this.replies.integer(max),
        };
      }));
  }

  /**
   * The spikes of one event (LATENCY HISTORY).
   *
   * @param event The event.
   * @returns `[time in Unix seconds, latency in ms]` pairs.
   */
  latencyHistory(event: string): Promise<[number, number][]> {
    return this.send(
      ["LATENCY", "HISTORY", event],
      (value) =>
        this.replies.array(value).map((item) => {
          const [time, latency] = this.replies.array(item);
          return [this.replies.integer(time), this.replies.integer(latency)];
        }),
    );
  }

  /**
   * Forgets latency spikes.
   *
   * @param events Only these events. @default {[]} (all)
   * @returns How many event series were reset.
   */
  latencyReset(...events: string[]): Promise<number> {
    return this.send(["LATENCY", "RESET", ...events], this.replies.integer);
  }

  /**
   * The server's analysis of its latency (LATENCY DOCTOR).
   *
   * @returns The report.
   */
  latencyDoctor(): Promise<string> {
    return this.send(["LATENCY", "DOCTOR"], this.replies.text);
  }

  /**
   * Waits until the writes of this connection reached `replicas` replicas,
   * or `timeout` ms passed (WAIT, on a connection of its own).
   *
   * @param replicas How many replicas to wait for.
   * @param timeout Milliseconds to wait at most (0: forever).
   * @returns How many replicas acknowledged.
   */
  wait(replicas: number, timeout: number): Promise<number> {
    return this.sendBlocking(
      ["WAIT", integerArg("replicas", replicas, 0), integerArg("timeout", timeout, 0)],
      this.replies.integer,
    );
  }

  /**
   * Resets the statistics INFO reports (CONFIG RESETSTAT).
   *
   * @returns `"OK"`.
   */
  configResetstat(): Promise<"OK"> {
    return this.send(["CONFIG", "RESETSTAT"], this.replies.ok);
  }

  /**
   * Writes the running configuration to the server's config file (CONFIG REWRITE).
   *
   * @returns `"OK"`.
   */
  configRewrite(): Promise<"OK"> {
    return this.send(["CONFIG", "REWRITE"], this.replies.ok);
  }

  /**
   * Swaps two databases (every client of one sees the other's keys).
   *
   * @param index1 A database.
   * @param index2 The other.
   * @returns `"OK"`.
   */
  swapdb(index1: number, index2: number): Promise<"OK"> {
    return this.send(
      ["SWAPDB", integerArg("index1", index1, 0), integerArg("index2", index2, 0)],
      this.replies.ok,
    );
  }

  /**
   * The server's replication role (ROLE).
   *
   * @returns `"master"`, `"slave"` or `"sentinel"` first, then the role's details.
   */
  role(): Promise<ReplyValue> {
    const args: CommandArg[] = ["ROLE"];
    return this.send(args, decoded(this.replies, args));
  }

  /**
   * Closes client connections matching a filter (CLIENT KILL).
   *
   * @param filter `id`, `addr`, `laddr`, `user`, `type`, `skipme`.
   * @returns How many were closed.
   */
  clientKill(filter: ClientKillFilter): Promise<number> {
    const args: CommandArg[] = ["CLIENT", "KILL"];
    if (filter.id !== undefined) args.push("ID", integerArg("id", filter.id, 0));
    if (filter.addr !== undefined) args.push("ADDR", filter.addr);
    if (filter.laddr !== undefined) args.push("LADDR", filter.laddr);
    if (filter.user !== undefined) args.push("USER", filter.user);
    if (filter.type !== undefined) args.push("TYPE", filter.type);
    if (filter.skipme !== undefined) args.push("SKIPME", filter.skipme ? "yes" : "no");
    if (args.length === 2) throw new TypeError("Cannot kill clients: the filter is empty");
    return this.send(args, this.replies.integer);
  }

  /**
   * Pauses clients for `timeout` ms (CLIENT PAUSE).
   *
   * @param timeout Milliseconds.
   * @param mode `"ALL"` commands, or only `"WRITE"` ones. @default {"ALL"}
   * @returns `"OK"`.
   */
  clientPause(timeout: number, mode?: "ALL" | "WRITE"): Promise<"OK"> {
    const args: CommandArg[] = ["CLIENT", "PAUSE", integerArg("timeout", timeout, 0)];
    if (mode) args.push(mode);
    return this.send(args, this.replies.ok);
  }

  /**
   * Ends a CLIENT PAUSE.
   *
   * @returns `"OK"`.
   */
  clientUnpause(): Promise<"OK"> {
    return this.send(["CLIENT", "UNPAUSE"], this.replies.ok);
  }

  /**
   * Exempts this connection from eviction of client memory (CLIENT NO-EVICT).
   *
   * @param on Whether to exempt it.
   * @returns `"OK"`.
   */
  clientNoEvict(on: boolean): Promise<"OK"> {
    return this.send(["CLIENT", "NO-EVICT", on ? "ON" : "OFF"], this.replies.ok);
  }

  /**
   * Unblocks a client blocked in BLPOP, XREAD... (CLIENT UNBLOCK).
   *
   * @param id The client's ID.
   * @param mode `"TIMEOUT"` (reply as on timeout, the default) or `"ERROR"`.
   * @returns Whether a blocked client was unblocked.
   */
  clientUnblock(id: number, mode?: "TIMEOUT" | "ERROR"): Promise<boolean> {
    const args: CommandArg[] = ["CLIENT", "UNBLOCK", integerArg("id", id, 0)];
    if (mode) args.push(mode);
    return this.send(args, this.replies.boolean);
  }

  /**
   * This connection's client-side caching state (CLIENT TRACKINGINFO).
   *
   * @returns The state, decoded like `execute()`.
   */
  clientTrackinginfo(): Promise<ReplyValue> {
    const args: CommandArg[] = ["CLIENT", "TRACKINGINFO"];
    return this.send(args, decoded(this.replies, args));
  }

  /**
   * Details of commands (COMMAND INFO), decoded like `execute()`.
   *
   * @param names Command names.
   * @returns One entry per name (`null` for unknown ones).
   */
  commandInfo(...names: string[]): Promise<ReplyValue> {
    const args: CommandArg[] = ["COMMAND", "INFO", ...names];
    return this.send(args, decoded(this.replies, args));
  }

  /**
   * Documentation of commands (COMMAND DOCS), by name.
   *
   * @param names Command names. @default {[]} (all)
   * @returns Each command's docs by name (summary, since, group, complexity,
   *   arguments...), decoded like `execute()`.
   */
  commandDocs(...names: string[]): Promise<Record<string, Record<string, ReplyValue>>> {
    const args: CommandArg[] = ["COMMAND", "DOCS", ...names];
    const decode = decoded(this.replies, args);
    return this.send(args, (value) => {
      const docs = decode(value) as Record<string, ReplyValue>;
      const out: Record<string, Record<string, ReplyValue>> = {};
      // RESP2 sends each command's docs as flat pairs too.
      for (const [name, doc] of Object.entries(docs)) {
        out[name] = Array.isArray(doc) ? pairsToObject(doc) : doc as Record<string, ReplyValue>;
      }
      return out;
    });
  }

  /**
   * The names of the server's commands (COMMAND LIST).
   *
   * @param filter Only a module's, an ACL category's, or names matching a pattern.
   * @returns The names.
   */
  commandList(
    filter?: { module: string } | { aclcat: string } | { pattern: string },
  ): Promise<string[]> {
    const args: CommandArg[] = ["COMMAND", "LIST"];
    if (filter && "module" in filter) args.push("FILTERBY", "MODULE", filter.module);
    else if (filter && "aclcat" in filter) args.push("FILTERBY", "ACLCAT", filter.aclcat);
    else if (filter && "pattern" in filter) args.push("FILTERBY", "PATTERN", filter.pattern);
    return this.send(args, this.replies.strings);
  }

  /**
   * The keys of a command line, as the server finds them (COMMAND GETKEYS;
   * sent as given, without the namespace).
   *
   * @param command The command name.
   * @param args Its arguments.
   * @returns The keys.
   */
  commandGetkeys(command: string, ...args: CommandArg[]): Promise<string[]> {
    return this.send(["COMMAND", "GETKEYS", command, ...args], this.replies.strings);
  }

  /**
   * The ACL user of this connection.
   *
   * @returns The user name.
   */
  aclWhoami(): Promise<string> {
    return this.send(["ACL", "WHOAMI"], this.replies.text);
  }

  /**
   * Every ACL user name.
   *
   * @returns The names.
   */
  aclUsers(): Promise<string[]> {
    return this.send(["ACL", "USERS"], this.replies.strings);
  }

  /**
   * Every ACL user's rules, as ACL SETUSER would write them.
   *
   * @returns One line per user.
   */
  aclList(): Promise<string[]> {
    return this.send(["ACL", "LIST"], this.replies.strings);
  }

  /**
   * ACL categories, or the commands of one.
   *
   * @param category A category (`"read"`, `"dangerous"`...).
   * @returns The names.
   */
  aclCat(category?: string): Promise<string[]> {
    const args: CommandArg[] = ["ACL", "CAT"];
    if (category !== undefined) args.push(category);
    return this.send(args, this.replies.strings);
  }

  /**
   * A random password from the server's CSPRNG.
   *
   * @param bits Bits of randomness. @default {256}
   * @returns The password, in hex.
   */
  aclGenpass(bits?: number): Promise<string> {
    const args: CommandArg[] = ["ACL", "GENPASS"];
    if (bits !== undefined) args.push(integerArg("bits", bits, 1));
    return this.send(args, this.replies.text);
  }

  /**
   * Creates or changes an ACL user.
   *
   * @param name The user name.
   * @param rules ACL rules (`"on"`, `">password"`, `"~key:*"`, `"+@read"`...).
   * @returns `"OK"`.
   */
  aclSetuser(name: string, ...rules: string[]): Promise<"OK"> {
    return this.send(["ACL", "SETUSER", name, ...rules], this.replies.ok);
  }

  /**
   * Deletes ACL users.
   *
   * @param names The user names.
   * @returns How many were deleted.
   */
  aclDeluser(...names: string[]): Promise<number> {
    return this.send(["ACL", "DELUSER", ...names], this.replies.integer);
  }

  /**
   * An ACL user's rules (ACL GETUSER), decoded like `execute()`.
   *
   * @param name The user name.
   * @returns Its flags, passwords, commands, keys and channels, or `null` when unknown.
   */
  aclGetuser(name: string): Promise<ReplyValue> {
    const args: CommandArg[] = ["ACL", "GETUSER", name];
    return this.send(args, decoded(this.replies, args));
  }

  /**
   * Recent ACL denials (ACL LOG), decoded like `execute()`.
   *
   * @param count At most this many entries. @default {10}
   * @returns The entries, newest first.
   */
  aclLog(count?: number): Promise<ReplyValue> {
    const args: CommandArg[] = ["ACL", "LOG"];
    if (count !== undefined) args.push(integerArg("count", count, 0));
    return this.send(args, (value: RespValue) => {
      const decoded = this.replies.value(value);
      return Array.isArray(decoded)
        ? decoded.map((entry) => Array.isArray(entry) ? pairsToObject(entry) : entry)
        : decoded;
    });
  }

  /**
   * Whether a user could run a command, without running it (ACL DRYRUN).
   *
   * @param user The user name.
   * @param command The command and its arguments.
   * @returns `"OK"`, or the reason it would be denied.
   */
  aclDryrun(user: string, ...command: CommandArg[]): Promise<string> {
    return this.send(["ACL", "DRYRUN", user, ...command], this.replies.text);
  }
}

/** `execute()`'s decoding of a command line's reply, with its RESP2 reading. */
function decoded(replies: Replies, args: readonly CommandArg[]): (value: RespValue) => ReplyValue {
  return replies.valueFor(commandFlags(args), args);
}

function pairsToObject(flat: ReplyValue[]): { [key: string]: ReplyValue } {
  const out: { [key: string]: ReplyValue } = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
