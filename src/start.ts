/**
 * `startStore`: a store that works with nothing installed. For `pulsar://`
 * URLs on a local address it starts the embedded server when nothing answers.
 *
 * @module
 */

import { createStore } from "./registry.ts";
import { RedisStore, type RedisStoreOptions } from "./redis/store.ts";
import { type PulsarServer, serve, type ServeOptions } from "./server/server.ts";
import { Store } from "./store.ts";
import { parseStoreUrl } from "./url.ts";

/** Options of {@linkcode startStore}: store options, plus how to start the server. */
export interface StartStoreOptions extends RedisStoreOptions {
  /** Options of the embedded server, when one is started (address fields come from the URL). */
  server?: Omit<ServeOptions, "hostname" | "port" | "transport">;
}

interface Running {
  server: PulsarServer;
  /** Stores still using it; the server stops when the last one closes. */
  users: number;
}

const running = new Map<string, Promise<Running>>();
const localHosts = new Set(["", "localhost", "127.0.0.1", "::1", "0.0.0.0"]);

/** Counts a store as a user of the server; the last one to close stops it. */
function releaseOnClose(key: string, entry: Running): () => Promise<void> {
  entry.users++;
  return async () => {
    if (--entry.users > 0) return;
    running.delete(key);
    await entry.server.shutdown();
  };
}

async function answers(url: string, options: RedisStoreOptions): Promise<boolean> {
  const probe = createStore<RedisStore>(url, {
    ...options,
    reconnect: false,
    connectTimeout: 1000,
  });
  try {
    return await probe.ping();
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

/**
 * Returns a store connected to the server of `url`. For `pulsar://` URLs on a
 * local address, when no server answers, it starts the embedded server in
 * this process (port 0 means a free port) and the store's `dns` carries the
 * real port. `pulsar://` with no host uses an in-process server with no
 * sockets at all. Another `startStore` for the same address shares the
 * server; it stops when the last store using it is closed. Other schemes
 * behave like `createStore`, then connect.
 *
 * @param url e.g. `"pulsar://"`, `"pulsar://127.0.0.1:0/3"`, `"redis://host:6379"`.
 * @param options Store options, and `server` options for the embedded server.
 * @returns A connected store.
 * @throws {ConnectionError} When the server cannot be reached.
 *
 * @example The embedded default: nothing installed, no sockets
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://");
 * await store.set("hello", "world");
 * console.log(await store.get("hello")); // "world"
 * ```
 *
 * @example A real TCP server other clients can use
 * ```ts
 * import { startStore } from "@pulsar/datastore";
 *
 * await using store = await startStore("pulsar://127.0.0.1:0/3");
 * console.log(store.port > 0, store.database); // true 3
 * ```
 */
export async function startStore(
  url: string | Store = "pulsar://",
  options: StartStoreOptions = {},
): Promise<RedisStore> {
  if (url instanceof Store) {
    if (url instanceof RedisStore) await url.connect();
    return url as RedisStore;
  }
  const { server: serverOptions, ...storeOptions } = options;
  const parts = parseStoreUrl(url);
  if (parts.scheme !== "pulsar" || !localHosts.has(parts.host)) {
    const store = createStore<RedisStore>(url, storeOptions);
    await store.connect();
    return store;
  }
  const inMemory = parts.host === "";
  const key = inMemory ? "memory" : `${parts.host}:${parts.port}`;
  if (!inMemory && !running.has(key) && parts.port !== 0 && await answers(url, storeOptions)) {
    const store = createStore<RedisStore>(url, storeOptions);
    await store.connect();
    return store;
  }
  let pending = running.get(key);
  if (!pending) {
    pending = serve({
      ...serverOptions,
      password: serverOptions?.password ?? parts.password,
      ...(inMemory
        ? { transport: false as const }
        : { hostname: parts.host || "127.0.0.1", port: parts.port }),
    }).then((server) => ({ server, users: 0 }));
    running.set(key, pending);
    pending.catch(() => running.delete(key));
  }
  const entry = await pending;
  const { server } = entry;
  const realUrl = inMemory ? url : url.replace(
    /^(pulsar:\/\/(?:[^@/]*@)?)(\[[^\]]*\]|[^:/?]*)(?::\d+)?/i,
    (_, prefix, host) => `${prefix}${host || "127.0.0.1"}:${server.addr.port}`,
  );
  const release = releaseOnClose(key, entry);
  const store = createStore<RedisStore>(realUrl, {
    ...storeOptions,
    onClose: async () => {
      await storeOptions.onClose?.();
      await release();
    },
    ...(inMemory ? { open: () => Promise.resolve(server.connectMemory()) } : {}),
  });
  try {
    await store.connect();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
