/**
 * The accept loop and `maxclients` under a low open-file limit: a child
 * server started with `ulimit -n 128` sizes maxclients like Redis (limit - 32),
 * refuses the rest with `-ERR max number of clients reached`, stays alive and
 * answers PING once clients leave; the runtime adapter's listener survives
 * EMFILE. redis-server under the same limit is the reference.
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Listen, runtime } from "../src/transport/mod.ts";
import { serve } from "../server.ts";
import {
  acceptErrorHandler,
  fitMaxClients,
  fitMaxClientsToClients,
  RESERVED_FDS,
} from "../src/server/max_clients.ts";
import { bytesOf, closeAllRaw, latin1, Raw, resp } from "./_raw_socket.ts";
import { freePort, hasRedisServer } from "./_redis_server.ts";
import { eventually } from "./_wait.ts";

const FD_LIMIT = 128;
const CONNECTIONS = 200;
const REFUSED = "-ERR max number of clients reached\r\n";
const onLinux = process.platform === "linux";
const isBun = "Bun" in globalThis;
const root = new URL("..", import.meta.url).pathname;

/** A child process started under `ulimit -n <limit>`, with its output kept. */
class Child {
  readonly process: ChildProcess;
  stdout = "";
  stderr = "";
  exit: string | undefined;

