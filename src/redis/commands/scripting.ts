/**
 * Scripting commands: functions (FUNCTION, FCALL), the script cache (SCRIPT)
 * and the read-only EVAL variants. `store.script()` wraps EVALSHA/EVAL.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { ReplyValue } from "../execute_reply.ts";
import type { Replies } from "../replies.ts";
import { commandFlags } from "../table/mod.ts";
import type { Key, Value } from "./keys.ts";

/** A function of a library (FUNCTION LIST). */
export interface LibraryFunction {
  /** The function's name. */
  name: string;
  /** Its description, or `null`. */
  description: string | null;
  /** Its flags (`no-writes`, `allow-oom`...). */
  flags: string[];
}

/** A function library (FUNCTION LIST). */
export interface FunctionLibrary {
  /** The library's name. */
  name: string;
  /** Its engine (`LUA`). */
  engine: string;
  /** Its functions. */
  functions: LibraryFunction[];
  /** Its source, with `withCode`. */
  code?: string;
}

/** Options of {@linkcode ScriptingCommands.functionList}. */
export interface FunctionListOptions {
  /** Only libraries whose name matches this glob pattern. @default {undefined} */
  libraryName?: string;
  /** Include each library's source. @default {false} */
  withCode?: boolean;
}

/** A map (RESP3) or flat pairs (RESP2) as an object of raw values. */
function fieldsOf(replies: Replies, value: RespValue): Record<string, RespValue> {
  const out: Record<string, RespValue> = {};
  if (value instanceof Map) {
    for (const [key, item] of value) out[replies.text(key)] = item;
    return out;
  }
  const flat = replies.array(value);
  for (let i = 0; i + 1 < flat.length; i += 2) out[replies.text(flat[i])] = flat[i + 1];
  return out;
}

function library(replies: Replies, value: RespValue): FunctionLibrary {
  const fields = fieldsOf(replies, value);
  const out: FunctionLibrary = {
    name: replies.text(fields.library_name),
    engine: replies.text(fields.engine),
    functions: replies.array(fields.functions).map((item) => {
      const fn = fieldsOf(replies, item);
      return {
        name: replies.text(fn.name),
        description: replies.textOrNull(fn.description ?? null),
        flags: replies.strings(fn.flags),
      };
    }),
  };
  if (fields.library_code !== undefined) out.code = replies.text(fields.library_code);
  return out;
}

function callArgs(
  command: string,
  name: string,
  keys: readonly CommandArg[],
  args: readonly Value[],
): CommandArg[] {
  return [command, name, keys.length, ...keys, ...args];
}

/**
 * Scripting commands: FCALL/FCALL_RO, FUNCTION LOAD/LIST/DELETE/FLUSH/
 * DUMP/RESTORE/KILL, SCRIPT EXISTS/FLUSH/KILL, EVAL_RO/EVALSHA_RO. Script
 * and function replies are decoded like `execute()`. The embedded server
 * has no Lua: these need Redis.
 *
 * @example A function library
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * await store.functionLoad(
 *   "#!lua name=demo\nredis.register_function('echo', function(keys, args) return args[1] end)",
 *   { replace: true },
 * );
 * console.log(await store.fcall("echo", [], ["hi"])); // "hi"
 * ```
 */
export abstract class ScriptingCommands extends CommandCore {
  /**
   * Calls a function.
   *
   * @param name The function's name.
   * @param keys The keys it touches (namespaced).
   * @param args Its other arguments.
   * @returns Its reply, decoded like `execute()`.
   */
  fcall(name: string, keys: readonly Key[] = [], args: readonly Value[] = []): Promise<ReplyValue> {
    const line = callArgs("FCALL", name, this.keyArgs(keys), args);
    return this.send(line, this.replies.valueFor(commandFlags(line), line));
  }

  /**
   * Calls a read-only function (flagged `no-writes`; may run on replicas).
   *
   * @param name The function's name.
   * @param keys The keys it reads (namespaced).
   * @param args Its other arguments.
   * @returns Its reply, decoded like `execute()`.
   */
  fcallRo(
    name: string,
    keys: readonly Key[] = [],
    args: readonly Value[] = [],
  ): Promise<ReplyValue> {
    const line = callArgs("FCALL_RO", name, this.keyArgs(keys), args);
    return this.send(line, this.replies.value);
  }

  /**
   * Runs a read-only script (EVAL_RO).
   *
   * @param source The Lua source.
   * @param keys The keys it reads (namespaced).
   * @param args Its other arguments.
   * @returns Its reply, decoded like `execute()`.
   */
  evalRo(
    source: string,
    keys: readonly Key[] = [],
    args: readonly Value[] = [],
  ): Promise<ReplyValue> {
    return this.send(callArgs("EVAL_RO", source, this.keyArgs(keys), args), this.replies.value);
  }

