/**
 * The values RESP2 and RESP3 carry, as the decoder produces them.
 *
 * @module
 */

import type { ReplyError } from "../errors.ts";

/** A RESP3 verbatim string (`=`): text with a three-letter format such as `txt`. */
export class VerbatimString {
  /**
   * Creates a verbatim string.
   *
   * @param format The format, e.g. `"txt"` or `"mkd"`.
   * @param bytes The text, without the format prefix.
   */
  constructor(readonly format: string, readonly bytes: Uint8Array) {}
}

/** A RESP3 push frame (`>`): out-of-band data such as a pub/sub message. */
export class RespPush {
  /**
   * Creates a push frame.
   *
   * @param data The frame's elements, kind first (e.g. `"message"`).
   */
  constructor(readonly data: RespValue[]) {}
}

/**
 * A decoded RESP value.
 *
 * - simple string (`+`): `string`
 * - bulk string (`$`): `Uint8Array` (binary-safe; the client decodes text)
 * - integer (`:`): `number`, or `bigint` outside the safe integer range
 * - double (`,`): `number`; big number (`(`): `bigint`
 * - boolean (`#`): `boolean`; null (`_`, `$-1`, `*-1`): `null`
 * - error (`-`, `!`): a {@linkcode ReplyError} value, never thrown by the decoder
 * - array (`*`): `RespValue[]`; map (`%`): `Map`; set (`~`): `Set`
 * - verbatim string (`=`): {@linkcode VerbatimString}; push (`>`): {@linkcode RespPush}
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | VerbatimString
  | RespPush
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>;

/** One argument of a command: sent as a bulk string. */
export type CommandArg = string | number | bigint | Uint8Array;