  constructor(limit: number, command: string[]) {
    this.process = spawn("sh", ["-c", `ulimit -n ${limit} && exec "$@"`, "sh", ...command], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process.stdout!.on("data", (chunk) => this.stdout += chunk);
    this.process.stderr!.on("data", (chunk) => this.stderr += chunk);
    this.process.on("exit", (code, signal) => this.exit = `${code ?? signal}`);
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Waits for `pattern` on stdout (at most 20 s) and returns its first group. */
  async waitFor(pattern: RegExp): Promise<string> {
    await eventually(() => pattern.test(this.stdout) || !this.alive, 20_000);
    const match = pattern.exec(this.stdout);
    if (match === null) {
      throw new Error(`Child exited (${this.exit}) before ${pattern}: ${this.stderr.slice(-2000)}`);
    }
    return match[1];
  }

  /** Stops the child (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.process.kill("SIGTERM");
    if (!await eventuallyQuiet(() => !this.alive, 5000)) this.process.kill("SIGKILL");
    await eventuallyQuiet(() => !this.alive, 5000);
  }
}

/** Like `eventually`, but returns false instead of throwing. */
async function eventuallyQuiet(check: () => boolean, ms: number): Promise<boolean> {
  try {
    await eventually(check, ms);
    return true;
  } catch {
    return false;
  }
}

/**
 * The command that runs the current runtime on `script`. Deno reads
 * `/proc/self/limits` only with `--allow-all` (`procfs` is all-or-nothing
 * there); `allowAll: false` leaves the open-file limit unknown to it.
 */
function runtimeCommand(script: string, allowAll: boolean, ...args: string[]): string[] {
  if (isBun) return [process.execPath, script, ...args];
  const permissions = allowAll ? ["--allow-all"] : ["--allow-net", "--allow-read"];
  return [process.execPath, "run", ...permissions, script, ...args];
}

/** Sends one command on `raw` and waits for a whole line of reply. */
async function ask(raw: Raw, ...args: string[]): Promise<string> {
  raw.take();
  raw.send(resp(...args));
  await raw.until((data) => data.endsWith("\r\n"), 5000);
  return raw.take();
}

/** What a server under the limit did with {@linkcode CONNECTIONS} connections. */
interface Outcome {
  accepted: number;
  refused: number;
  /** Every distinct thing a refused connection received. */
  refusals: string[];
  maxclients: string;
  rejectedConnections: string;
  pingAfterLeaving: string;
  alive: boolean;
}

/**
 * Opens {@linkcode CONNECTIONS} connections to the server on `port`, sorts
 * them into accepted (still open, PING answered) and refused (closed after a
 * reply), then closes 50 accepted ones and PINGs on a fresh connection.
 */
async function crowd(port: number, child: Child): Promise<Outcome> {
  const raws: Raw[] = [];
  for (let i = 0; i < CONNECTIONS; i++) raws.push(await Raw.connect(port));
  // The first connection is surely a client: once it is answered, the server
  // has taken them all. Refused ones are closed, the rest stay open and idle;
  // nothing is sent to them before the closing settles (a request unread at
  // the close would turn it into a reset that loses the error reply).
  assert.equal(await ask(raws[0], "PING"), "+PONG\r\n");
  let closed = -1;
  while (closed !== raws.filter((raw) => raw.closed).length) {
    closed = raws.filter((raw) => raw.closed).length;
    await Promise.all(raws.map((raw) => raw.settle(200, 5000)));
  }
  const accepted = raws.filter((raw) => !raw.closed);
  const refused = raws.filter((raw) => raw.closed);
  const maxclients = await ask(accepted[0], "CONFIG", "GET", "maxclients");
  const info = await infoOn(accepted[0]);
  for (const raw of accepted.slice(0, 50)) {
    raw.destroy();
    await raw.closeWait();
  }
  const fresh = await Raw.connect(port);
  const ping = await ask(fresh, "PING");
  const outcome: Outcome = {
    accepted: accepted.length,
    refused: refused.length,
    refusals: [...new Set(refused.map((raw) => raw.data))],
    maxclients: maxclients.split("\r\n")[4],
    rejectedConnections: /rejected_connections:(\d+)/.exec(info)?.[1] ?? "?",
    pingAfterLeaving: ping,
    alive: child.alive,
  };
  for (const raw of [...raws, fresh]) raw.destroy();
  return outcome;
}

/** INFO stats as text, read on `raw`. */
async function infoOn(raw: Raw): Promise<string> {
  raw.take();
  raw.send(resp("INFO", "stats"));
  await raw.until((data) => {
    const header = /^\$(\d+)\r\n/.exec(data);
    return header !== null && data.length >= header[0].length + Number(header[1]) + 2;
  });
  return raw.take();
}

describe("fitMaxClients()", () => {
  it("fitMaxClients() keeps maxclients that fit under the limit", () => {
    assert.deepEqual(fitMaxClients(10000, undefined), { maxClients: 10000 });
    assert.deepEqual(fitMaxClients(100, 1024), { maxClients: 100 });
    assert.deepEqual(fitMaxClients(992, 1024), { maxClients: 992 });
  });

  it("fitMaxClients() lowers maxclients to the limit minus the reserve, like Redis", () => {
    const fitted = fitMaxClients(10000, 1024);
    assert.equal(fitted.maxClients, 1024 - RESERVED_FDS);
    assert.match(fitted.message ?? "", /maxclients has been reduced to 992/);
    assert.equal(fitMaxClients(993, 1024).maxClients, 992);
    assert.equal(fitMaxClients(10000, 20).maxClients, 1);
  });
});

describe("acceptErrorHandler()", () => {
  const emfile = () =>
    Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });

  it("acceptErrorHandler() learns maxclients from the first EMFILE when the limit is unknown", () => {
    const logs: string[] = [];
    const server = { config: { maxClients: 10000 }, clients: { size: 1001 } };
    const onError = acceptErrorHandler((line) => logs.push(line), false, () => server);
    onError(new Error("Connection aborted"));
    assert.equal(server.config.maxClients, 10000);
    onError(emfile());
    assert.equal(server.config.maxClients, 1001 - RESERVED_FDS);
    server.clients.size = 900;
    onError(emfile()); // a later burst of refusals in flight: learnt once
    assert.equal(server.config.maxClients, 1001 - RESERVED_FDS);
    // One line per 10 s about failures, plus the one about maxclients.
    assert.deepEqual(logs, [
      "Accepting client connection: Connection aborted",
      fitMaxClientsToClients(10000, 1001).message,
    ]);
  });

  it("acceptErrorHandler() leaves maxclients fitted to a known limit", () => {
    const server = { config: { maxClients: 96 }, clients: { size: 96 } };
    const onError = acceptErrorHandler(() => {}, true, () => server);
    onError(emfile());
    assert.equal(server.config.maxClients, 96);
  });

  it("fitMaxClientsToClients() ignores an EMFILE with too few clients to explain it", () => {
    assert.deepEqual(fitMaxClientsToClients(10000, 20), { maxClients: 10000 });
    assert.deepEqual(fitMaxClientsToClients(50, 100), { maxClients: 50 });
  });
});

describe("serve() and the listener", () => {
  it("serve() rejects a maxClients below 1", async () => {
    await assert.rejects(serve({ transport: false, maxClients: 0 }), RangeError);
    await assert.rejects(serve({ transport: false, maxClients: 1.5 }), RangeError);
  });

  it("serve() hands the listener an onError that logs and learns maxclients", async () => {
    let onError: ((error: Error) => void) | undefined;
    const listen: Listen = (options) => {
      onError = options.onError;
      return Promise.resolve({ addr: { hostname: "fake", port: 1 }, close() {} });
    };
    const logs: string[] = [];
    const server = await serve({ transport: { listen }, log: (line) => logs.push(line) });
    // A client connected before the EMFILE, to ask afterwards (a newcomer might be refused).
    const probe = server.connectMemory();
    let reply = "";
    probe.read({ data: (chunk) => reply += latin1(chunk), end() {} });
    const clients = Array.from({ length: 49 }, () => server.connectMemory());
    try {
      assert.ok(onError !== undefined);
      onError(Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" }));
      assert.ok(logs.includes("Accepting client connection: Too many open files (os error 24)"));
      // Learnt only where the limit could not be read (Deno's test runner has no --allow-all).
      const known = await runtime.fdLimit?.() !== undefined;
      probe.write(bytesOf(resp("CONFIG", "GET", "maxclients")));
      await eventually(() => reply.split("\r\n").length === 6);
      assert.equal(reply.split("\r\n")[4], known ? "10000" : String(50 - RESERVED_FDS));
    } finally {
      for (const conn of [probe, ...clients]) conn.close();
      await server.shutdown();
    }
  });
});

describe("runtime.fdLimit()", () => {
  it("runtime.fdLimit() reads the soft open-file limit where /proc is readable", {
    skip: !onLinux,
  }, async () => {
    // A child shell inherits this process's (already raised) soft limit.
    const soft = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
    // Deno's test runner has no --allow-all, without which Deno refuses any /proc read.
    const expected = isBun ? (soft === "unlimited" ? undefined : Number(soft)) : undefined;
    assert.equal(await runtime.fdLimit?.(), expected);
  });
});

describe(`accepting under ulimit -n ${FD_LIMIT}`, { skip: !onLinux }, () => {
  const children: Child[] = [];
  const dirs: string[] = [];
  after(async () => {
    await closeAllRaw();
    for (const child of children) await child.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("the runtime's listener survives EMFILE and accepts again", { timeout: 60_000 }, async () => {
    // A lower limit than the server's: the listener itself runs out of descriptors.
    const child = new Child(64, runtimeCommand("tests/_accept_child.ts", false));
    children.push(child);
    const port = Number(await child.waitFor(/listening on 127\.0\.0\.1:(\d+)/));
    const raws: Raw[] = [];
    for (let i = 0; i < 100; i++) raws.push(await Raw.connect(port));
    // Greeted connections hold descriptors; the rest wait in the backlog.
    await eventually(() => raws.filter((raw) => raw.data === "+hi\r\n").length > 0, 20_000);
    await eventuallyQuiet(() => /EMFILE|Too many open files/.test(child.stderr) || isBun, 5_000);
    const greeted = raws.filter((raw) => raw.data === "+hi\r\n").length;
    assert.ok(greeted < 64, `${greeted} connections accepted under a limit of 64 descriptors`);
    if (!isBun) assert.match(child.stderr, /accept error: .*(Too many open files|EMFILE)/);
    assert.ok(child.alive, `the listener's process exited (${child.exit}): ${child.stderr}`);
    for (const raw of raws) raw.destroy();
    const fresh = await Raw.connect(port);
    await fresh.until((data) => data === "+hi\r\n", 20_000);
    assert.ok(child.alive);
  });

  it("pulsards sizes maxclients to the limit, refuses the rest and stays up", {
    timeout: 60_000,
  }, async () => {
    const child = new Child(FD_LIMIT, runtimeCommand("cli.ts", true, "--port", "0"));
    children.push(child);
    const port = Number(await child.waitFor(/listening on 127\.0\.0\.1:(\d+)/));
    const ours = await crowd(port, child);
    const expected = String(FD_LIMIT - RESERVED_FDS);
    assert.match(child.stderr, new RegExp(`maxclients has been reduced to ${expected}`));
    assert.deepEqual(ours, {
      accepted: FD_LIMIT - RESERVED_FDS,
      refused: CONNECTIONS - (FD_LIMIT - RESERVED_FDS),
      refusals: [REFUSED],
      maxclients: expected,
      rejectedConnections: String(CONNECTIONS - (FD_LIMIT - RESERVED_FDS)),
      pingAfterLeaving: "+PONG\r\n",
      alive: true,
    });
  });

  it("pulsards learns the limit from EMFILE when it cannot read it", {
    timeout: 60_000,
    skip: isBun ? "Bun reads /proc/self/limits and does not report failed accepts" : false,
  }, async () => {
    const child = new Child(FD_LIMIT, runtimeCommand("cli.ts", false, "--port", "0"));
    children.push(child);
    const port = Number(await child.waitFor(/listening on 127\.0\.0\.1:(\d+)/));
    const raws: Raw[] = [];
    for (let i = 0; i < CONNECTIONS; i++) raws.push(await Raw.connect(port));
    // Accepting fails once the descriptors run out; the rest wait in the backlog.
    await eventually(
      () => /maxclients has been reduced from 10000 to \d+/.test(child.stderr),
      20_000,
    );
    const maxClients = Number(/reduced from 10000 to (\d+)/.exec(child.stderr)![1]);
    assert.ok(maxClients < FD_LIMIT - RESERVED_FDS, `maxclients ${maxClients}`);
    assert.match(child.stderr, /Accepting client connection: Too many open files/);
    // The first connections were accepted: their leaving frees descriptors, and
    // the backlog drains, newcomers over maxclients refused with an error.
    for (const raw of raws.slice(0, 50)) raw.destroy();
    const rest = raws.slice(50);
    for (const raw of rest) raw.send(resp("PING"));
    await eventually(() => rest.every((raw) => raw.closed || raw.data === "+PONG\r\n"), 20_000);
    const answered = rest.filter((raw) => !raw.closed);
    const refused = rest.filter((raw) => raw.closed);
    assert.ok(answered.length <= maxClients, `${answered.length} clients over ${maxClients}`);
    assert.ok(refused.length > 0);
    assert.deepEqual([...new Set(refused.map((raw) => raw.data))], [REFUSED]);
    for (const raw of answered.slice(0, 10)) raw.destroy();
    // The server learns of those closes a moment later: until then a newcomer is refused.
    await eventually(async () => {
      const fresh = await Raw.connect(port);
      const reply = await ask(fresh, "PING").catch(() => fresh.data);
      fresh.destroy();
      return reply === "+PONG\r\n";
    }, 10_000);
    assert.ok(child.alive);
  });

  it("redis-server under the same limit does the same", {
    timeout: 60_000,
    skip: !hasRedisServer(),
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "redis-ulimit-"));
    dirs.push(dir);
    const port = await freePort();
    const child = new Child(FD_LIMIT, [
      "redis-server",
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
    ]);
    children.push(child);
    await child.waitFor(/(Ready to accept connections)/);
    const theirs = await crowd(port, child);
    assert.deepEqual(theirs, {
      accepted: FD_LIMIT - RESERVED_FDS,
      refused: CONNECTIONS - (FD_LIMIT - RESERVED_FDS),
      refusals: [REFUSED],
      maxclients: String(FD_LIMIT - RESERVED_FDS),
      rejectedConnections: String(CONNECTIONS - (FD_LIMIT - RESERVED_FDS)),
      pingAfterLeaving: "+PONG\r\n",
      alive: true,
    });
  });
});
