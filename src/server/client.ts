/**
 * One connection to the embedded server: decodes requests, dispatches them
 * (arity, auth, pub/sub context, MULTI queueing), batches every reply produced
 * by one input chunk into a single write, and blocks/unblocks.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { ARGUMENT_COST, REQUEST_COST, RequestParser } from "../protocol/request_parser.ts";
import { formatDouble17g, ReplyWriter } from "../protocol/reply_writer.ts";
import type { RespValue } from "../protocol/types.ts";
import type { Conn } from "../transport/types.ts";
import {
  type Command,
  FLAG_ADMIN,
  FLAG_NO_AUTH,
  FLAG_NO_MULTI,
  FLAG_NO_QUEUE,
  FLAG_PUBSUB_CONTEXT,
  FLAG_SKIP_MONITOR,
} from "./commands/mod.ts";
import { OOM_ERROR, refuseForMemory } from "./eviction.ts";
import type { Database, Watcher } from "./keyspace.ts";
import type { ServerCore as PulsarServer } from "./server.ts";
import type { BlockRequest, ClientInfo, CommandContext } from "./types.ts";
import { lowerWord, toKey } from "./args.ts";
import { clearLongTimeout, type LongTimer, setLongTimeout } from "./long_timer.ts";
import { CommandPacker, type QueuedCommand } from "./queued_command.ts";

const EMPTY_ARGS: Uint8Array[] = [];

/**
 * Unsent output (bytes) above which a client's next requests wait in its
 * input queue instead of running: a client that does not read its replies
 * stops its own commands, rather than growing its output without bound.
 */
const OUTPUT_HIGH_WATER = 1024 * 1024;
/**
 * Queued input (in `requestCost` bytes) above which the connection stops
 * reading (`Conn.pause`): the rest waits in the kernel, and TCP back-pressure
 * reaches the sender. Reading resumes once the queue has drained below half.
 */
const INPUT_HIGH_WATER = 256 * 1024;

/** What a parsed request costs in memory, in bytes (see `ARGUMENT_COST`). */
function requestCost(value: RespValue): number {
  if (!Array.isArray(value)) return REQUEST_COST;
  let cost = REQUEST_COST;
  for (const arg of value) cost += ARGUMENT_COST + (arg instanceof Uint8Array ? arg.length : 0);
  return cost;
}

/** State of a blocked client. */
export interface BlockState {
  /** What the command registered. */
  readonly request: BlockRequest;
  /** The database the keys live in. */
  readonly db: Database;
  /** The timeout timer, if any (a long timer: timeouts may exceed 24.8 days). */
  timer: LongTimer | undefined;
  /** Absolute deadline (epoch ms), 0 = forever. */
  readonly deadline: number;
}

/** A watched key. */
interface WatchedKey {
  db: Database;
  key: string;
}

/** The transaction state, also the WATCH dirty flag holder. */
class Transaction implements Watcher {
  dirty = false;
}

