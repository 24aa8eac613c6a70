/**
 * Key commands.
 *
 * @module
 */

import { CommandsBase, type Key, type Value } from "../commands.ts";

export type { Key, Value };

/** Key commands: DEL, EXISTS, EXPIRE... */
export abstract class KeyCommands extends CommandsBase {
  /**
   * Deletes keys.
   *
   * @param keys The keys.
   * @returns How many were deleted.
   */
  del(...keys: Key[]): Promise<number> {
    return this.send(["DEL", ...this.keys(keys)], this.replies.integer);
  }
}
