/**
 * One multiplexed connection to a Redis-compatible server, owned by one
 * object: commands are serialized when called, everything queued is written in
 * one write per microtask drain (auto-pipelining), and replies are matched to
 * callers through a FIFO. Handles the handshake, deadlines, the offline queue
 * and reconnection.
 *
 * @module
 */

import {
  ConnectionClosedError,
  ConnectionError,
  NoScriptError,
  ProtocolError,
  ReplyError,
} from "../errors.ts";
import { CommandEncoder } from "../protocol/encoder.ts";
import { RespDecoder } from "../protocol/decoder.ts";
import { MessageSpans, scanMessage } from "../protocol/message_scan.ts";
import { type CommandArg, RespPush, type RespValue } from "../protocol/types.ts";
import type { Conn } from "../transport/types.ts";
import { Pending, ReplyFifo } from "./reply_fifo.ts";
import { commandFlags, MAY_REPLAY } from "./table/mod.ts";
import { DEFAULTS, type ReconnectOptions } from "./options.ts";

/** Turns a raw reply into what a command method returns. */
export type Shape<T> = (value: RespValue) => T;

/** Per-call options of a command. */
export interface CallOptions {
  /** Rejects the command with `signal.reason` when aborted. */
  signal?: AbortSignal;
  /** Rejects the command after this many milliseconds (a `TimeoutError`). */
  timeout?: number;
  /**
   * The command may safely run twice: when the connection drops after it
   * was written, it is sent again after reconnecting instead of failing.
   * @default {false}
   */
  idempotent?: boolean;
}

/** Internal send options: pipelines keep error replies as values. */
export interface SendOptions extends CallOptions {
  /** Resolve with a {@linkcode ReplyError} instead of rejecting. */
  errorsAsValues?: boolean;
}

export type { ReconnectOptions } from "./options.ts";

/** What a {@linkcode Connection} needs. */
export interface ConnectionOptions {
  /** Opens the byte stream. */
  open: (signal: AbortSignal) => Promise<Conn>;
  /** `host:port` or socket path, for messages. */
  address: string;
  /** Commands sent before any other, in one write (e.g. HELLO, SELECT). */
  handshake: Handshake;
  /** Milliseconds for connect + handshake. @default {10000} */
  connectTimeout?: number;
  /** Default deadline of every command in milliseconds; none when unset. */
  commandTimeout?: number;
  /** Reconnection after a drop; `false` disables it. */
  reconnect?: ReconnectOptions | false;
  /** Commands that may wait while disconnected. @default {100000} */
  maxOfflineCommands?: number;
  /**
   * Records where each command was issued (a stack trace taken when it is
   * sent) and gives its `ReplyError` or `TimeoutError` that stack, so it
   * points at the caller's line instead of the reply decoder. Costs a stack
   * capture and an entry object per command.
   * @default {false}
   */
  captureStack?: boolean;
  /**
   * After a drop, also re-send written commands that the command table
   * flags may-replay (read-only, not blocking), outside MULTI ... EXEC
   * units; others are re-sent only when the caller marked them
   * `idempotent`. Their arguments are kept until the reply.
   * @default {false}
   */
  resendReadOnly?: boolean;
  /** Out-of-band frames (RESP3 push, or pub/sub messages in subscriber mode). */
  onPush?: (frame: RespValue[]) => void;
  /** Treat RESP2 arrays that start with a pub/sub kind as pushes. */
  subscriber?: boolean;
  /**
   * Subscriber mode: takes pub/sub messages where they lie in the received
   * bytes (valid only during the call), before any decoding. Messages it does
   * not get this way (e.g. split across reads) still reach `onPush`.
   */
  onMessage?: (spans: MessageSpans) => void;
  /** Called after every successful (re)connection, with the attempt number (0 first). */
  onConnect?: (attempt: number) => void;
  /**
   * Called when the connection is down for good: reconnection gave up (or
   * is off) after a drop, or `close()` was called.
   */
  onDown?: (error: Error) => void;
  /**
   * Milliseconds of silence after which the peer is presumed dead: an idle
   * connection is probed with PING, and one whose commands (or probe) got no
   * byte back for this long is closed, failing them with
   * `ConnectionClosedError`, and reconnected. 0 disables it.
   * @default {0}
   */
  healthCheck?: number;
}