function sanitize(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

/** A connected client. It is also the context its commands run in. */
export class Client implements CommandContext, ClientInfo {
  /** Unique id (`CLIENT ID`). */
  readonly id: number;
  /** The server. */
  readonly server: PulsarServer;
  /** The connection. */
  readonly conn: Conn;
  /** Replies accumulate here until the end of the input chunk. */
  readonly reply: ReplyWriter = new ReplyWriter();
  /** Current command arguments. */
  args: Uint8Array[] = EMPTY_ARGS;
  /** RESP version. */
  protocol: 2 | 3 = 2;
  /** Selected database. */
  db: Database;
  /** `CLIENT SETNAME`. */
  name = "";
  /** Passed AUTH (or no password is set). */
  authenticated: boolean;
  /** Creation time (epoch ms). */
  readonly createdAt: number = Date.now();
  /** Last command time (epoch ms). */
  lastInteraction: number = this.createdAt;
  /** Last command name, for CLIENT LIST. */
  lastCommand = "NULL";
  /** Queued commands inside MULTI (arguments packed, see `./queued_command.ts`), or null. */
  multi: QueuedCommand[] | null = null;
  /** An error was seen while queueing: EXEC aborts. */
  multiError = false;
  /** Running EXEC. */
  inExec = false;
  /** Watch dirty flag. */
  readonly transaction: Transaction = new Transaction();
  /** WATCHed keys. */
  watched: WatchedKey[] = [];
  /** SUBSCRIBE channels. */
  readonly channels: Set<string> = new Set();
  /** PSUBSCRIBE patterns. */
  readonly patterns: Set<string> = new Set();
  /** SSUBSCRIBE channels. */
  readonly shardChannels: Set<string> = new Set();
  /** MONITOR mode. */
  monitor = false;
  /** Blocked on keys, or null. */
  blocked: BlockState | null = null;
  /** Closed (or closing after the pending reply). */
  closed = false;
  /** Close once the pending reply is written (QUIT, protocol error). */
  closeAfterReply = false;
  /** Bytes written by the client so far (stats). */
  inputBytes = 0;

  readonly #decoder: RequestParser;
  #queue: RespValue[] = [];
  #queueHead = 0;
  /** The memory the queued requests take (`requestCost`). */
  #queuedCost = 0;
  /** Reading is paused (`Conn.pause`) until the queue drains. */
  #paused = false;
  /** When unsent output first reached the soft output limit (epoch ms); 0 = under it. */
  #softLimitSince = 0;
  #writing = false;
  #pendingBytes = 0;
  /** The last command looked up, by the identity of its name argument. */
  #lastName: Uint8Array | null = null;
  #lastCommand: Command | undefined = undefined;
  /** The reply bytes the connection is writing (given back when written). */
  #inFlight: Uint8Array | null = null;
  #flushQueued = false;
  /** Packs the arguments of commands queued by MULTI. */
  #packer: CommandPacker | null = null;

  /**
   * @param server The server.
   * @param conn The connection.
   * @param id The client id.
   */
  constructor(server: PulsarServer, conn: Conn, id: number) {
    this.server = server;
    this.conn = conn;
    this.id = id;
    this.db = server.databases[0];
    this.authenticated = server.config.requirepass === "";
    // Redis 7.0 (our oracle) prints doubles with %.17g.
    this.reply.formatDouble = formatDouble17g;
    this.#decoder = new RequestParser((value) => this.#onValue(value), {
      maxBulkLength: server.config.maxBulkLength,
      maxArrayLength: 2147483647, // Redis refuses counts above INT_MAX
      maxInlineLength: 64 * 1024,
    });
  }

  /** The client itself (it is its own context). */
  get client(): ClientInfo {
    return this;
  }

  /** Selected database index. */
  get dbIndex(): number {
    return this.db.index;
  }

  /** Inside MULTI or EXEC. */
  get inTransaction(): boolean {
    return this.multi !== null || this.inExec;
  }

  /** The number of channel + pattern + shard subscriptions. */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** Starts reading. */
  start(): void {
    this.conn.read({
      data: (chunk) => this.#onData(chunk),
      end: () => this.close(),
    });
  }

  #onData(chunk: Uint8Array): void {
    // After a protocol error the rest of the input is ignored until the close.
    if (this.closed || this.closeAfterReply) return;
    this.inputBytes += chunk.length;
    this.lastInteraction = Date.now();
    // The decoder copies every argument out of `chunk` (the adapter may reuse it).
    try {
      this.#decoder.push(chunk);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#protocolError(error.message);
      } else {
        // A server bug: drop this client, keep the others (and the process) going.
        this.server.log(`Client id=${this.id} input threw: ${(error as Error)?.stack ?? error}`);
        this.close();
        return;
      }
    }
    if (!this.closed && this.#overQueryLimit()) return;
    // Requests queued behind this chunk's replies run once those are written;
    // a write taken at once (no promise) leaves that to us.
    if (this.#queueHead < this.#queue.length) this.resume();
    else this.flush();
    this.server.flushDirty();
  }

  /**
   * Closes the client when its input (the request being parsed plus the
   * queued ones, in real memory) is over `client-query-buffer-limit`.
   */
  #overQueryLimit(): boolean {
    const used = this.#decoder.buffered + this.#queuedCost;
    if (used <= this.server.config.maxQueryBuffer) return false;
    this.server.log(
      `Closing client id=${this.id} addr=${this.conn.remoteAddr}: query buffer of ${used} bytes is over client-query-buffer-limit`,
    );
    this.close();
    return true;
  }

  #protocolError(message: string): void {
    let text = message;
    if (!/^Protocol error/i.test(text)) text = `Protocol error: ${text}`;
    this.reply.error(`ERR ${sanitize(text)}`);
    this.closeAfterReply = true;
    this.flush();
  }

  #onValue(value: RespValue): void {
    if (this.closed || this.closeAfterReply) return;
    if (
      this.blocked !== null || this.#queueHead < this.#queue.length ||
      this.pendingOutput > OUTPUT_HIGH_WATER
    ) {
      this.#queue.push(value);
      this.#queuedCost += requestCost(value);
      if (this.#overQueryLimit()) return;
      if (!this.#paused && this.#queuedCost > INPUT_HIGH_WATER) {
        this.#paused = true;
        this.conn.pause?.();
      }
      return;
    }
    this.#handle(value);
  }

  #handle(value: RespValue): void {
    if (!Array.isArray(value)) {
      if (value === null) return;
      this.#protocolError(`Protocol error: expected '*', got '${typeChar(value)}'`);
      return;
    }
    if (value.length === 0) return;
    for (let i = 0; i < value.length; i++) {
      if (!(value[i] instanceof Uint8Array)) {
        this.#protocolError(
          value[i] === null
            ? "Protocol error: invalid bulk length"
            : `Protocol error: expected '$', got '${typeChar(value[i])}'`,
        );
        return;
      }
    }
    this.execute(value as Uint8Array[]);
    if (this.server.hasReadyKeys) this.server.handleReadyKeys();
  }

  /** Runs queued input after an unblock or a drained write; reads again once it drained. */
  resume(): void {
    for (;;) {
      while (
        this.#queueHead < this.#queue.length && this.blocked === null && !this.closed &&
        !this.closeAfterReply && this.pendingOutput <= OUTPUT_HIGH_WATER
      ) {
        const value = this.#queue[this.#queueHead];
        this.#queue[this.#queueHead++] = null;
        this.#queuedCost -= requestCost(value);
        this.#handle(value);
      }
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
        this.#queuedCost = 0;
      }
      this.flush();
      // A write taken at once (no back-pressure) leaves nothing to wait for: go on.
      if (
        this.#writing || this.#queueHead === this.#queue.length || this.blocked !== null ||
        this.closed || this.closeAfterReply
      ) break;
    }
    if (this.#paused && !this.closed && this.#queuedCost <= INPUT_HIGH_WATER / 2) {
      this.#paused = false;
      this.conn.resume?.();
    }
  }

  /** Checks and runs (or queues, inside MULTI) one command. */
  execute(args: Uint8Array[]): void {
    const server = this.server;
    // The parser hands out the same name array for repeated command names.
    const name = args[0];
    let command = name === this.#lastName ? this.#lastCommand : server.table.lookup(name);
    if (command !== undefined) {
      this.#lastName = name;
      this.#lastCommand = command;
    } else {
      let rest = "";
      for (let i = 1; i < args.length && rest.length < 128; i++) {
        rest += `'${toKey(args[i].subarray(0, 128 - rest.length))}' `;
      }
      this.#reject(
        `ERR unknown command '${
          toKey(args[0].subarray(0, 128))
        }', with args beginning with: ${rest}`,
      );
      return;
    }
    if (command.subcommands !== null) {
      if (args.length < 2) {
        this.#reject(`ERR wrong number of arguments for '${command.fullName}' command`);
        return;
      }
      const sub = command.subcommands.get(lowerWord(args[1].subarray(0, 64)));
      if (sub === undefined) {
        this.#reject(
          `ERR unknown subcommand '${
            toKey(args[1].subarray(0, 128))
          }'. Try ${command.spec.name.toUpperCase()} HELP.`,
        );
        return;
      }
      command = sub;
    }
    const arity = command.spec.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      this.#reject(`ERR wrong number of arguments for '${command.fullName}' command`, command);
      return;
    }
    const bits = command.bits;
    if (!this.authenticated && (bits & FLAG_NO_AUTH) === 0) {
      this.#reject("NOAUTH Authentication required.", command);
      return;
    }
    // Like Redis: checked before queueing, so EXEC then aborts (SHUTDOWN, SAVE...).
    if (this.multi !== null && (bits & FLAG_NO_MULTI) !== 0) {
      this.#reject("ERR Command not allowed inside a transaction", command);
      return;
    }
    if (
      this.protocol === 2 && (bits & FLAG_PUBSUB_CONTEXT) === 0 &&
      (this.channels.size !== 0 || this.patterns.size !== 0 || this.shardChannels.size !== 0)
    ) {
      this.#reject(
        `ERR Can't execute '${command.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
        command,
      );
      return;
    }
    // maxmemory: evict, or refuse denyoom commands (and queueing) with OOM.
    if (server.config.maxmemory !== 0 && refuseForMemory(server, this, command)) {
      this.#reject(OOM_ERROR, command);
      return;
    }
    if (this.multi !== null && (bits & FLAG_NO_QUEUE) === 0) {
      this.multi.push((this.#packer ??= new CommandPacker()).pack(command, args));
      this.reply.simple("QUEUED");
      return;
    }
    this.call(command, args);
  }

  #reject(message: string, command?: Command): void {
    if (command !== undefined && command.spec.name === "exec") {
      // Like Redis's execCommandAbort: a refused EXEC discards the transaction.
      this.multi = null;
      this.multiError = false;
      this.unwatchAll();
      const reason = message.startsWith("ERR ") ? message.slice(4) : message;
      this.reply.error(`EXECABORT Transaction discarded because of: ${sanitize(reason)}`);
      return;
    }
    if (this.multi !== null) this.multiError = true;
    this.reply.error(sanitize(message));
  }

  /** Runs a command that passed the checks. */
  call(command: Command, args: Uint8Array[]): void {
    const server = this.server;
    command.calls++;
    server.stats.commandsProcessed++;
    this.lastCommand = command.fullName;
    const saved = this.args;
    this.args = args;
    try {
      command.spec.run(this);
    } catch (error) {
      // A bug in a command must not kill the server; reply like Redis would to a failure.
      this.reply.error(`ERR internal error in '${command.fullName}': ${sanitize(String(error))}`);
      server.log(`Command ${command.fullName} threw: ${(error as Error)?.stack ?? error}`);
    }
    this.args = saved;
    // After the command, as Redis 7.0 does (EXEC shows after the commands it ran);
    // administrative commands are never shown.
    if (server.monitors.size !== 0 && (command.bits & (FLAG_SKIP_MONITOR | FLAG_ADMIN)) === 0) {
      server.feedMonitors(this, this.db.index, command, args);
    }
  }

  /** Blocks this client (see `BlockRequest`). */
  block(request: BlockRequest): void {
    if (this.inTransaction) {
      if (request.onTimeout !== undefined) request.onTimeout(this.reply);
      else this.reply.nullArray();
      return;
    }
    // A non-finite timeout (never from our parsers) blocks forever rather than firing at once.
    const timeoutMs = request.timeoutMs < Infinity ? request.timeoutMs : 0;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    const state: BlockState = { request, db: this.db, timer: undefined, deadline };
    this.blocked = state;
    for (const key of request.keys) {
      let clients = this.db.blocked.get(key);
      if (clients === undefined) {
        clients = new Set();
        this.db.blocked.set(key, clients);
      }
      clients.add(this);
    }
    this.server.blockedClients++;
    if (deadline !== 0) {
      state.timer = setLongTimeout(() => {
        if (this.blocked !== state) return;
        this.unblock();
        if (request.onTimeout !== undefined) request.onTimeout(this.reply);
        else this.reply.nullArray();
        this.flush();
        this.resume();
        this.server.flushDirty();
      }, timeoutMs);
    }
  }

  /** Leaves the blocked state (no reply written). */
  unblock(): void {
    const state = this.blocked;
    if (state === null) return;
    this.blocked = null;
    this.server.blockedClients--;
    if (state.timer !== undefined) clearLongTimeout(state.timer);
    for (const key of state.request.keys) {
      const clients = state.db.blocked.get(key);
      if (clients === undefined) continue;
      clients.delete(this);
      if (clients.size === 0) state.db.blocked.delete(key);
    }
  }

  /** Watches `key` in the current database. */
  watch(key: string): void {
    for (const watched of this.watched) {
      if (watched.db === this.db && watched.key === key) return;
    }
    // Expire first: a key already expired at WATCH time is logically absent.
    this.db.get(key);
    this.watched.push({ db: this.db, key });
    let watchers = this.db.watchers.get(key);
    if (watchers === undefined) {
      watchers = new Set();
      this.db.watchers.set(key, watchers);
    }
    watchers.add(this.transaction);
  }

  /** Forgets every watched key and clears the dirty flag. */
  unwatchAll(): void {
    for (const { db, key } of this.watched) {
      const watchers = db.watchers.get(key);
      if (watchers === undefined) continue;
      watchers.delete(this.transaction);
      if (watchers.size === 0) db.watchers.delete(key);
    }
    this.watched = [];
    this.transaction.dirty = false;
  }

  /** True when a watched key changed (or expired) since WATCH. */
  watchedKeysChanged(): boolean {
    for (const { db, key } of this.watched) db.get(key); // lazy expiry touches
    return this.transaction.dirty;
  }

  /**
   * Marks this client for a flush at the end of the current event (after
   * another client wrote to it: a message, a MONITOR line, an unblock), and
   * enforces its output-buffer limit.
   */
  markDirty(): void {
    if (this.closed || this.overOutputLimit()) return;
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    this.server.dirtyClients.push(this);
  }

  /** The memory the client's input holds: queued requests plus the one being parsed. */
  get pendingInput(): number {
    return this.#queuedCost + this.#decoder.buffered;
  }

  /** Bytes waiting to be written: being written plus replied since. */
  get pendingOutput(): number {
    return this.#pendingBytes + this.reply.length;
  }

  /**
   * Applies Redis's `client-output-buffer-limit` to this client's unsent
   * output: over the hard limit, or at or over the soft limit for longer than
   * its seconds, the client is closed at once (its output dropped). Subscribed
   * clients use the `pubsub` class, others `normal`; MONITOR clients use
   * `pubsub` too (Redis counts them as `normal`, unlimited by default, and an
   * unread MONITOR would then grow without bound).
   *
   * @returns true when the client was closed.
   */
  overOutputLimit(): boolean {
    const limits = this.server.config.outputBufferLimits;
    const limit = this.monitor || this.subscriptionCount !== 0 ? limits.pubsub : limits.normal;
    if (limit.hard === 0 && limit.soft === 0) return false;
    const used = this.pendingOutput;
    let over = limit.hard !== 0 && used >= limit.hard;
    if (limit.soft !== 0 && used >= limit.soft) {
      const now = Date.now();
      if (this.#softLimitSince === 0) this.#softLimitSince = now;
      else if (now - this.#softLimitSince > limit.softSeconds * 1000) over = true;
    } else {
      this.#softLimitSince = 0;
    }
    if (!over) return false;
    this.server.log(
      `Closing client id=${this.id} addr=${this.conn.remoteAddr}: ${used} bytes of output over client-output-buffer-limit (${
        limit === limits.normal ? "normal" : "pubsub"
      })`,
    );
    this.close();
    return true;
  }

  /** Writes everything replied so far in one write. */
  flush(): void {
    this.#flushQueued = false;
    if (this.closed || this.overOutputLimit()) return;
    if (this.#writing) return;
    if (this.reply.length === 0) {
      if (this.closeAfterReply) this.close();
      return;
    }
    // The reply buffer is lent to the connection, not copied, and reused once written.
    const bytes = this.reply.lend();
    let pending: Promise<void> | undefined;
    try {
      pending = this.conn.write(bytes);
    } catch {
      this.close();
      return;
    }
    if (pending === undefined) {
      this.reply.reclaim(bytes);
      if (this.closeAfterReply) this.close();
      return;
    }
    this.#writing = true;
    this.#pendingBytes = bytes.length;
    this.#inFlight = bytes;
    pending.then(this.#onWritten, this.#onWriteFailed);
  }

  readonly #onWritten = (): void => {
    this.#writing = false;
    this.#pendingBytes = 0;
    const written = this.#inFlight;
    this.#inFlight = null;
    if (this.closed) return;
    if (written !== null) this.reply.reclaim(written);
    this.flush();
    if (this.#queueHead < this.#queue.length || this.#paused) {
      this.resume();
      this.server.flushDirty();
    }
  };

  readonly #onWriteFailed = (): void => {
    this.#inFlight = null;
    this.close();
  };

  /** Closes the connection and drops every subscription, watch and block. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unblock();
    this.unwatchAll();
    this.server.pubsub.unsubscribeAll(this);
    this.server.monitors.delete(this);
    this.server.clients.delete(this.id);
    this.#queue = [];
    this.#decoder.reset();
    // Deferred: close() may run inside the adapter's data callback.
    queueMicrotask(() => {
      try {
        this.conn.close();
      } catch {
        // already closed
      }
    });
  }

  /** Resets the connection state (RESET command). */
  resetState(): void {
    this.multi = null;
    this.multiError = false;
    this.unwatchAll();
    this.server.pubsub.unsubscribeAll(this);
    this.monitor = false;
    this.server.monitors.delete(this);
    this.protocol = 2;
    this.reply.protocol = 2;
    this.db = this.server.databases[0];
    this.name = "";
    this.authenticated = this.server.config.requirepass === "";
  }
}

function typeChar(value: RespValue): string {
  if (typeof value === "number" || typeof value === "bigint") return ":";
  if (typeof value === "string") return "+";
  if (Array.isArray(value)) return "*";
  return "?";
}
