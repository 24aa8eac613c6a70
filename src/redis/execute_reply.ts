/**
 * How `execute()` decodes a reply: like the typed methods, and to the same
 * shape under RESP2 and RESP3. Text comes back as `string` in the store's
 * encoding (bulk, simple and verbatim strings alike), maps as plain objects,
 * sets as arrays; where RESP2 and RESP3 differ in form (a hash is a flat
 * array in RESP2, a score is text), the command table's reply flags say how
 * to read the RESP2 form. `executeBytes()` skips all this and returns the
 * decoded RESP value.
 *
 * @module
 */

import { ProtocolError, ReplyError } from "../errors.ts";
import { type CommandArg, RespPush, type RespValue, VerbatimString } from "../protocol/types.ts";
import type { Shape } from "./connection.ts";
import {
  REPLY_DOUBLE,
  REPLY_DOUBLES,
  REPLY_MAP,
  REPLY_MAPS,
  REPLY_PAIRS,
  REPLY_SCORED,
} from "./table/mod.ts";

/**
 * A reply as `execute()` returns it: text as `string`, integers and doubles
 * as `number` (big numbers as `bigint`), maps as plain objects, arrays and
 * sets as arrays; an error inside a reply (EXEC, RESP3 attributes) as a
 * {@linkcode ReplyError} value.
 */
export type ReplyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | ReplyValue[]
  | { [key: string]: ReplyValue };

const allReplyFlags = REPLY_MAP | REPLY_MAPS | REPLY_DOUBLE | REPLY_DOUBLES | REPLY_SCORED |
  REPLY_PAIRS;

function parseDouble(text: string): number {
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan") return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new ProtocolError(`Cannot read reply: "${text}" is not a number`);
  return value;
}

/** A double in either form; other values as they are. */
function double(value: ReplyValue): ReplyValue {
  return typeof value === "string" ? parseDouble(value) : value;
}

/** [a, b, c, d] or [[a, b], [c, d]] as [[a, b], [c, d]]. */
function pairs(value: ReplyValue): ReplyValue[][] {
  if (!Array.isArray(value)) return [];
  if (value.length > 0 && Array.isArray(value[0])) return value as ReplyValue[][];
  const out: ReplyValue[][] = [];
  for (let i = 0; i + 1 < value.length; i += 2) out.push([value[i], value[i + 1]]);
  return out;
}

/** A map in any of its forms as a plain object. */
function object(value: ReplyValue): ReplyValue {
  if (!Array.isArray(value)) return value;
  const out: { [key: string]: ReplyValue } = {};
  for (const [key, item] of pairs(value)) out[String(key)] = item;
  return out;
}

function hasArg(args: readonly CommandArg[], word: string): boolean {
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === "string" && arg.length === word.length && arg.toUpperCase() === word) {
      return true;
    }
  }
  return false;
}

/** Applies the table's RESP2 reading to a decoded reply. */
function normalize(value: ReplyValue, flags: number, args: readonly CommandArg[]): ReplyValue {
  if (value === null || value instanceof ReplyError) return value;
  if (flags & REPLY_MAP) return object(value);
  if (flags & REPLY_MAPS) return Array.isArray(value) ? value.map(object) : value;
  if (flags & REPLY_DOUBLE) return double(value);
  if (flags & REPLY_DOUBLES) return Array.isArray(value) ? value.map(double) : value;
  if (flags & REPLY_PAIRS) return hasArg(args, "WITHVALUES") ? pairs(value) : value;
  if (flags & REPLY_SCORED) {
    const name = String(args[0]).toUpperCase();
    if (name === "BZPOPMIN" || name === "BZPOPMAX") {
      // [key, member, score]
      return Array.isArray(value) ? [value[0], value[1], double(value[2])] : value;
    }
    const popped = name === "ZPOPMIN" || name === "ZPOPMAX";
    if (popped && args.length <= 2) {
      // One member, no count: a flat [member, score] in both protocols.
      return Array.isArray(value) && value.length === 2 && !Array.isArray(value[0])
        ? [value[0], double(value[1])]
        : value;
    }
    if (popped || hasArg(args, "WITHSCORES")) {
      return pairs(value).map(([member, score]) => [member, double(score)]);
    }
  }
  return value;
}

/**
 * The shapes `execute()` uses for one store encoding.
 *
 * @param text Decodes a bulk string in the store's encoding.
 * @returns `value` decodes any reply; `forCommand` adds the command's
 * RESP2 reading when the table has one.
 */
export function executeReplies(text: (bytes: Uint8Array) => string): {
  value: Shape<ReplyValue>;
  forCommand(flags: number, args: readonly CommandArg[]): Shape<ReplyValue>;
} {
  const value = (reply: RespValue): ReplyValue => {
    if (reply instanceof Uint8Array) return text(reply);
    if (reply === null || typeof reply !== "object") return reply;
    if (Array.isArray(reply)) return reply.map(value);
    if (reply instanceof ReplyError) return reply;
    if (reply instanceof VerbatimString) return text(reply.bytes);
    if (reply instanceof Map) {
      const out: { [key: string]: ReplyValue } = {};
      for (const [key, item] of reply) {
        const name = value(key);
        out[typeof name === "string" ? name : String(name)] = value(item);
      }
      return out;
    }
    if (reply instanceof Set) return [...reply].map(value);
    if (reply instanceof RespPush) return reply.data.map(value);
    return reply as never;
  };
  return {
    value,
    forCommand(flags, args) {
      if ((flags & allReplyFlags) === 0) return value;
      return (reply) => normalize(value(reply), flags, args);
    },
  };
}
