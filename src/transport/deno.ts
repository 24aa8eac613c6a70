/**
 * The Deno adapter: `Deno.connect`, `Deno.connectTls` and `Deno.listen`
 * behind the {@linkcode Conn} seam. The only file that names `Deno`.
 *
 * @module
 */

import type { Conn, ConnectOptions, ConnSink, Listener, ListenOptions, Runtime } from "./types.ts";
import { raceAbort } from "./_abort.ts";

const READ_SIZE = 64 * 1024;

/** Wraps a `Deno.Conn`: one read loop into a reused buffer, writes chained in order. */
function wrap(conn: Deno.Conn, remoteAddr: string): Conn {
  let closed = false;
  let tail: Promise<void> = Promise.resolve();
  let sink: ConnSink | undefined;
  let ended = false;
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
  };
  const writeAll = async (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await conn.write(bytes.subarray(offset));
    }
  };
  return {
    remoteAddr,
    read(target) {
      sink = target;
      (async () => {
        const buffer = new Uint8Array(READ_SIZE);
        try {
          while (!closed) {
            const n = await conn.read(buffer);
            if (n === null) break;
            target.data(buffer.subarray(0, n));
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
      const done = tail.then(() => writeAll(bytes));
      tail = done.catch(() => {});
      return done;
    },
    close,
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
    pending = tls ? Deno.connectTls({ hostname, port }) : Deno.connect({ hostname, port });
    remote = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  }
  const conn = await raceAbort(pending, signal, (late) => late.close());
  if (!path && !tls) (conn as Deno.TcpConn).setNoDelay?.(true);
  return wrap(conn, remote);
}

async function listen(options: ListenOptions, onConn: (conn: Conn) => void): Promise<Listener> {
  const listener = options.path
    ? Deno.listen({ transport: "unix", path: options.path })
    : Deno.listen({ hostname: options.hostname ?? "127.0.0.1", port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  let closed = false;
  (async () => {
    try {
      for await (const conn of listener) {
        const peer = conn.remoteAddr as Deno.NetAddr;
        if (!options.path) (conn as Deno.TcpConn).setNoDelay?.(true);
        onConn(wrap(conn, options.path ? options.path : `${peer.hostname}:${peer.port}`));
      }
    } catch (error) {
      if (!closed) throw error;
    }
  })();
  await Promise.resolve();
  return {
    addr: { hostname: addr.hostname ?? options.path ?? "", port: addr.port ?? 0 },
    close() {
      if (closed) return;
      closed = true;
      try {
        listener.close();
      } catch { /* already closed */ }
    },
  };
}

/** The Deno runtime adapter. */
export const denoRuntime: Runtime = { name: "deno", connect, listen };
