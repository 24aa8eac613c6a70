/**
 * BITFIELD and BITFIELD_RO through a typed builder: integers of any width
 * from 1 to 64 bits (63 unsigned) at any bit offset of a string.
 *
 * @module
 */

import type { CommandArg } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Key } from "./keys.ts";

/** An integer type: `i<bits>` (signed, 1-64) or `u<bits>` (unsigned, 1-63). */
export type BitfieldType = `${"i" | "u"}${number}`;

/** A bit offset, or `#n`: the n-th field of the type's width. */
export type BitfieldOffset = number | `#${number}`;

/** What an INCRBY/SET does on overflow: wrap around, saturate, or fail (reply `null`). */
export type BitfieldOverflow = "WRAP" | "SAT" | "FAIL";

const typePattern = /^(i([1-9]|[1-5]\d|6[0-4])|u([1-9]|[1-5]\d|6[0-3]))$/;

function checkType(type: string): string {
  if (!typePattern.test(type)) {
    throw new RangeError(`Cannot use bitfield type "${type}": use i1..i64 or u1..u63`);
  }
  return type;
}

function checkOffset(offset: BitfieldOffset): CommandArg {
  if (
    typeof offset === "number" ? Number.isSafeInteger(offset) && offset >= 0 : /^#\d+$/.test(offset)
  ) {
    return offset;
  }
  throw new RangeError(`Cannot use bitfield offset ${String(offset)}: use an integer >= 0 or "#n"`);
}

/**
 * The read operations of a BITFIELD_RO (and BITFIELD) call.
 *
 * @example Read two fields
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * await store.set("bits", new Uint8Array([0xff, 0x01]));
 * console.log(await store.bitfieldRo("bits", (b) => b.get("u8", 0).get("u8", 8))); // [255, 1]
 * ```
 */
export class BitfieldReads {
  /** The arguments recorded so far. */
  protected readonly args: CommandArg[] = [];

  /**
   * Reads a field.
   *
   * @param type `i<bits>` or `u<bits>`.
   * @param offset Bit offset, or `#n`.
   * @returns This builder.
   */
  get(type: BitfieldType, offset: BitfieldOffset): this {
    this.args.push("GET", checkType(type), checkOffset(offset));
    return this;
  }

  /**
   * The arguments recorded (for the command methods).
   *
   * @returns The arguments.
   */
  toArgs(): readonly CommandArg[] {
    return this.args;
  }
}

/** The operations of a BITFIELD call: reads, writes, increments and the overflow policy. */
export class BitfieldOps extends BitfieldReads {
  /**
   * Writes a field; its reply is the old value.
   *
   * @param type `i<bits>` or `u<bits>`.
   * @param offset Bit offset, or `#n`.
   * @param value The new value.
   * @returns This builder.
   */
  set(type: BitfieldType, offset: BitfieldOffset, value: number | bigint): this {
    this.args.push("SET", checkType(type), checkOffset(offset), value);
    return this;
  }

  /**
   * Adds to a field; its reply is the new value (`null` when `FAIL` refused an overflow).
   *
   * @param type `i<bits>` or `u<bits>`.
   * @param offset Bit offset, or `#n`.
   * @param increment The amount (negative to subtract).
   * @returns This builder.
   */
  incrby(type: BitfieldType, offset: BitfieldOffset, increment: number | bigint): this {
    this.args.push("INCRBY", checkType(type), checkOffset(offset), increment);
    return this;
  }

  /**
   * Sets the overflow policy of the SET and INCRBY operations that follow.
   *
   * @param policy `"WRAP"` (the default), `"SAT"` or `"FAIL"`.
   * @returns This builder.
   */
  overflow(policy: BitfieldOverflow): this {
    this.args.push("OVERFLOW", policy);
    return this;
  }
}

/**
 * BITFIELD and BITFIELD_RO, built with {@linkcode BitfieldOps}.
 *
 * @example Counters packed in one string (Redis; not on the embedded server yet)
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * const replies = await store.bitfield("counters", (b) =>
 *   b.incrby("u8", "#0", 200).overflow("SAT").incrby("u8", "#0", 100).get("u8", "#0")
 * );
 * console.log(replies); // [200, 255, 255]
 * ```
 */
export abstract class BitfieldCommands extends CommandCore {
  /**
   * Runs BITFIELD operations on one key, in order.
   *
   * @param key The key.
   * @param build Adds the operations.
   * @returns One reply per GET, SET and INCRBY, in order (`null` for an INCRBY refused by FAIL).
   */
  bitfield(key: Key, build: (ops: BitfieldOps) => BitfieldOps): Promise<(number | null)[]> {
    const ops = build(new BitfieldOps());
    return this.send(["BITFIELD", this.key(key), ...ops.toArgs()], this.replies.integersOrNull);
  }

  /**
   * Runs read-only BITFIELD operations (BITFIELD_RO: may run on replicas).
   *
   * @param key The key.
   * @param build Adds the GET operations.
   * @returns One value per GET, in order.
   */
  bitfieldRo(key: Key, build: (reads: BitfieldReads) => BitfieldReads): Promise<number[]> {
    const reads = build(new BitfieldReads());
    return this.send(["BITFIELD_RO", this.key(key), ...reads.toArgs()], this.replies.integers);
  }
}
