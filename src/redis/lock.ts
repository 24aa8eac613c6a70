/**
 * Distributed locks: SET NX PX with a random token; release and extend only
 * while the token still matches (a compare-and-delete script on Redis, a
 * native command on the embedded server, which has no Lua).
 *
 * @module
 */

import { LockError, ReplyError } from "../errors.ts";
import type { CommandArg, RespValue } from "../protocol/types.ts";

/** Options of a lock. */
export interface LockOptions {
  /** Seconds after which the lock expires by itself; unset: never. @default {undefined} */
  timeout?: number;
  /**
   * Whether `acquire()` waits for a held lock: `true` waits until it is
   * free (bounded by `signal`), a number waits at most that many seconds,
   * `false` tries once.
   * @default {true}
   */
  blocking?: boolean | number;
  /** Seconds between attempts while waiting. @default {0.1} */
  sleep?: number;
  /** Aborts waiting; `acquire()` rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** What a lock needs from its store. */
export interface LockHost {
  /** Sends a command and returns its raw reply. */
  send(args: CommandArg[]): Promise<RespValue>;
  /** Adds the namespace to a key. */
  key(key: string): CommandArg;
}

const releaseScript =
  'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end';
const extendScript =
  'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end';

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function isNoScripting(error: unknown): boolean {
  return error instanceof ReplyError &&
    /scripting is not supported|unknown command/i.test(error.message);
}

function seconds(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot create lock: ${name} ${value} is not a positive number of seconds`,
    );
  }
  return value;
}

/**
 * A lock named by a key. Acquire with `acquire()`; `await using` releases it.
 *
 * @example Guard a critical section
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await using lock = store.lock("jobs", { timeout: 10 });
 * if (await lock.acquire()) {
 *   // ... only one holder at a time ...
 * }
 * ```
 */
export class Lock {
  /** The lock's name (its key, before the namespace). */
  readonly name: string;
  #host: LockHost;
  #token: string | undefined;
  #timeout: number | undefined;
  #blocking: boolean | number;
  #sleep: number;
  #signal: AbortSignal | undefined;
  /** Whether the server runs Lua; learned on the first release/extend. */
  #native = false;

  /**
   * Creates a lock; use `store.lock(name, options)`.
   *
   * @param host The store's side.
   * @param name The lock's name.
   * @param options Expiry, waiting, signal.
   */
  constructor(host: LockHost, name: string, options: LockOptions = {}) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError("Cannot create lock: the name must be a non-empty string");
    }
    this.#host = host;
    this.name = name;
    this.#timeout = seconds("timeout", options.timeout);
    this.#sleep = seconds("sleep", options.sleep) ?? 0.1;
    const blocking = options.blocking ?? true;
    if (typeof blocking === "number") seconds("blocking", blocking);
    this.#blocking = blocking;
    this.#signal = options.signal;
  }

  /** Whether this object holds the lock (as far as it knows; it may have expired). */
  get owned(): boolean {
    return this.#token !== undefined;
  }

  async #tryOnce(token: string): Promise<boolean> {
    const args: CommandArg[] = ["SET", this.#host.key(this.name), token, "NX"];
    if (this.#timeout !== undefined) args.push("PX", Math.ceil(this.#timeout * 1000));
    return (await this.#host.send(args)) !== null;
  }

  /**
   * Acquires the lock, waiting as `blocking` says.
   *
   * @returns `true` when acquired, `false` when not (non-blocking or waited too long).
   * @throws {LockError} When this object already holds it.
   */
  async acquire(): Promise<boolean> {
    if (this.#token !== undefined) {
      throw new LockError(`Cannot acquire lock "${this.name}": it is already held by this object`);
    }
    const token = randomToken();
    const waitUntil = typeof this.#blocking === "number"
      ? Date.now() + this.#blocking * 1000
      : this.#blocking
      ? Infinity
      : 0;
    for (;;) {
      this.#signal?.throwIfAborted();
      if (await this.#tryOnce(token)) {
        this.#token = token;
        return true;
      }
      const remaining = waitUntil - Date.now();
      if (remaining <= 0) return false;
      await this.#pause(Math.min(this.#sleep * 1000, remaining));
    }
  }

  #pause(ms: number): Promise<void> {
    const signal = this.#signal;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async #compareAnd(script: string, native: string, extra: CommandArg[]): Promise<boolean> {
    const key = this.#host.key(this.name);
    const token = this.#token!;
    if (!this.#native) {
      try {
        return Number(await this.#host.send(["EVAL", script, 1, key, token, ...extra])) === 1;
      } catch (error) {
        if (!isNoScripting(error)) throw error;
        this.#native = true;
      }
    }
    return Number(await this.#host.send([native, key, token, ...extra])) === 1;
  }

  /**
   * Releases the lock.
   *
   * @returns Resolves once released.
   * @throws {LockError} When it is not held, or is no longer owned (it
   *   expired and maybe someone else took it).
   */
  async release(): Promise<void> {
    if (this.#token === undefined) {
      throw new LockError(`Cannot release lock "${this.name}": it is not held`);
    }
    const released = await this.#compareAnd(releaseScript, "PULSAR.CAD", []);
    this.#token = undefined;
    if (!released) {
      throw new LockError(`Cannot release lock "${this.name}": it is no longer owned`);
    }
  }

  /**
   * Sets the lock to expire `seconds` from now.
   *
   * @param seconds The new time to live, in seconds.
   * @returns Resolves once extended.
   * @throws {LockError} When it is not held or no longer owned.
   */
  async extend(seconds: number): Promise<void> {
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new RangeError(
        `Cannot extend lock "${this.name}": ${seconds} is not a positive number of seconds`,
      );
    }
    if (this.#token === undefined) {
      throw new LockError(`Cannot extend lock "${this.name}": it is not held`);
    }
    const ms = Math.ceil(seconds * 1000);
    if (!await this.#compareAnd(extendScript, "PULSAR.CAPEXPIRE", [ms])) {
      this.#token = undefined;
      throw new LockError(`Cannot extend lock "${this.name}": it is no longer owned`);
    }
    this.#timeout = seconds;
  }

  /** Releases the lock if held; a lock lost meanwhile is not an error here. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#token === undefined) return;
    try {
      await this.release();
    } catch (error) {
      if (!(error instanceof LockError)) throw error;
    }
  }
}
