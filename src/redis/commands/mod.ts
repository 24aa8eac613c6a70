/**
 * Every typed command method, as one class chain ending in
 * {@linkcode RedisCommands}.
 *
 * @module
 */

import { StringCommands } from "./strings.ts";

export type { Key, Value } from "./keys.ts";
export type { SetOptions } from "./strings.ts";

/** Every typed command method. */
export abstract class RedisCommands extends StringCommands {}
