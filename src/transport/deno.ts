/**
 * The Deno adapter: `Deno.connect`, `Deno.connectTls` and `Deno.listen`
 * behind the {@linkcode Conn} seam. The only file that names `Deno`.
 *
 * @module
 */

import type { Conn, ConnectOptions, ConnSink, Listener, ListenOptions, Runtime } from "./types.ts";
import { raceAbort } from "./_abort.ts";
import { LIMITS_PATH, parseOpenFileLimit } from "./_fd_limit.ts";

// A waiting read holds its buffer, so reads start small (1000 idle clients
// with 256 KiB each were 164 MB of RSS). A read that fills the buffer means
// bulk traffic: it grows, up to a size where a 1 MiB reply takes a few reads.
const READ_SIZE_MIN = 16 * 1024;
const READ_SIZE_MAX = 256 * 1024;

/**
 * Wraps a `Deno.Conn`: one read loop into a reused buffer (grown on full
 * reads); writes go straight to the socket when none is in flight and are
 * chained in order otherwise.
 */
function wrap(conn: Deno.Conn, remoteAddr: string): Conn {
  let closed = false;
  /** The last write in flight (settled or not), and how many are in flight. */
  let tail: Promise<void> | null = null;
  let writing = 0;
  let sink: ConnSink | undefined;
  let ended = false;
  // While paused the read loop makes no read() call, so unread bytes stay in
  // the kernel and TCP back-pressure reaches the sender.
  let paused = false;
  let wake: (() => void) | undefined;
  const resumed = () => new Promise<void>((resolve) => wake = resolve);
  const end = (error?: Error) => {
    if (ended) return;
    ended = true;
    sink?.end(error);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed by the peer */ }
    end();
    // A paused read loop waits on `wake`, not on the socket: let it finish.
    wake?.();
  };
  const writeAll = async (bytes: Uint8Array) => {
    try {
      // Usually one call: Deno writes the whole buffer unless the socket is full.
      let offset = await conn.write(bytes);
      while (offset < bytes.length) {
        offset += await conn.write(bytes.subarray(offset));
      }
    } finally {
      writing--;
    }
  };
  const writeAfterTail = (bytes: Uint8Array) => {
    const next = () => writeAll(bytes);
    return tail!.then(next, next);
  };
  return {
    remoteAddr,
    read(target) {
      sink = target;
      (async () => {
        let buffer = new Uint8Array(READ_SIZE_MIN);
        try {
          while (!closed) {
            while (paused && !closed) await resumed();
            if (closed) break;
            const n = await conn.read(buffer);
            if (n === null) break;
            // Paused while the read was in flight: the chunk waits in `buffer`.
            while (paused && !closed) await resumed();
            if (closed) break;
            target.data(buffer.subarray(0, n));
            if (n === buffer.length && n < READ_SIZE_MAX) {
              buffer = new Uint8Array(Math.min(n * 4, READ_SIZE_MAX));
            }
          }
          close();
        } catch (error) {
          // A read interrupted by our own close() is a normal end, not a failure.
          const wasClosed = closed;
          closed = true;
          try {
            conn.close();
          } catch { /* already closed */ }
          end(wasClosed ? undefined : error as Error);
        }
      })();
    },
    write(bytes) {
      if (closed) return Promise.reject(new Error("Cannot write: the connection is closed"));
      const done = writing === 0 ? writeAll(bytes) : writeAfterTail(bytes);
      writing++;
      tail = done;
      return done;
    },
    close,
    pause() {
      paused = true;
    },
    resume() {
      if (!paused) return;
      paused = false;
      const resolve = wake;
      wake = undefined;
      resolve?.();
    },
  };
}