/**
 * The handshake: commands to send first, and a check of each reply. `retry`
 * lets a failed first step (HELLO on an old server) fall back to others.
 */
export interface Handshake {
  /** Builds the commands of the first attempt. */
  commands(): CommandArg[][];
  /**
   * Inspects the replies; returns more commands to send (fallback), or
   * `undefined` when done. Throws to fail the connection.
   */
  check(replies: RespValue[], round: number): CommandArg[][] | undefined;
}

/**
 * The settlers of the promise being made: one shared executor, not a
 * closure per command.
 */
let settleResolve: (value: unknown) => void;
let settleReject: (error: unknown) => void;
function captureSettlers(resolve: (value: never) => void, reject: (error: unknown) => void) {
  settleResolve = resolve as (value: unknown) => void;
  settleReject = reject;
}

type State = "idle" | "connecting" | "ready" | "waiting" | "closed";

/** Idempotent commands are re-sent at most this many times (a command may be what kills the connection). */
const maxResends = 2;

/**
 * Bytes of encoded commands that go out at once instead of at the end of the
 * tick: a burst of 100,000 commands then streams to the server while it is
 * still being issued, in a buffer that stays small (not one of megabytes).
 */
const flushAtBytes = 128 * 1024;

/** Validates offline commands (which are encoded later) so bad arguments still throw at once. */
const scratch = new CommandEncoder();
function validate(args: readonly CommandArg[]): void {
  scratch.write(args);
  scratch.truncate(0);
}

/** Resolves like `promise`, or rejects with `signal.reason` when it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const pubsubKinds = new Set([
  "message",
  "pmessage",
  "smessage",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "pong",
]);

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string })?.code;
  if (code === "ECONNREFUSED" || /refused/i.test(text)) return "connection refused";
  return text.replace(/\s*\(os error \d+\)$/, "").toLowerCase() || "unknown error";
}

/**
 * Gives `error` the stack of the call that issued its command: its own first
 * line (name and message), then the frames of `site`.
 */
function callerStack<E>(error: E, site: Error | undefined): E {
  const stack = site?.stack;
  if (stack === undefined || !(error instanceof Error || error instanceof DOMException)) {
    return error;
  }
  const frames = stack.indexOf("\n");
  try {
    Object.defineProperty(error, "stack", {
      value: `${error.name}: ${error.message}${frames < 0 ? "" : stack.slice(frames)}`,
      configurable: true,
      writable: true,
    });
  } catch {
    // A stack that cannot be replaced stays as it is.
  }
  return error;
}

function timeoutError(name: string, ms: number): DOMException {
  return new DOMException(`Cannot run ${name}: no reply within ${ms} ms`, "TimeoutError");
}

const textDecoder = new TextDecoder();

/**
 * A connection to one server. Commands issued before it is connected wait in
 * the offline queue and go out after the handshake, in order.
 */
export class Connection {
  #options: ConnectionOptions;
  #state: State = "idle";
  #conn: Conn | undefined;
  #encoder = new CommandEncoder();
  #decoder: RespDecoder;
  /** Every command encoded and not yet answered, in order. */
  #fifo = new ReplyFifo();
  /**
   * Commands without options may be lean: no store-wide deadline (swept per
   * entry) and no stack capture (kept per entry). Fixed at construction.
   */
  #leanByDefault: boolean;
  /** Set while sendAll() queues a unit: its commands need entry objects. */
  #grouping = false;
  /** How many of the FIFO's front entries are on the wire. */
  #written = 0;
  #flushScheduled = false;
  #writing = false;
  #handshakeReplies: RespValue[] | undefined;
  #handshakeExpected = 0;
  #handshakeDone: ((error?: Error) => void) | undefined;
  #connecting: Promise<void> | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #closedWaiters: (() => void)[] = [];
  #opening: AbortController | undefined;
  #healthTimer: ReturnType<typeof setInterval> | undefined;
  #lastData = 0;
  #lastTick = 0;
  #probing = false;
  /** Protocol the server speaks after the handshake (2 or 3). */
  protocol: 2 | 3 = 2;