  /**
   * Runs a cached read-only script by SHA-1 (EVALSHA_RO).
   *
   * @param sha The script's SHA-1.
   * @param keys The keys it reads (namespaced).
   * @param args Its other arguments.
   * @returns Its reply, decoded like `execute()`.
   * @throws {NoScriptError} When the script is not cached.
   */
  evalshaRo(
    sha: string,
    keys: readonly Key[] = [],
    args: readonly Value[] = [],
  ): Promise<ReplyValue> {
    return this.send(callArgs("EVALSHA_RO", sha, this.keyArgs(keys), args), this.replies.value);
  }

  /**
   * Loads a function library.
   *
   * @param code The library's source, starting `#!lua name=<library>`.
   * @param options `replace` an existing library of the same name.
   * @returns The library's name.
   */
  functionLoad(code: string, options?: { replace?: boolean }): Promise<string> {
    const args: CommandArg[] = ["FUNCTION", "LOAD"];
    if (options?.replace) args.push("REPLACE");
    args.push(code);
    return this.send(args, this.replies.text);
  }

  /**
   * Lists function libraries.
   *
   * @param options `libraryName` pattern, `withCode`.
   * @returns The libraries.
   */
  functionList(options?: FunctionListOptions): Promise<FunctionLibrary[]> {
    const args: CommandArg[] = ["FUNCTION", "LIST"];
    if (options?.libraryName !== undefined) args.push("LIBRARYNAME", options.libraryName);
    if (options?.withCode) args.push("WITHCODE");
    return this.send(
      args,
      (value) => this.replies.array(value).map((item) => library(this.replies, item)),
    );
  }

  /**
   * Deletes a function library.
   *
   * @param name The library's name.
   * @returns `"OK"`.
   */
  functionDelete(name: string): Promise<"OK"> {
    return this.send(["FUNCTION", "DELETE", name], this.replies.ok);
  }

  /**
   * Deletes every function library.
   *
   * @param options `async` frees memory in the background.
   * @returns `"OK"`.
   */
  functionFlush(options?: { async?: boolean }): Promise<"OK"> {
    const args: CommandArg[] = ["FUNCTION", "FLUSH"];
    if (options?.async !== undefined) args.push(options.async ? "ASYNC" : "SYNC");
    return this.send(args, this.replies.ok);
  }

  /**
   * Serializes every function library (for {@linkcode ScriptingCommands.functionRestore}).
   *
   * @returns The payload.
   */
  functionDump(): Promise<Uint8Array> {
    return this.send(["FUNCTION", "DUMP"], (value) => this.replies.bytesOrNull(value)!);
  }

  /**
   * Restores libraries from a {@linkcode ScriptingCommands.functionDump} payload.
   *
   * @param payload The payload.
   * @param policy `"APPEND"` (fail on a name clash, the default), `"REPLACE"` or `"FLUSH"` first.
   * @returns `"OK"`.
   */
  functionRestore(payload: Uint8Array, policy?: "APPEND" | "REPLACE" | "FLUSH"): Promise<"OK"> {
    const args: CommandArg[] = ["FUNCTION", "RESTORE", payload];
    if (policy) args.push(policy);
    return this.send(args, this.replies.ok);
  }

  /**
   * Kills the running read-only function.
   *
   * @returns `"OK"`.
   */
  functionKill(): Promise<"OK"> {
    return this.send(["FUNCTION", "KILL"], this.replies.ok);
  }

  /**
   * Whether scripts are in the script cache.
   *
   * @param shas SHA-1 digests.
   * @returns One flag per digest.
   */
  scriptExists(...shas: string[]): Promise<boolean[]> {
    return this.send(["SCRIPT", "EXISTS", ...shas], this.replies.booleans);
  }

  /**
   * Empties the script cache.
   *
   * @param options `async` frees memory in the background.
   * @returns `"OK"`.
   */
  scriptFlush(options?: { async?: boolean }): Promise<"OK"> {
    const args: CommandArg[] = ["SCRIPT", "FLUSH"];
    if (options?.async !== undefined) args.push(options.async ? "ASYNC" : "SYNC");
    return this.send(args, this.replies.ok);
  }

  /**
   * Kills the running script (if it has not written).
   *
   * @returns `"OK"`.
   */
  scriptKill(): Promise<"OK"> {
    return this.send(["SCRIPT", "KILL"], this.replies.ok);
  }
}
