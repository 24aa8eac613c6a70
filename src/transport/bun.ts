/**
 * The Bun adapter: `Bun.connect` and `Bun.listen` behind the
 * {@linkcode Conn} seam. The only file that names `Bun`; Bun is described by
 * small local interfaces so `deno check` needs no Bun typings.
 *
 * @module
 */

import type { Conn, ConnectOptions, ConnSink, Listener, ListenOptions, Runtime } from "./types.ts";
import { raceAbort } from "./_abort.ts";
import { LIMITS_PATH, parseOpenFileLimit } from "./_fd_limit.ts";

/** The part of Bun's socket this adapter uses. */
interface BunSocket {
  write(bytes: Uint8Array): number;
  end(): void;
  terminate?(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  /** Stops polling the socket for reads: unread bytes stay in the kernel. */
  pause?(): void;
  resume?(): void;
  data: SocketState | undefined;
  remoteAddress?: string;
}

interface BunSocketHandlers {
  /** Bun reads this here, in the handlers (not beside them): chunks are Buffers otherwise. */
  binaryType?: "uint8array";
  open?(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  end?(socket: BunSocket): void;
  connectError?(socket: BunSocket, error: Error): void;
  handshake?(socket: BunSocket, success: boolean, error: Error | null): void;
}

interface BunListener {
  port: number;
  hostname: string;
  stop(closeActiveConnections?: boolean): void;
}

interface BunApi {
  file(path: string): { text(): Promise<string> };
  connect(options: {
    hostname?: string;
    port?: number;
    unix?: string;
    tls?: boolean | { ca?: string[] };
    socket: BunSocketHandlers;
  }): Promise<BunSocket>;
  listen(options: {
    hostname?: string;
    port?: number;
    unix?: string;
    socket: BunSocketHandlers;
  }): BunListener;
}

const bun = (globalThis as unknown as { Bun?: BunApi }).Bun;

/**
 * Per-socket state: chunks that arrive before a sink, or while paused, wait
 * in `#held`; unwritten bytes wait for `drain` (Bun's `write` may accept only
 * part of them).
 */
class SocketState implements Conn {
  #socket: BunSocket;
  #sink: ConnSink | undefined;
  #held: Uint8Array[] = [];
  #paused = false;
  #flushScheduled = false;
  #backlog: Uint8Array[] = [];
  #drained: (() => void) | undefined;
  #drainPromise: Promise<void> | undefined;
  #closed = false;
  #endError: Error | undefined;
  #ended = false;
  #endDelivered = false;
  readonly remoteAddr: string;

  constructor(socket: BunSocket, remoteAddr: string) {
    this.#socket = socket;
    this.remoteAddr = remoteAddr;
  }

  read(sink: ConnSink): void {
    this.#sink = sink;
    this.#deliverHeld();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (!this.#closed) this.#socket.pause?.();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed) this.#socket.resume?.();
    // Held chunks go out in a later task, never inside the caller's resume().
    if (this.#held.length > 0 || this.#ended) this.#scheduleHeld();
  }

  #scheduleHeld(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#deliverHeld();
    });
  }