  /** @param options How to connect and behave. */
  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#leanByDefault = options.commandTimeout === undefined && !options.captureStack;
    this.#decoder = this.#newDecoder();
  }

  #newDecoder(): RespDecoder {
    const onMessage = this.#options.onMessage;
    if (!onMessage) return new RespDecoder((value) => this.#onValue(value));
    const spans = new MessageSpans();
    return new RespDecoder((value) => this.#onValue(value), {
      scan: (chunk, pos, end) => {
        if (this.#handshakeReplies) return -1;
        const next = scanMessage(chunk, pos, end, spans);
        if (next >= 0) onMessage(spans);
        return next;
      },
    });
  }

  /**
   * Sets the out-of-band hooks (pub/sub) before the first connection.
   *
   * @param hooks Push handler, subscriber mode, reconnect callback.
   */
  configure(
    hooks: Pick<ConnectionOptions, "onPush" | "onMessage" | "onConnect" | "onDown" | "subscriber">,
  ): void {
    this.#options = { ...this.#options, ...hooks };
    // Never swap the decoder under a stream it is in the middle of.
    if (this.#state === "idle") this.#decoder = this.#newDecoder();
  }

  /** Whether the handshake completed and the socket is open. */
  get ready(): boolean {
    return this.#state === "ready";
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** Number of commands awaiting a reply or a write. */
  get pending(): number {
    return this.#fifo.length;
  }

  /**
   * Connects (once) and completes the handshake. Callers share one
   * attempt; while reconnecting, this joins the retry loop.
   *
   * @param signal Stops this caller's wait (the shared attempt goes on).
   * @returns Resolves when ready.
   */
  connect(signal?: AbortSignal): Promise<void> {
    if (this.#state === "closed") {
      return Promise.reject(
        new ConnectionClosedError(`Cannot connect to "${this.#options.address}": it is closed`),
      );
    }
    if (this.#state === "ready") return Promise.resolve();
    if (!this.#connecting) {
      const retry = this.#state === "waiting";
      this.#clearRetry();
      this.#connecting = this.#open(retry).finally(() => this.#connecting = undefined);
      // A failed attempt while reconnecting goes back to the retry loop.
      if (retry) this.#connecting.catch(() => this.#retryAgain());
    }
    return untilAborted(this.#connecting, signal);
  }

  /**
   * Sends a command; resolves with its shaped reply, rejects with a
   * {@linkcode ReplyError} for an error reply.
   *
   * @param args The command and its arguments.
   * @param shape Shapes the raw reply.
   * @param options Deadline and abort signal.
   * @returns The shaped reply.
   */
  send<T>(args: readonly CommandArg[], shape: Shape<T>, options?: SendOptions): Promise<T> {
    const name = typeof args[0] === "string" ? args[0] : String(args[0]);
    if (this.#state === "closed") {
      return Promise.reject(
        new ConnectionClosedError(`Cannot run ${name}: the connection is closed`),
      );
    }
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    const full = this.#offlineFull(1, name);
    if (full) return Promise.reject(full);
    // Ready: encode now (one write per tick). Offline: only validate; the
    // command is encoded once connected.
    if (this.#state === "ready") {
      this.#encoder.write(args);
      if (this.#canBeLean(options)) {
        // The common case: no object of its own until the reply (see ReplyFifo).
        const promise = new Promise<T>(captureSettlers);
        this.#fifo.pushLean(name, shape, settleResolve, settleReject, args);
        if (this.#encoder.length >= flushAtBytes) this.#flush();
        else this.#scheduleFlush();
        return promise;
      }
    } else {
      validate(args);
    }
    const entry = new Pending(
      name,
      shape as Shape<unknown>,
      args,
      options?.errorsAsValues ?? false,
      options?.idempotent ?? false,
      false,
    );
    // The caller's frames are a few below this one (store method, caller).
    if (this.#options.captureStack) entry.site = new Error();
    const promise = new Promise<T>(captureSettlers);
    entry.resolve = settleResolve;
    entry.reject = settleReject;
    this.#fifo.push(entry);
    this.#arm(entry, options);
    if (this.#state === "ready") {
      // Never in the middle of a unit: MULTI ... EXEC goes out in one write.
      if (!this.#grouping && this.#encoder.length >= flushAtBytes) this.#flush();
      else this.#scheduleFlush();
    } else if (this.#state === "idle") this.connect().catch(() => {});
    return promise;
  }

  /**
   * Whether a command sent now needs nothing but its reply: no deadline,
   * signal, retry, error-as-value or unit, so it can be a lean FIFO entry.
   */
  #canBeLean(options: SendOptions | undefined): boolean {
    return !this.#grouping && this.#leanByDefault &&
      (options === undefined ||
        (options.timeout === undefined && options.signal === undefined &&
          !options.errorsAsValues && !options.idempotent));
  }

  /**
   * Sends several commands as one unit (MULTI ... EXEC): either all are
   * queued, in order and with nothing between them, or none is.
   *
   * @param commands The commands and their shapes.
   * @param options Deadline and signal, applied to each.
   * @returns One promise per command.
   * @throws {TypeError} When an argument cannot be encoded (nothing is queued).
   */
  sendAll(
    commands: readonly { args: readonly CommandArg[]; shape: Shape<unknown> }[],
    options?: SendOptions,
  ): Promise<unknown>[] {
    const name = String(commands[0]?.args[0] ?? "batch");
    const refuse = (error: unknown) => commands.map(() => Promise.reject(error));
    if (this.#state === "closed") {
      return refuse(new ConnectionClosedError(`Cannot run ${name}: the connection is closed`));
    }
    if (options?.signal?.aborted) return refuse(options.signal.reason);
    const full = this.#offlineFull(commands.length, name);
    if (full) return refuse(full);
    // Validate every command first so a bad one queues nothing (a MULTI
    // without its EXEC would poison the shared connection).
    for (const { args } of commands) validate(args);
    const start = this.#fifo.length;
    this.#grouping = true;
    let promises: Promise<unknown>[];
    try {
      promises = commands.map(({ args, shape }) => this.send(args, shape, options));
    } finally {
      this.#grouping = false;
    }
    const group: Pending[] = [];
    for (let i = start; i < this.#fifo.length; i++) group.push(this.#fifo.at(i)!);
    for (const entry of group) entry.group = group;
    if (this.#state === "ready" && this.#encoder.length >= flushAtBytes) this.#flush();
    return promises;
  }

  /** The error for commands that do not fit in the offline queue, if any. */
  #offlineFull(count: number, name: string): ConnectionError | undefined {
    if (this.#state === "ready") return undefined;
    const max = this.#options.maxOfflineCommands ?? DEFAULTS.maxOfflineCommands;
    if (this.#fifo.length + count <= max) return undefined;
    return new ConnectionError(
      `Cannot run ${name}: ${max} commands already wait for "${this.#options.address}"`,
    );
  }

  /**
   * Sends a command whose replies arrive as pushes (SUBSCRIBE and friends in
   * subscriber mode), so no reply is expected in the FIFO.
   *
   * @param args The command and its arguments.
   */
  sendNoReply(args: readonly CommandArg[]): void {
    if (this.#state === "closed") {
      throw new ConnectionClosedError(`Cannot run ${args[0]}: the connection is closed`);
    }
    if (this.#state === "ready") {
      this.#encoder.write(args);
      this.#scheduleFlush();
      return;
    }
    validate(args);
    this.#fifo.push(new Pending(String(args[0]), (value) => value, args, false, false, true));
    if (this.#state === "idle") this.connect().catch(() => {});
  }

  /** Sets up the deadline and abort signal of one command. */
  #arm(entry: Pending, options: CallOptions | undefined) {
    const timeout = options?.timeout ?? this.#options.commandTimeout;
    const signal = options?.signal;
    if (timeout === undefined && !signal) return;
    if (options?.timeout === undefined && !signal) {
      // The store-wide default is checked by one sweeper, not a timer each.
      entry.deadline = Date.now() + timeout!;
      this.#startSweeper();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => this.#expire(entry, signal!.reason);
    if (timeout !== undefined) {
      timer = setTimeout(
        () => this.#expire(entry, callerStack(timeoutError(entry.name, timeout), entry.site)),
        timeout,
      );
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    entry.cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
  }

  /** Rejects a command early; its reply, if it comes, is dropped. */
  #expire(entry: Pending, reason: unknown) {
    if (entry.done) return;
    entry.done = true;
    entry.cleanup?.();
    entry.reject(reason);
  }

  #startSweeper() {
    if (this.#sweepTimer !== undefined) return;
    const every = Math.max(5, Math.min(100, (this.#options.commandTimeout ?? 100) / 4));
    this.#sweepTimer = setInterval(() => this.#sweep(), every);
  }

  /** Expires default-deadline commands; they are in deadline order in the FIFO. */
  #sweep() {
    const now = Date.now();
    let live = 0;
    for (let i = 0; i < this.#fifo.length; i++) {
      const deadline = this.#fifo.deadline(i);
      if (deadline === 0 || this.#fifo.done(i)) continue;
      if (deadline > now) {
        live++;
        break;
      }
      const entry = this.#fifo.at(i)!;
      this.#expire(
        entry,
        callerStack(timeoutError(entry.name, this.#options.commandTimeout!), entry.site),
      );
    }
    if (live === 0 && this.#sweepTimer !== undefined) {
      clearInterval(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
  }

  #scheduleFlush() {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Writes everything encoded so far in one write. */
  #flush() {
    this.#flushScheduled = false;
    if (this.#writing || this.#state !== "ready" || this.#encoder.length === 0) return;
    // Lend the encoder's buffer to the socket and take it back once written:
    // no allocation per flush.
    const bytes = this.#encoder.lend();
    // Arguments are dropped once written, unless a drop may re-send them.
    if (!this.#options.resendReadOnly) this.#fifo.written(this.#written, this.#fifo.length);
    this.#written = this.#fifo.length;
    const conn = this.#conn!;
    let pending: Promise<void> | undefined;
    try {
      pending = conn.write(bytes);
    } catch (error) {
      this.#lost(error);
      return;
    }
    if (!pending) {
      this.#encoder.reclaim(bytes);
      return;
    }
    this.#writing = true;
    pending.then(() => {
      if (this.#conn !== conn) return;
      this.#writing = false;
      this.#encoder.reclaim(bytes);
      if (this.#encoder.length > 0) this.#flush();
    }, (error) => {
      if (this.#conn === conn) this.#lost(error);
    });
  }

  async #open(retry: boolean): Promise<void> {
    const { address, connectTimeout = DEFAULTS.connectTimeout } = this.#options;
    this.#state = "connecting";
    const controller = new AbortController();
    this.#opening = controller;
    const timer = setTimeout(
      () =>
        controller.abort(
          new ConnectionError(
            `Cannot connect to "${address}": timed out after ${connectTimeout} ms`,
          ),
        ),
      connectTimeout,
    );
    let conn: Conn | undefined;
    try {
      try {
        conn = await this.#options.open(controller.signal);
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw new ConnectionError(`Cannot connect to "${address}": ${describe(error)}`, {
          cause: error,
        });
      }
      if (this.closed) {
        conn.close();
        throw new ConnectionClosedError(`Cannot connect to "${address}": it was closed`);
      }
      this.#conn = conn;
      this.#decoder.reset();
      const current = conn;
      conn.read({
        data: (chunk) => {
          if (this.#conn !== current) return;
          this.#lastData = Date.now();
          this.#probing = false;
          try {
            this.#decoder.push(chunk);
          } catch (error) {
            this.#lost(error);
          }
        },
        end: (error) => {
          if (this.#conn === current) {
            this.#lost(error ?? new Error("the server closed the connection"));
          }
        },
      });
      await this.#runHandshake(conn, controller.signal);
      this.#state = "ready";
      this.#startHealthCheck();
      const attempt = this.#attempt;
      this.#attempt = 0;
      this.#encodeQueued();
      this.#options.onConnect?.(attempt);
      this.#flush();
    } catch (error) {
      if (this.#conn === conn && conn) {
        this.#conn = undefined;
        conn.close();
      }
      if (!this.closed) {
        // A failed reconnection keeps the queue for the next attempt; a
        // failed first connection fails it at once (no silent hang).
        this.#state = retry ? "waiting" : "idle";
        if (!retry) this.#failQueued(error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (this.#opening === controller) this.#opening = undefined;
    }
  }

  /** Encodes the commands that waited offline, dropping those given up meanwhile. */
  #encodeQueued() {
    const entries = this.#fifo.drain();
    this.#written = 0;
    for (const entry of entries) {
      // A unit is dropped only when all of it was given up (never half a MULTI ... EXEC).
      if (entry.done && !entry.group?.some((member) => !member.done)) continue;
      this.#encoder.write(entry.args!);
      if (!entry.noReply) this.#fifo.push(entry);
    }
  }

  #runHandshake(conn: Conn, signal: AbortSignal): Promise<void> {
    const { handshake } = this.#options;
    return new Promise<void>((resolve, reject) => {
      let round = 0;
      const onAbort = () => finish(signal.reason);
      const finish = (error?: Error) => {
        this.#handshakeDone = undefined;
        this.#handshakeReplies = undefined;
        signal.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve();
      };
      const sendRound = (commands: CommandArg[][]) => {
        if (commands.length === 0) return finish();
        this.#handshakeReplies = [];
        this.#handshakeExpected = commands.length;
        const encoder = new CommandEncoder();
        for (const command of commands) encoder.write(command);
        conn.write(encoder.take())?.catch((error) => finish(error));
      };
      this.#handshakeDone = (error) => {
        if (error) return finish(error);
        try {
          const more = handshake.check(this.#handshakeReplies!, round++);
          if (more) sendRound(more);
          else finish();
        } catch (error) {
          finish(error as Error);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
      sendRound(handshake.commands());
    });
  }

  #onValue(value: RespValue) {
    if (this.#handshakeReplies) {
      this.#handshakeReplies.push(value);
      if (this.#handshakeReplies.length === this.#handshakeExpected) this.#handshakeDone?.();
      return;
    }
    if (value instanceof RespPush) {
      this.#options.onPush?.(value.data);
      return;
    }
    if (this.#options.subscriber && Array.isArray(value) && this.#isPubSubFrame(value)) {
      this.#options.onPush?.(value);
      return;
    }
    const entry = this.#fifo.shift();
    if (!entry) {
      this.#lost(new ProtocolError("Cannot match reply: no command is waiting for it"));
      return;
    }
    this.#written--;
    if (this.#fifo.length === 0) this.#notifyIdle();
    if (entry.done) return;
    entry.done = true;
    entry.cleanup?.();
    if (value instanceof ReplyError) {
      if (value.code === "NOSCRIPT") value = new NoScriptError(value.message);
      value.command = entry.name;
      if (entry.site !== undefined) callerStack(value, entry.site);
      if (entry.errorsAsValues) entry.resolve(value);
      else entry.reject(value);
      return;
    }
    try {
      entry.resolve(entry.shape(value));
    } catch (error) {
      entry.reject(error);
    }
  }

  #isPubSubFrame(frame: RespValue[]): boolean {
    const kind = frame[0];
    if (kind instanceof Uint8Array) {
      if (kind.length > 12) return false;
      return pubsubKinds.has(textDecoder.decode(kind));
    }
    return false;
  }

  /** Rejects commands already written; keeps the unwritten ones for the next connection. */
  #lost(error: unknown) {
    const conn = this.#conn;
    if (!conn) return;
    this.#conn = undefined;
    this.#stopHealthCheck();
    conn.close();
    this.#handshakeDone?.(
      new ConnectionError(`Cannot connect to "${this.#options.address}": ${describe(error)}`, {
        cause: error,
      }),
    );
    const reason = error instanceof ProtocolError ? error : undefined;
    const resend: Pending[] = [];
    const canResend = this.#state === "ready" && this.#options.reconnect !== false;
    // A lean entry comes out of shift() as a shared view without its
    // arguments; one that may be re-sent is made an object of its own first.
    const materialize = canResend && this.#options.resendReadOnly === true;
    for (let i = 0; i < this.#written; i++) {
      if (materialize) this.#fifo.at(0);
      const entry = this.#fifo.shift()!;
      if (entry.done) continue;
      if (canResend && entry.resends < maxResends && this.#mayReplay(entry)) {
        entry.resends++;
        resend.push(entry);
        continue;
      }
      entry.done = true;
      entry.cleanup?.();
      entry.reject(
        new ConnectionClosedError(
          `Cannot run ${entry.name}: the connection to "${this.#options.address}" closed before its reply (${
            describe(error)
          })`,
          { cause: reason ?? error },
        ),
      );
    }
    // Unwritten commands keep their arguments: drop their bytes and encode
    // them again once reconnected, after the re-sent idempotent ones.
    this.#encoder.take();
    if (resend.length > 0) {
      const rest = this.#fifo.drain();
      for (const entry of resend) this.#fifo.push(entry);
      for (const entry of rest) this.#fifo.push(entry);
    }
    this.#written = 0;
    this.#writing = false;
    // The encoder holds only never-written commands: they go out after reconnecting.
    if (this.#state === "ready") {
      this.#state = "waiting";
      this.#scheduleReconnect();
    }
    this.#notifyIdle();
  }

  /** Whether a written command may be sent again after a drop. */
  #mayReplay(entry: Pending): boolean {
    if (entry.idempotent) return true;
    return this.#options.resendReadOnly === true && entry.group === undefined &&
      entry.args !== undefined && (commandFlags(entry.args) & MAY_REPLAY) !== 0;
  }

  #startHealthCheck() {
    const limit = this.#options.healthCheck ?? 0;
    if (!(limit > 0) || this.#healthTimer !== undefined) return;
    this.#lastData = this.#lastTick = Date.now();
    const every = Math.max(10, limit / 4);
    this.#healthTimer = setInterval(() => this.#checkHealth(limit, every), every);
  }

  #stopHealthCheck() {
    if (this.#healthTimer !== undefined) {
      clearInterval(this.#healthTimer);
      this.#healthTimer = undefined;
    }
    this.#probing = false;
  }

  /** Declares a silent peer dead, or probes an idle one. */
  #checkHealth(limit: number, every: number) {
    if (this.#state !== "ready") return;
    const now = Date.now();
    // A tick far later than scheduled means this process's event loop was
    // blocked (e.g. by an in-process server building a huge reply): the
    // peer was not silent, we were not listening. Start a fresh window.
    if (now - this.#lastTick > 2 * every) this.#lastData = now;
    this.#lastTick = now;
    const silent = now - this.#lastData;
    if (silent < limit) return;
    if (this.#written > 0 || this.#probing) {
      this.#lost(new Error(`no reply from the server for ${limit} ms`));
      return;
    }
    this.#probing = true;
    this.#lastData = Date.now();
    if (this.#options.subscriber) this.sendNoReply(["PING"]);
    else this.send(["PING"], (value) => value).catch(() => {});
  }

  #scheduleReconnect() {
    const policy = this.#options.reconnect;
    if (policy === false) {
      this.#state = "idle";
      this.#down(
        new ConnectionClosedError(`Cannot reach "${this.#options.address}": the connection closed`),
      );
      return;
    }
    const { retries, minDelay, maxDelay } = { ...DEFAULTS.reconnect, ...policy };
    if (this.#attempt >= retries) {
      this.#state = "idle";
      this.#attempt = 0;
      this.#down(
        new ConnectionError(
          `Cannot reach "${this.#options.address}": gave up after ${retries} reconnection attempts`,
        ),
      );
      return;
    }
    const base = Math.min(maxDelay, minDelay * 2 ** this.#attempt);
    const delay = base / 2 + Math.random() * base / 2;
    this.#attempt++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state !== "waiting" || this.#connecting) return;
      this.#connecting = this.#open(true).finally(() => this.#connecting = undefined);
      this.#connecting.catch(() => this.#retryAgain());
    }, delay);
  }

  /** The connection is down for good: fail what waits and tell the owner. */
  #down(error: Error) {
    this.#failQueued(error);
    try {
      this.#options.onDown?.(error);
    } catch { /* the owner's problem; the connection is down either way */ }
  }

  #retryAgain() {
    if (this.#state === "waiting" && !this.#retryTimer && !this.#connecting) {
      this.#scheduleReconnect();
    }
  }

  #clearRetry() {
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
  }

  /** Rejects every command still waiting to be written. */
  #failQueued(error: unknown) {
    const entries = this.#fifo.drain();
    this.#encoder.take();
    this.#written = 0;
    for (const entry of entries) {
      if (entry.done) continue;
      entry.done = true;
      entry.cleanup?.();
      entry.reject(error);
    }
    this.#notifyIdle();
  }

  /** Whether some command still waits for its reply (timed-out ones do not). */
  #hasLiveCommands(): boolean {
    for (let i = 0; i < this.#fifo.length; i++) if (!this.#fifo.done(i)) return true;
    return false;
  }

  #notifyIdle() {
    if (this.#fifo.length > 0) return;
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const waiter of waiters) waiter();
    if (this.#sweepTimer !== undefined) {
      clearInterval(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
  }

  /**
   * Closes the connection. Commands already sent get up to `graceMs`
   * milliseconds to be answered; whatever is left is rejected with a
   * {@linkcode ConnectionClosedError}.
   *
   * @param graceMs How long to wait for pending replies.
   * @returns Resolves once the socket is closed.
   */
  async close(graceMs = 1000): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#state === "ready" && this.#hasLiveCommands() && graceMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#closedWaiters.push(resolve);
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    this.#state = "closed";
    this.#clearRetry();
    this.#stopHealthCheck();
    this.#opening?.abort(
      new ConnectionClosedError(`Cannot connect to "${this.#options.address}": it was closed`),
    );
    const conn = this.#conn;
    this.#conn = undefined;
    this.#handshakeDone?.(
      new ConnectionClosedError(`Cannot connect to "${this.#options.address}": it was closed`),
    );
    conn?.close();
    const entries = this.#fifo.drain();
    this.#written = 0;
    for (const entry of entries) {
      if (entry.done) continue;
      entry.done = true;
      entry.cleanup?.();
      entry.reject(new ConnectionClosedError(`Cannot run ${entry.name}: the store was closed`));
    }
    this.#notifyIdle();
    try {
      this.#options.onDown?.(
        new ConnectionClosedError(
          `Cannot use "${this.#options.address}": the connection was closed`,
        ),
      );
    } catch { /* see #down */ }
  }
}