async function connect(options: ConnectOptions): Promise<Conn> {
  const { hostname = "127.0.0.1", port = 6379, path, tls, signal } = options;
  signal?.throwIfAborted();
  let pending: Promise<Deno.Conn>;
  let remote: string;
  if (path) {
    pending = Deno.connect({ transport: "unix", path });
    remote = path;
  } else {
    pending = tls
      ? Deno.connectTls({
        hostname,
        port,
        caCerts: typeof tls === "object" ? tls.caCerts : undefined,
      })
      : Deno.connect({ hostname, port });
    remote = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  }
  const conn = await raceAbort(pending, signal, (late) => late.close());
  if (!path && !tls) (conn as Deno.TcpConn).setNoDelay?.(true);
  return wrap(conn, remote);
}

// After a failed accept (EMFILE, ENFILE, ENOBUFS...) the connection waits in
// the kernel's backlog; retrying at once would spin until a descriptor frees.
const ACCEPT_BACKOFF_MIN_MS = 5;
const ACCEPT_BACKOFF_MAX_MS = 250;

let signalsPrepared = false;

/**
 * Deno sets its signal handling up lazily, soon after startup, and panics
 * (ext/signals unwraps EMFILE) if the process is out of descriptors by then:
 * a server flooded with connections in its first second would die. Adding
 * and removing a listener sets it up now and leaves SIGTERM's default action.
 */
function prepareSignals(): void {
  if (signalsPrepared) return;
  signalsPrepared = true;
  const ignore = () => {};
  try {
    Deno.addSignalListener("SIGTERM", ignore);
    Deno.removeSignalListener("SIGTERM", ignore);
  } catch { /* no SIGTERM here (Windows) */ }
}

async function listen(options: ListenOptions, onConn: (conn: Conn) => void): Promise<Listener> {
  prepareSignals();
  const listener = options.path
    ? Deno.listen({ transport: "unix", path: options.path })
    : Deno.listen({ hostname: options.hostname ?? "127.0.0.1", port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  let closed = false;
  let stopWaiting: (() => void) | undefined;
  const backOff = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopWaiting = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopWaiting = done;
    });
  const report = (error: unknown) => {
    try {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch { /* a failing logger must not stop the accept loop */ }
  };
  // A rejection escaping this loop would crash the process: every error stays here.
  (async () => {
    let backoff = 0;
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (
          closed || error instanceof Deno.errors.BadResource ||
          error instanceof Deno.errors.Interrupted
        ) return; // the listener was closed
        report(error);
        backoff = Math.min(backoff * 2 || ACCEPT_BACKOFF_MIN_MS, ACCEPT_BACKOFF_MAX_MS);
        await backOff(backoff);
        continue;
      }
      backoff = 0;
      try {
        const peer = conn.remoteAddr as Deno.NetAddr;
        if (!options.path) (conn as Deno.TcpConn).setNoDelay?.(true);
        onConn(wrap(conn, options.path ? options.path : `${peer.hostname}:${peer.port}`));
      } catch (error) {
        // One connection failed to start; the others and the loop carry on.
        try {
          conn.close();
        } catch { /* already closed */ }
        report(error);
      }
    }
  })().catch(report);
  await Promise.resolve();
  return {
    addr: { hostname: addr.hostname ?? options.path ?? "", port: addr.port ?? 0 },
    close() {
      if (closed) return;
      closed = true;
      stopWaiting?.();
      try {
        listener.close();
      } catch { /* already closed */ }
    },
  };
}

/** Reads the soft open-file limit where Linux tells it and read access is granted. */
async function fdLimit(): Promise<number | undefined> {
  try {
    // Ask first: an ungranted read would prompt on a terminal.
    const { state } = await Deno.permissions.query({ name: "read", path: LIMITS_PATH });
    if (state !== "granted") return undefined;
    return parseOpenFileLimit(await Deno.readTextFile(LIMITS_PATH));
  } catch {
    return undefined; // not Linux, or /proc not mounted
  }
}

/** The Deno runtime adapter. */
export const denoRuntime: Runtime = { name: "deno", connect, listen, fdLimit };
