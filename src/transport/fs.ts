/**
 * File functions for snapshots, picked by feature test: Deno's file API, or
 * Bun's node-compatible `fs`.
 *
 * @module
 */

import type { FileSystem } from "./types.ts";

interface DenoFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  errors: { NotFound: new (...args: never[]) => Error };
}

interface NodeFsPromises {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** The file functions of the current runtime (Deno, or Bun's node-compatible fs). */
export function runtimeFileSystem(): FileSystem {
  const global = globalThis as { Deno?: DenoFs; Bun?: unknown };
  const meta = import.meta as ImportMeta & { require?: (id: string) => unknown };
  if (global.Bun !== undefined && typeof meta.require === "function") {
    const fs = (meta.require("fs") as { promises: NodeFsPromises }).promises;
    return {
      async readFile(path) {
        try {
          return new Uint8Array(await fs.readFile(path));
        } catch (error) {
          if ((error as { code?: string }).code === "ENOENT") return null;
          throw error;
        }
      },
      writeFile: (path, bytes) => fs.writeFile(path, bytes),
      rename: (from, to) => fs.rename(from, to),
      remove: (path) => fs.unlink(path).catch(() => {}),
    };
  }
  if (global.Deno !== undefined) {
    const deno = global.Deno;
    return {
      async readFile(path) {
        try {
          return await deno.readFile(path);
        } catch (error) {
          if (error instanceof deno.errors.NotFound) return null;
          throw error;
        }
      },
      writeFile: (path, bytes) => deno.writeFile(path, bytes),
      rename: (from, to) => deno.rename(from, to),
      remove: (path) => deno.remove(path).catch(() => {}),
    };
  }
  throw new Error("Cannot access files: no Deno or Bun runtime here (pass the `fs` option)");
}
