/**
 * Hash commands: fields and values under one key.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import { integerArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";

/** Fields and values for {@linkcode HashCommands.hset}: an object, or pairs (binary fields). */
export type HashEntries = Record<string, Value> | readonly (readonly [Value, Value])[];

function isEntries(value: unknown): value is HashEntries {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array);
}

/**
 * Hash commands: HSET, HGET, HGETALL, HINCRBY, HRANDFIELD...
 *
 * Field names and values come back as text; {@linkcode HashCommands.hgetBytes}
 * and {@linkcode HashCommands.hgetallBytes} return values as bytes.
 *
 * @example Store an object as a hash
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.hset("user:1", { name: "Ann", visits: 1 });
 * await store.hincrby("user:1", "visits", 2);
 * console.log(await store.hgetall("user:1")); // { name: "Ann", visits: "3" }
 * ```
 */
export abstract class HashCommands extends CommandCore {
  /**
   * Sets one field of a hash.
   *
   * @param key The key.
   * @param field The field.
   * @param value Its value.
   * @returns How many fields were added (0 when the field was updated).
   */
  hset(key: Key, field: Value, value: Value): Promise<number>;
  /**
   * Sets fields of a hash.
   *
   * @param key The key.
   * @param entries An object of fields and values, or `[field, value]` pairs.
   * @returns How many fields were added (not counting updated ones).
   */
  hset(key: Key, entries: HashEntries): Promise<number>;
  /**
   * Sets fields of a hash (either form).
   *
   * @param key The key.
   * @param fieldOrEntries A field (then `value`), or fields and values.
   * @param value The value of a single field.
   * @returns How many fields were added.
   */
  hset(key: Key, fieldOrEntries: Value | HashEntries, value?: Value): Promise<number>;
  hset(key: Key, fieldOrEntries: Value | HashEntries, value?: Value): Promise<number> {
    const args: CommandArg[] = ["HSET", this.key(key)];
    if (isEntries(fieldOrEntries)) {
      const pairs = Array.isArray(fieldOrEntries)
        ? fieldOrEntries as readonly (readonly [Value, Value])[]
        : Object.entries(fieldOrEntries);
      for (const [field, item] of pairs) args.push(field, item);
    } else {
      if (value === undefined) {
        throw new TypeError("Cannot run HSET: value is undefined");
      }
      args.push(fieldOrEntries, value);
    }
    return this.send(args, this.replies.integer);
  }

  /**
   * Sets a field unless it exists.
   *
   * @param key The key.
   * @param field The field.
   * @param value Its value.
   * @returns Whether it was set.
   */
  hsetnx(key: Key, field: Value, value: Value): Promise<boolean> {
    return this.send(["HSETNX", this.key(key), field, value], this.replies.boolean);
  }

  /**
   * Gets one field.
   *
   * @param key The key.
   * @param field The field.
   * @returns Its value, or `null` when the field or the key does not exist.
   */
  hget(key: Key, field: Value): Promise<string | null> {
    return this.send(["HGET", this.key(key), field], this.replies.textOrNull);
  }

  /**
   * Gets one field as bytes.
   *
   * @param key The key.
   * @param field The field.
   * @returns Its value, or `null` when the field or the key does not exist.
   */
  hgetBytes(key: Key, field: Value): Promise<Uint8Array | null> {
    return this.send(["HGET", this.key(key), field], this.replies.bytesOrNull);
  }

  /**
   * Gets several fields.
   *
   * @param key The key.
   * @param fields The fields.
   * @returns Their values in order, `null` for a missing field.
   */
  hmget(key: Key, ...fields: Value[]): Promise<(string | null)[]> {
    return this.send(["HMGET", this.key(key), ...fields], this.replies.textArray);
  }

  /**
   * Deletes fields.
   *
   * @param key The key.
   * @param fields The fields.
   * @returns How many existed and were deleted.
   */
  hdel(key: Key, ...fields: Value[]): Promise<number> {
    return this.send(["HDEL", this.key(key), ...fields], this.replies.integer);
  }

