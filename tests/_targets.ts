/**
 * Test targets: every behaviour suite runs against real redis-server (the
 * oracle), the embedded server over TCP, and the embedded server in memory.
 */
import { after, before, describe } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore, type RedisStore, type RedisStoreOptions } from "../mod.ts";
import { serve } from "../server.ts";
import type { PulsarServer } from "../src/server/server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";

/** A running server a suite can open stores on. */
export interface Target {
  /** "redis", "embedded-tcp" or "embedded-memory". */
  name: string;
  /** Opens a store on database `db` (closed by the fixture after the suite). */
  store(options?: RedisStoreOptions & { db?: number }): RedisStore;
}

/** The names of every target. */
export const targetNames = ["redis", "embedded-tcp", "embedded-memory"] as const;

interface Started {
  url: string;
  memory?: PulsarServer;
  stop(): Promise<void>;
}

async function start(name: string): Promise<Started> {
  if (name === "redis") {
    const server: RedisServer = await startRedisServer();
    return { url: server.url, stop: () => server.stop() };
  }
  // Snapshots go to a temp dir, as redis-server's dump.rdb does in the fixture.
  const dir = mkdtempSync(join(tmpdir(), "pulsards-fixture-"));
  const server = await serve({
    ...(name === "embedded-tcp" ? { port: 0 } : { transport: false }),
    snapshot: { path: join(dir, "dump.pdb"), saveEverySeconds: 0, saveOnShutdown: false },
  });
  return {
    url: name === "embedded-tcp" ? `redis://127.0.0.1:${server.addr.port}` : "pulsar://",
    memory: name === "embedded-memory" ? server : undefined,
    stop: async () => {
      await server.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares `suite` once per target, each in its own `describe` whose name
 * ends with the target (`"strings [redis]"`), with the server started in
 * `before` and every store and server closed in `after`.
 *
 * @param title The suite's title.
 * @param suite Declares tests; `target()` is valid inside tests and hooks.
 * @param only Restrict to some targets.
 */
export function forEachTarget(
  title: string,
  suite: (target: () => Target) => void,
  only: readonly string[] = targetNames,
): void {
  for (const name of only) {
    if (name === "redis" && skipWithoutRedis()) continue;
    describe(`${title} [${name}]`, () => {
      let started: Started | undefined;
      const stores: RedisStore[] = [];
      const target: Target = {
        name,
        store(options = {}) {
          if (!started) throw new Error("Cannot open a store: the target is not started");
          const { db = 9, ...rest } = options;
          const base = started.memory ? "pulsar://" : started.url;
          const memory = started.memory;
          const store = createStore<RedisStore>(`${base}/${db}`, {
            ...rest,
            ...(memory ? { open: () => Promise.resolve(memory.connectMemory()) } : {}),
          });
          stores.push(store);
          return store;
        },
      };
      before(async () => {
        started = await start(name);
      });
      after(async () => {
        await Promise.all(stores.map((store) => store.close()));
        await started?.stop();
      });
      suite(() => target);
    });
  }
}