  /** Delivers held chunks in order, then a pending end, until paused. */
  #deliverHeld(): void {
    const sink = this.#sink;
    if (!sink) return;
    let i = 0;
    const held = this.#held;
    // The sink may pause or close while handling a chunk: stop there.
    while (i < held.length && !this.#paused && this.#sink === sink) sink.data(held[i++]);
    if (this.#held !== held) return; // close() dropped them and delivered the end
    if (i === held.length) this.#held = [];
    else if (i > 0) this.#held = held.slice(i);
    if (this.#held.length === 0 && this.#ended && !this.#endDelivered) {
      this.#endDelivered = true;
      // Nothing reaches the sink after its end.
      this.#sink = undefined;
      sink.end(this.#endError);
    }
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot write: the connection is closed"));
    }
    if (this.#backlog.length === 0) {
      const n = this.#socket.write(bytes);
      if (n >= bytes.length) return undefined;
      this.#backlog.push(n > 0 ? bytes.subarray(n) : bytes);
    } else {
      this.#backlog.push(bytes);
    }
    this.#drainPromise ??= new Promise<void>((resolve) => this.#drained = resolve);
    return this.#drainPromise;
  }

  /** Called on `drain`: writes what is left, in order, until Bun stops taking it. */
  onDrain(): void {
    while (this.#backlog.length > 0) {
      const bytes = this.#backlog[0];
      const n = this.#socket.write(bytes);
      if (n < bytes.length) {
        if (n > 0) this.#backlog[0] = bytes.subarray(n);
        return;
      }
      this.#backlog.shift();
    }
    this.#settleDrain();
  }

  onData(chunk: Uint8Array): void {
    // Bun may still hand over a chunk it read before pause(): hold it.
    if (this.#sink && !this.#paused && this.#held.length === 0) this.#sink.data(chunk);
    else if (!this.#ended) this.#held.push(chunk);
  }

  onEnd(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#closed = true;
    this.#endError = error;
    this.#backlog = [];
    this.#settleDrain();
    // The peer's end waits behind held chunks, as it would in the kernel.
    if (!this.#paused) this.#deliverHeld();
  }

  #settleDrain() {
    const resolve = this.#drained;
    this.#drained = undefined;
    this.#drainPromise = undefined;
    resolve?.();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Closed here: what was held is not wanted, and the sink's end is due now.
    this.#held = [];
    if (this.#paused) {
      // A paused socket would never read the peer's FIN and finish closing.
      this.#paused = false;
      this.#socket.resume?.();
    }
    try {
      this.#socket.end();
    } catch { /* already closed */ }
    this.onEnd();
  }
}

const handlers: BunSocketHandlers = {
  // Plain Uint8Array chunks: cheaper than Buffer objects on every read, and
  // their slice() copies (a Buffer's slice() is a view of the read buffer).
  binaryType: "uint8array",
  data(socket, data) {
    socket.data?.onData(data);
  },
  drain(socket) {
    socket.data?.onDrain();
  },
  close(socket, error) {
    socket.data?.onEnd(error);
  },
  error(socket, error) {
    socket.data?.onEnd(error);
  },
  end(socket) {
    socket.data?.onEnd();
  },
};

function formatAddr(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

async function connect(options: ConnectOptions): Promise<Conn> {
  if (!bun) throw new Error("Cannot connect: Bun is not available");
  const { hostname = "127.0.0.1", port = 6379, path, tls, signal } = options;
  signal?.throwIfAborted();
  const remote = path ?? formatAddr(hostname, port);
  let connectError: Error | undefined;
  // Over TLS, bytes written before the handshake are not taken: wait for it.
  let handshaken!: (error?: Error) => void;
  const handshake = new Promise<void>((resolve, reject) => {
    handshaken = (error) => error ? reject(error) : resolve();
  });
  const pending = bun.connect({
    ...(path ? { unix: path } : {
      hostname,
      port,
      tls: typeof tls === "object" ? { ca: tls.caCerts } : tls || undefined,
    }),
    socket: {
      ...handlers,
      open(socket) {
        socket.data = new SocketState(socket, remote);
        socket.setNoDelay?.(true);
      },
      connectError(_socket, error) {
        connectError = error;
      },
      handshake(_socket, success, error) {
        handshaken(success ? undefined : error ?? new Error("TLS handshake failed"));
      },
    },
  });
  const socket = await raceAbort(pending, signal, (late) => late.end()).catch((error) => {
    throw connectError ?? error;
  });
  socket.data ??= new SocketState(socket, remote);
  if (tls && !path) {
    const closed = new Promise<never>((_, reject) => {
      socket.data!.read({
        data: () => {},
        end: (error) =>
          reject(error ?? new Error("the connection closed during the TLS handshake")),
      });
    });
    try {
      await raceAbort(Promise.race([handshake, closed]), signal, () => {});
    } catch (error) {
      socket.end();
      throw error;
    }
    // Hand the connection over fresh: the temporary sink above saw no data.
    const state = new SocketState(socket, remote);
    socket.data = state;
    return state;
  }
  return socket.data;
}

/**
 * Listens with `Bun.listen`. Bun accepts in native code and does not report a
 * failed accept (EMFILE): it retries while the connection waits in the
 * backlog (spinning a core meanwhile), so `options.onError` only hears of
 * connections that failed to start.
 */
function listen(options: ListenOptions, onConn: (conn: Conn) => void): Promise<Listener> {
  if (!bun) return Promise.reject(new Error("Cannot listen: Bun is not available"));
  const server = bun.listen({
    ...(options.path
      ? { unix: options.path }
      : { hostname: options.hostname ?? "127.0.0.1", port: options.port }),
    socket: {
      ...handlers,
      open(socket) {
        const state = new SocketState(socket, options.path ?? socket.remoteAddress ?? "");
        socket.data = state;
        socket.setNoDelay?.(true);
        try {
          onConn(state);
        } catch (error) {
          // One connection failed to start; the others carry on.
          state.close();
          try {
            options.onError?.(error as Error);
          } catch { /* a failing logger must not matter */ }
        }
      },
    },
  });
  let closed = false;
  return Promise.resolve({
    addr: { hostname: server.hostname ?? options.hostname ?? "", port: server.port ?? 0 },
    close() {
      if (closed) return;
      closed = true;
      server.stop(false);
    },
  });
}

/** Bun's Buffer decodes a range of any Uint8Array natively, without making a view. */
const utf8Slice = (globalThis as unknown as {
  Buffer?: { prototype: { utf8Slice?: (this: Uint8Array, from: number, to: number) => string } };
}).Buffer?.prototype.utf8Slice;

/**
 * Reads the soft open-file limit where Linux tells it. (Bun raises its soft
 * limit to the hard one at startup.)
 */
async function fdLimit(): Promise<number | undefined> {
  try {
    return parseOpenFileLimit(await bun!.file(LIMITS_PATH).text());
  } catch {
    return undefined; // not Linux, or /proc not mounted
  }
}

/** The Bun runtime adapter. */
export const bunRuntime: Runtime = {
  name: "bun",
  connect,
  listen,
  fdLimit,
  decodeUtf8: bun && utf8Slice ? (bytes, from, to) => utf8Slice.call(bytes, from, to) : undefined,
};
