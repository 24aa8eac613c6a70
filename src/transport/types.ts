/**
 * The only seam between the library and the runtime: byte-stream connections
 * and listeners. Adapters for Deno, Bun and an in-memory pair implement it;
 * nothing outside `src/transport/` touches a runtime global.
 *
 * @module
 */

/** Receives what a {@linkcode Conn} reads. */
export interface ConnSink {
  /**
   * Bytes from the peer. The chunk is only valid during the call (adapters
   * may reuse the buffer): copy what you keep.
   */
  data(chunk: Uint8Array): void;
  /** The peer closed, or the connection failed (`error` set); called once. */
  end(error?: Error): void;
}

/** A byte-stream connection, independent of the runtime that opened it. */
export interface Conn {
  /** Starts delivering bytes to `sink`; call once. */
  read(sink: ConnSink): void;
  /**
   * Queues all of `bytes` for writing. The adapter may keep a reference to
   * `bytes` until the returned promise (if any) settles, so do not reuse the
   * buffer before then. Returns `undefined` when the bytes were taken at
   * once, or a promise that settles when they are all written (back-pressure).
   */
  write(bytes: Uint8Array): Promise<void> | undefined;
  /** Closes the connection; idempotent. The sink's `end` is called. */
  close(): void;
  /**
   * Stops delivering data to the sink until {@linkcode Conn.resume}; idempotent.
   * Unread bytes wait where the runtime keeps them (the kernel's socket
   * buffer, so TCP back-pressure reaches the sender; in memory, the peer's
   * `write` promise stays pending). A chunk already read may be held and is
   * delivered, in order, after `resume`. The peer's end of stream waits too.
   * Every adapter in this package implements it.
   */
  pause?(): void;
  /**
   * Delivers held and new data to the sink again (in a later task, never
   * inside this call); idempotent.
   */
  resume?(): void;
  /** Where the peer is, for messages (e.g. `"127.0.0.1:6379"`). */
  readonly remoteAddr: string;
}

/** Where to connect: TCP (optionally TLS) or a unix socket path. */
export interface ConnectOptions {
  /** Host name or IP (IPv6 without brackets). */
  hostname?: string;
  /** TCP port. */
  port?: number;
  /** A unix socket path; when set, `hostname` and `port` are ignored. */
  path?: string;
  /** Use TLS: `true`, or options such as the certificates to trust. */
  tls?: boolean | TlsOptions;
  /** Aborts the attempt; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** TLS settings of a connection. */
export interface TlsOptions {
  /** PEM certificates to trust besides the system's (e.g. a private CA). */
  caCerts?: string[];
}

/** Opens a connection. */
export type Connect = (options: ConnectOptions) => Promise<Conn>;

/** Where to listen. */
export interface ListenOptions {
  /**
   * The address to bind.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** 0 asks the OS for a free port. */
  port: number;
  /** A unix socket path instead of TCP. */
  path?: string;
  /**
   * Told when accepting a connection fails (e.g. EMFILE: out of file
   * descriptors) or `onConn` throws; the listener backs off briefly and keeps
   * accepting, and never throws into the runtime. Bun does not report failed
   * accepts (it retries on its own), only connections that failed to start.
   * @default {undefined}
   */
  onError?: (error: Error) => void;
}

/** A listening socket. */
export interface Listener {
  /** The bound address; `port` is the real one when 0 was asked. */
  readonly addr: { hostname: string; port: number };
  /** Stops accepting; idempotent. Open connections stay open. */
  close(): void;
}

/** Starts listening; `onConn` is called for every accepted connection. */
export type Listen = (options: ListenOptions, onConn: (conn: Conn) => void) => Promise<Listener>;

/** What a runtime adapter provides. */
export interface Runtime {
  /** The runtime's name, e.g. `"deno"` or `"bun"`. */
  readonly name: string;
  /** Opens a connection. */
  readonly connect: Connect;
  /** Listens for connections. */
  readonly listen: Listen;
  /**
   * Decodes the UTF-8 text in `bytes[from, to)` as `TextDecoder` does with
   * `ignoreBOM` (invalid bytes become U+FFFD, a leading BOM is kept), when
   * the runtime has a faster way than a view plus `TextDecoder`.
   */
  readonly decodeUtf8?: (bytes: Uint8Array, from: number, to: number) => string;
  /**
   * The process's limit on open file descriptors (the soft `RLIMIT_NOFILE`),
   * or `undefined` when the runtime cannot tell (no `/proc/self/limits`, or
   * no permission to read it). A server sizes `maxclients` from it.
   */
  readonly fdLimit?: () => Promise<number | undefined>;
}

/** The file access snapshots need: the embedded server's only use of files. */
export interface FileSystem {
  /** The file's bytes, or `null` when it does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Creates or replaces the file. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Atomically moves `from` over `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes the file, ignoring a missing one. */
  remove?(path: string): Promise<void>;
}
