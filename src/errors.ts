/**
 * Every public error class of the library. Each sets `name`, accepts
 * `ErrorOptions` (so the underlying `cause` is kept) and says in its message
 * what failed and why.
 *
 * @module
 */

/**
 * An error reply from the server (`-ERR ...`, `-WRONGTYPE ...`).
 *
 * Inside a pipeline or transaction it is that entry's value; anywhere else the
 * command's promise rejects with it.
 *
 * @example Inspect the code of a failed command
 * ```ts
 * import { ReplyError } from "@pulsar/datastore";
 *
 * const error = new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value");
 * console.log(error.code); // "WRONGTYPE"
 * ```
 */
export class ReplyError extends Error {
  /** The first word of the reply, e.g. `ERR`, `WRONGTYPE`, `NOAUTH`. */
  readonly code: string;
  /** The command that failed, when known (arguments are never kept). */
  command?: string;

  /**
   * Creates the error.
   *
   * @param message The server's error text, code first.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReplyError";
    const space = message.indexOf(" ");
    this.code = space === -1 ? message : message.slice(0, space);
  }
}

/**
 * A connection could not be made or the handshake failed.
 *
 * @example Catch a refused connection
 * ```ts
 * import { ConnectionError } from "@pulsar/datastore";
 *
 * const error = new ConnectionError('Cannot connect to "127.0.0.1:1": connection refused');
 * console.log(error instanceof ConnectionError); // true
 * ```
 */
export class ConnectionError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed and why.
   * @param options Standard error options; `cause` keeps the runtime's error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/**
 * The connection closed while the command was pending, or the store was
 * closed. A command that was already written may or may not have run.
 *
 * @example Tell a closed connection apart from other errors
 * ```ts
 * import { ConnectionClosedError } from "@pulsar/datastore";
 *
 * const error = new ConnectionClosedError("Cannot run GET: the connection is closed");
 * console.log(error.name); // "ConnectionClosedError"
 * ```
 */
export class ConnectionClosedError extends ConnectionError {
  /**
   * Creates the error.
   *
   * @param message What failed and why.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionClosedError";
  }
}

/**
 * The peer sent bytes that are not valid RESP, or that exceed a configured
 * limit (bulk length, nesting depth). The connection is closed after it.
 *
 * @example A protocol error names the offending byte
 * ```ts
 * import { ProtocolError } from "@pulsar/datastore";
 *
 * const error = new ProtocolError('Cannot parse reply: unknown type byte "?"');
 * console.log(error.message);
 * ```
 */
export class ProtocolError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed and why.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/**
 * A transaction was aborted because a watched key changed (EXEC replied nil).
 *
 * @example
 * ```ts
 * import { WatchError } from "@pulsar/datastore";
 *
 * const error = new WatchError("Cannot commit transaction: a watched key changed");
 * console.log(error.name); // "WatchError"
 * ```
 */
export class WatchError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed and why.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WatchError";
  }
}

/**
 * A script was not in the server's script cache (NOSCRIPT).
 *
 * @example
 * ```ts
 * import { NoScriptError } from "@pulsar/datastore";
 *
 * const error = new NoScriptError("NOSCRIPT No matching script.");
 * console.log(error.code); // "NOSCRIPT"
 * ```
 */
export class NoScriptError extends ReplyError {
  /**
   * Creates the error.
   *
   * @param message The server's error text.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NoScriptError";
  }
}

/**
 * A lock could not be acquired in time, or was released or extended while no
 * longer owned.
 *
 * @example
 * ```ts
 * import { LockError } from "@pulsar/datastore";
 *
 * const error = new LockError('Cannot release lock "jobs": it is no longer owned');
 * console.log(error.name); // "LockError"
 * ```
 */
export class LockError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed and why.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LockError";
  }
}
