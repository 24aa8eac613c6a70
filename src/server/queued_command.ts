/**
 * Commands queued by MULTI, stored compactly until EXEC.
 *
 * A parsed request is an array of `Uint8Array` views, about 100 B each
 * beyond their bytes (see `ARGUMENT_COST`): 1M queued `SET k v` took 435 MB
 * (redis-server: 166 MB). A queued command instead packs its arguments'
 * bytes, with their lengths, into a shared 64 KiB chunk and keeps only the
 * command, the chunk and an offset; EXEC unpacks each one when it runs it.
 * Commands with a large argument (over `SLAB_MAX`, already a buffer of its
 * own) keep their arguments as they are: copying would cost more than it saves.
 *
 * @module
 */

import { copy, SLAB_MAX } from "../protocol/_slab.ts";
import type { Command } from "./commands/mod.ts";

/** Size of one chunk of packed arguments. */
const CHUNK_SIZE = 64 * 1024;

/** Where a client packs the commands it queues. */
export class CommandPacker {
  #chunk: Uint8Array = new Uint8Array(0);
  #used = 0;

  /**
   * Queues `args` for `command`.
   *
   * @param command The command.
   * @param args Its arguments, name first.
   * @returns The queued command.
   */
  pack(command: Command, args: Uint8Array[]): QueuedCommand {
    let size = 4;
    for (const arg of args) {
      if (arg.length > SLAB_MAX) return new QueuedCommand(command, args, 0);
      size += 2 + arg.length; // SLAB_MAX fits in two bytes
    }
    if (this.#used + size > this.#chunk.length) {
      this.#chunk = new Uint8Array(Math.max(CHUNK_SIZE, size));
      this.#used = 0;
    }
    const chunk = this.#chunk;
    const offset = this.#used;
    let w = offset;
    const count = args.length;
    chunk[w++] = count >>> 24;
    chunk[w++] = (count >>> 16) & 255;
    chunk[w++] = (count >>> 8) & 255;
    chunk[w++] = count & 255;
    for (const arg of args) {
      chunk[w++] = arg.length >>> 8;
      chunk[w++] = arg.length & 255;
      chunk.set(arg, w);
      w += arg.length;
    }
    this.#used = w;
    return new QueuedCommand(command, chunk, offset);
  }
}

/** One command queued by MULTI: the command and its (packed) arguments. */
export class QueuedCommand {
  /** The command to run. */
  readonly command: Command;
  /** The packed chunk, or the arguments themselves when one is large. */
  readonly #data: Uint8Array | Uint8Array[];
  readonly #offset: number;

  /**
   * @param command The command.
   * @param data A chunk from {@linkcode CommandPacker}, or the arguments.
   * @param offset Where the command starts in the chunk.
   */
  constructor(command: Command, data: Uint8Array | Uint8Array[], offset: number) {
    this.command = command;
    this.#data = data;
    this.#offset = offset;
  }

  /**
   * The arguments, name first: fresh copies on each read, which the command
   * may keep (like the arguments of a request).
   */
  get args(): Uint8Array[] {
    const data = this.#data;
    if (Array.isArray(data)) return data;
    let r = this.#offset;
    const count = (data[r] << 24 | data[r + 1] << 16 | data[r + 2] << 8 | data[r + 3]) >>> 0;
    r += 4;
    const args: Uint8Array[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const length = data[r] << 8 | data[r + 1];
      r += 2;
      args[i] = copy(data, r, length);
      r += length;
    }
    return args;
  }
}
