/**
 * The embedded Redis-compatible server, "pulsards": serve it on TCP for any
 * Redis client, or connect to it in-process without sockets.
 *
 * @example Start a server on a free port and stop it
 * ```ts
 * import { serve } from "@pulsar/datastore/server";
 *
 * await using server = await serve({ port: 0 });
 * console.log(`listening on ${server.addr.hostname}:${server.addr.port}`);
 * ```
 *
 * @module
 */

export { serve } from "./src/server/server.ts";
export type {
  Conn,
  ConnSink,
  Listen,
  Listener,
  ListenOptions,
  PulsarServer,
  ServeOptions,
  SnapshotOptions,
} from "./src/server/server.ts";
export type { FileSystem } from "./src/server/persistence.ts";
