/**
 * Test fixture: a real `redis-server` on a free loopback port, in a temp
 * directory, with persistence off. Uses `node:` modules (tests only, never
 * src/), which Deno and Bun both implement.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running redis-server. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL) and starts it again on the same port; data is lost. */
  restart(): Promise<void>;
}

let available: boolean | undefined;

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  if (available === undefined) {
    try {
      available = spawnSync("redis-server", ["--version"]).status === 0;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Whether suites that need redis-server should be skipped. Prints a notice
 * once; with REQUIRE_REDIS=1 (CI) a missing server throws instead.
 */
export function skipWithoutRedis(): boolean {
  if (hasRedisServer()) return false;
  if (process.env.REQUIRE_REDIS === "1") {
    throw new Error("Cannot run the redis-server suites: redis-server is not on PATH");
  }
  if (!noticed) {
    noticed = true;
    console.log("notice: redis-server not found; suites against real Redis are skipped");
  }
  return true;
}
let noticed = false;

/** Finds a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1");
  });
}

/**
 * Starts redis-server and waits until it accepts connections (at most 10 s).
 *
 * @param extra More `--option value` arguments.
 */
export async function startRedisServer(extra: string[] = []): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "redis-fixture-"));
    let running = await spawnRedis(port, dir, extra);
    if (!running) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async stop() {
        await running?.kill();
        running = undefined;
        rmSync(dir, { recursive: true, force: true });
      },
      async restart() {
        await running?.kill();
        running = await spawnRedis(port, dir, extra);
        if (!running) throw new Error(`Cannot restart redis-server on port ${port}`);
      },
    };
  }
  throw new Error("Cannot start redis-server: it did not accept connections");
}

/** Spawns redis-server and waits (at most 10 s) until it accepts connections. */
async function spawnRedis(
  port: number,
  dir: string,
  extra: string[],
): Promise<{ kill(): Promise<void> } | undefined> {
  const child: ChildProcess = spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    ...extra,
  ], { stdio: "ignore" });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    })
  );
  const kill = async () => {
    if (!exited) child.kill("SIGKILL");
    await exit;
  };
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    if (await canConnect(port)) return { kill };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await kill();
  return undefined;
}
