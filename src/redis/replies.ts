/**
 * Reply shapes: raw RESP values in, what a TypeScript caller expects out.
 * They accept both RESP2 and RESP3 forms (a hash is a flat array in RESP2 and
 * a map in RESP3; a score is a bulk string in RESP2 and a double in RESP3).
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { type CommandArg, type RespValue, VerbatimString } from "../protocol/types.ts";
import type { Shape } from "./connection.ts";
import { rangeDecoder } from "../transport/mod.ts";
import { executeReplies, type ReplyValue } from "./execute_reply.ts";

/** Every shape a command method may use, bound to one text encoding. */
export interface Replies {
  /** The value as decoded, unchanged. */
  raw: Shape<RespValue>;
  /** Text (bulk or simple string, verbatim string, number as decimal). */
  text: Shape<string>;
  /** Text or `null`. */
  textOrNull: Shape<string | null>;
  /** Bytes or `null`. */
  bytesOrNull: Shape<Uint8Array | null>;
  /** An integer reply. */
  integer: Shape<number>;
  /** An integer or `null`. */
  integerOrNull: Shape<number | null>;
  /** An integer 1/0 (or RESP3 boolean) as `boolean`. */
  boolean: Shape<boolean>;
  /** A double (RESP3) or its text form (RESP2). */
  double: Shape<number>;
  /** A double or `null`. */
  doubleOrNull: Shape<number | null>;
  /** An array of text (nil elements become `null`). */
  textArray: Shape<(string | null)[]>;
  /** An array of text without nil elements. */
  strings: Shape<string[]>;
  /** An array of bytes or `null`. */
  bytesArray: Shape<(Uint8Array | null)[]>;
  /** An array of integer replies. */
  integers: Shape<number[]>;
  /** An array of integer replies or nil. */
  integersOrNull: Shape<(number | null)[]>;
  /** An array of 1/0 as booleans. */
  booleans: Shape<boolean[]>;
  /** An array of doubles or `null`. */
  doubles: Shape<(number | null)[]>;
  /** A map, or a flat array of pairs, as a plain object of text. */
  record: Shape<Record<string, string>>;
  /** Member/score pairs (flat RESP2 array or RESP3 pairs) as objects. */
  scored: Shape<ScoredMember[]>;
  /** Any value with bulk strings decoded to text, maps as objects. */
  deep: Shape<unknown>;
  /** A status reply that is always `OK`. */
  ok: Shape<"OK">;
  /** A map, or a flat array of pairs, as a plain object of bytes (keys as text). */
  bytesRecord: Shape<Record<string, Uint8Array>>;
  /** Text pairs (flat RESP2 array, RESP3 pairs or map) as `[string, string]` tuples. */
  textPairs: Shape<[string, string][]>;
  /** An array (RESP3 sets as arrays, nil as `[]`). */
  array: Shape<RespValue[]>;
  /** A possibly nil array (RESP2 `*-1`, RESP3 null) as an array or `null`. */
  arrayOrNull: Shape<RespValue[] | null>;
  /** Any reply as `execute()` returns it (text decoded, maps as objects). */
  value: Shape<ReplyValue>;
  /** `value`, plus the RESP2 reading the command table's reply flags ask for. */
  valueFor(flags: number, args: readonly CommandArg[]): Shape<ReplyValue>;
}

/** A sorted-set member with its score. */
export interface ScoredMember {
  /** The member. */
  member: string;
  /** Its score. */
  score: number;
}

function parseDouble(text: string): number {
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan") return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new ProtocolError(`Cannot read reply: "${text}" is not a number`);
  return value;
}

function unexpected(what: string, value: RespValue): never {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  throw new ProtocolError(`Cannot read reply: expected ${what}, got ${kind}`);
}

/**
 * Builds the reply shapes for one text encoding.
 *
 * @param encoding A `TextDecoder` label, e.g. `"utf-8"`.
 * @returns The shapes.
 */