  /**
   * Whether a field exists.
   *
   * @param key The key.
   * @param field The field.
   * @returns `true` when it exists.
   */
  hexists(key: Key, field: Value): Promise<boolean> {
    return this.send(["HEXISTS", this.key(key), field], this.replies.boolean);
  }

  /**
   * The number of fields.
   *
   * @param key The key.
   * @returns The count; 0 when the key does not exist.
   */
  hlen(key: Key): Promise<number> {
    return this.send(["HLEN", this.key(key)], this.replies.integer);
  }

  /**
   * The length of a field's value in bytes.
   *
   * @param key The key.
   * @param field The field.
   * @returns The length; 0 when the field does not exist.
   */
  hstrlen(key: Key, field: Value): Promise<number> {
    return this.send(["HSTRLEN", this.key(key), field], this.replies.integer);
  }

  /**
   * The field names.
   *
   * @param key The key.
   * @returns The fields (in no particular order).
   */
  hkeys(key: Key): Promise<string[]> {
    return this.send(["HKEYS", this.key(key)], this.replies.strings);
  }

  /**
   * The values.
   *
   * @param key The key.
   * @returns The values (in the order of {@linkcode HashCommands.hkeys}).
   */
  hvals(key: Key): Promise<string[]> {
    return this.send(["HVALS", this.key(key)], this.replies.strings);
  }

  /**
   * Every field and value.
   *
   * @param key The key.
   * @returns An object of fields and values; `{}` when the key does not exist.
   */
  hgetall(key: Key): Promise<Record<string, string>> {
    return this.send(["HGETALL", this.key(key)], this.replies.record);
  }

  /**
   * Every field and value, values as bytes.
   *
   * @param key The key.
   * @returns An object of fields (as text) and values (as bytes).
   */
  hgetallBytes(key: Key): Promise<Record<string, Uint8Array>> {
    return this.send(["HGETALL", this.key(key)], this.replies.bytesRecord);
  }

  /**
   * Increments the integer value of a field.
   *
   * @param key The key.
   * @param field The field.
   * @param increment The amount (an integer).
   * @returns The value after the increment.
   */
  hincrby(key: Key, field: Value, increment: number): Promise<number> {
    return this.send(
      ["HINCRBY", this.key(key), field, integerArg("increment", increment)],
      this.replies.integer,
    );
  }

  /**
   * Increments the numeric value of a field by a float.
   *
   * @param key The key.
   * @param field The field.
   * @param increment The amount.
   * @returns The value after the increment.
   */
  hincrbyfloat(key: Key, field: Value, increment: number): Promise<number> {
    return this.send(["HINCRBYFLOAT", this.key(key), field, increment], this.replies.double);
  }

  /**
   * A random field.
   *
   * @param key The key.
   * @returns A field, or `null` when the key does not exist.
   */
  hrandfield(key: Key): Promise<string | null>;
  /**
   * Random fields.
   *
   * @param key The key.
   * @param count How many: positive for distinct fields (at most all),
   * negative for `-count` fields that may repeat.
   * @returns The fields.
   */
  hrandfield(key: Key, count: number): Promise<string[]>;
  /**
   * Random fields (either form).
   *
   * @param key The key.
   * @param count How many; without it, one field or `null`.
   * @returns A field or `null`, or with `count` the fields.
   */
  hrandfield(key: Key, count?: number): Promise<string | null | string[]>;
  hrandfield(key: Key, count?: number): Promise<string | null | string[]> {
    if (count === undefined) {
      return this.send(["HRANDFIELD", this.key(key)], this.replies.textOrNull);
    }
    return this.send(
      ["HRANDFIELD", this.key(key), integerArg("count", count)],
      this.replies.strings,
    );
  }

  /**
   * Random fields with their values.
   *
   * @param key The key.
   * @param count How many (see {@linkcode HashCommands.hrandfield}).
   * @returns `[field, value]` pairs.
   */
  hrandfieldWithValues(key: Key, count: number): Promise<[string, string][]> {
    return this.send(
      ["HRANDFIELD", this.key(key), integerArg("count", count), "WITHVALUES"],
      this.replies.textPairs,
    );
  }
}