export function makeReplies(encoding = "utf-8"): Replies {
  const range = rangeDecoder(encoding);
  const decode = (bytes: Uint8Array): string => range(bytes, 0, bytes.length);
  const text = (value: RespValue): string => {
    if (value instanceof Uint8Array) return decode(value);
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    if (value instanceof VerbatimString) return decode(value.bytes);
    return unexpected("text", value);
  };
  const textOrNull = (value: RespValue): string | null => value === null ? null : text(value);
  const integer = (value: RespValue): number => {
    if (typeof value === "number") return value;
    if (typeof value === "bigint") return Number(value);
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value instanceof Uint8Array || typeof value === "string") return parseDouble(text(value));
    return unexpected("an integer", value);
  };
  const double = (value: RespValue): number =>
    typeof value === "number" ? value : parseDouble(text(value));
  const doubleOrNull = (value: RespValue): number | null => value === null ? null : double(value);
  const array = (value: RespValue): RespValue[] => {
    if (Array.isArray(value)) return value;
    if (value instanceof Set) return [...value];
    if (value === null) return [];
    return unexpected("an array", value);
  };
  const pairs = (value: RespValue): [RespValue, RespValue][] => {
    if (value instanceof Map) return [...value];
    const flat = array(value);
    const out: [RespValue, RespValue][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
    return out;
  };
  const deep = (value: RespValue): unknown => {
    if (value instanceof Uint8Array || value instanceof VerbatimString) return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value instanceof Set) return value.size === 0 ? [] : [...value].map(deep);
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of value) out[String(deep(key))] = deep(item);
      return out;
    }
    return value;
  };
  const execute = executeReplies(decode);
  return {
    raw: (value) => value,
    value: execute.value,
    valueFor: execute.forCommand,
    text,
    textOrNull,
    bytesOrNull: (value) => {
      if (value === null || value instanceof Uint8Array) return value;
      if (typeof value === "string") return new TextEncoder().encode(value);
      return unexpected("bytes", value);
    },
    integer,
    integerOrNull: (value) => value === null ? null : integer(value),
    boolean: (value) => typeof value === "boolean" ? value : integer(value) === 1,
    double,
    doubleOrNull,
    textArray: (value) => array(value).map(textOrNull),
    strings: (value) => array(value).map(text),
    bytesArray: (value) =>
      array(value).map((item) => item === null || item instanceof Uint8Array ? item : null),
    integers: (value) => array(value).map(integer),
    integersOrNull: (value) => array(value).map((item) => item === null ? null : integer(item)),
    booleans: (value) => array(value).map((item) => integer(item) === 1),
    doubles: (value) => array(value).map(doubleOrNull),
    record: (value) => {
      const out: Record<string, string> = {};
      for (const [key, item] of pairs(value)) out[text(key)] = text(item);
      return out;
    },
    scored: (value) => {
      const items = array(value);
      // RESP3 WITHSCORES replies are [member, score] pairs; RESP2 is flat.
      if (items.length > 0 && Array.isArray(items[0])) {
        return items.map((pair) => {
          const [member, score] = pair as RespValue[];
          return { member: text(member), score: double(score) };
        });
      }
      return pairs(items).map(([member, score]) => ({
        member: text(member),
        score: double(score),
      }));
    },
    deep,
    ok: (value) => {
      const status = text(value);
      if (status !== "OK") {
        throw new ProtocolError(`Cannot read reply: expected OK, got "${status}"`);
      }
      return status;
    },
    bytesRecord: (value) => {
      const out: Record<string, Uint8Array> = {};
      for (const [key, item] of pairs(value)) {
        out[text(key)] = item instanceof Uint8Array ? item : new TextEncoder().encode(text(item));
      }
      return out;
    },
    textPairs: (value) => {
      const items = value instanceof Map ? [...value] : array(value);
      if (items.length > 0 && Array.isArray(items[0])) {
        return items.map((pair) => {
          const [first, second] = pair as RespValue[];
          return [text(first), text(second)];
        });
      }
      return pairs(items).map(([first, second]) => [text(first), text(second)]);
    },
    array,
    arrayOrNull: (value) => value === null ? null : array(value),
  };
}
