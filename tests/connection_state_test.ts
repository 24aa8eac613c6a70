/**
 * The connection's state machine: FIFO alignment across drops, deadlines and
 * aborts, MULTI ... EXEC units, and what execute() may send on the shared
 * connection (src/redis/connection.ts, src/redis/store.ts).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStore, type RedisStore } from "../mod.ts";
import { serve } from "../server.ts";
import { handshakeReply, scriptedServer } from "./_scripted_server.ts";
import { forEachTarget } from "./_targets.ts";
import { sleep, within } from "./_wait.ts";
import { Connection } from "../src/redis/connection.ts";
import type { Conn, ConnSink } from "../src/transport/types.ts";

const bulk = (text: string) => `$${new TextEncoder().encode(text).length}\r\n${text}\r\n`;

describe("connection state machine", () => {
  it("transaction() rejected by the offline limit leaves no MULTI open on the shared connection", async () => {
    // maxOfflineCommands: 2 lets MULTI and the first SET into the offline
    // queue, then refuses the second SET and EXEC. MULTI + SET are still
    // written after connecting, so the shared connection stays in MULTI and
    // every later command of every caller is answered "QUEUED".
    const server = await serve({ transport: false });
    const store = createStore<RedisStore>("pulsar://", {
      maxOfflineCommands: 2,
      open: () => Promise.resolve(server.connectMemory()),
    });
    try {
      await assert.rejects(store.transaction().set("a", 1).set("b", 2).commit());
      await store.set("k", "v").catch(() => {});
      assert.equal(await store.get("k"), "v");
    } finally {
      await store.close();
      await server.shutdown();
    }
  });

  it("a large MULTI ... EXEC goes out in one write: a drop never sends half of it later", async () => {
    // A command over the 128 KiB early-flush mark inside a unit must not
    // split it: were SET b and EXEC left unwritten at the drop, they would
    // run after reconnecting, outside any transaction.
    const conns: { written: string[]; sink?: ConnSink }[] = [];
    const open = (): Promise<Conn> => {
      const state: { written: string[]; sink?: ConnSink } = { written: [] };
      conns.push(state);
      return Promise.resolve({
        remoteAddr: "fake",
        read: (sink) => state.sink = sink,
        // Writes never complete: a slow socket.
        write: (bytes) => {
          state.written.push(new TextDecoder().decode(bytes));
          return new Promise<void>(() => {});
        },
        close: () => {},
      });
    };
    const connection = new Connection({
      open,
      address: "fake",
      handshake: { commands: () => [], check: () => undefined },
      reconnect: { retries: 3, minDelay: 1, maxDelay: 1 },
    });
    await connection.connect();
    const settled = connection.sendAll([
      { args: ["MULTI"], shape: (v) => v },
      { args: ["SET", "a", "x".repeat(200 * 1024)], shape: (v) => v },
      { args: ["SET", "b", "v"], shape: (v) => v },
      { args: ["EXEC"], shape: (v) => v },
    ]).map((p) => p.then(() => "ok", () => "rejected"));
    await sleep(0);
    assert.equal(conns[0].written.length, 1);
    assert.match(conns[0].written[0], /^\*1\r\n\$5\r\nMULTI\r\n.*\$4\r\nEXEC\r\n$/s);
    conns[0].sink!.end(new Error("reset by peer"));
    assert.deepEqual(await Promise.all(settled), ["rejected", "rejected", "rejected", "rejected"]);
    await sleep(50); // reconnected by now
    assert.deepEqual(conns.slice(1).flatMap((c) => c.written), []);
    await connection.close(0);
  });

  it("close() during a pending TCP open settles connect() promptly", async () => {
    // An open() that only ends when its signal aborts (a SYN that gets no answer).
    const store = createStore<RedisStore>("redis://127.0.0.1:1", {
      connectTimeout: 1500,
      open: (signal: AbortSignal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    });
    const connecting = store.connect();
    connecting.catch(() => {});
    await sleep(20);
    const closedAt = Date.now();
    await store.close();
    const result = await within(connecting, 2000);
    const waited = Date.now() - closedAt;
    // Today: connect() waits for the full connectTimeout (1500 ms) after close().
    assert.equal(result.state, "rejected");
    assert.ok(waited < 300, `connect() settled ${waited} ms after close()`);
  });

  it("connect(signal) honours the signal of a caller that joins a connect in progress", async () => {
    const store = createStore<RedisStore>("redis://127.0.0.1:1", {
      connectTimeout: 1500,
      open: (signal: AbortSignal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    });
    const first = store.connect();
    first.catch(() => {});
    const started = Date.now();
    const second = store.connect(AbortSignal.timeout(50));
    const result = await within(second, 1000);
    const waited = Date.now() - started;
    await store.close();
    await within(first, 2000);
    assert.equal(result.state, "rejected");
    assert.ok(waited < 500, `the 50 ms signal was honoured after ${waited} ms`);
  });

  it("a failed connect() while waiting to reconnect does not stop reconnection", async () => {
    // conn 0: drops after the first command; conn 1: dies during the handshake;
    // conn 2+: healthy. An explicit connect() lands on conn 1.
    const server = await scriptedServer((command, conn) => {
      if (conn.index === 1) {
        conn.destroy();
        return undefined;
      }
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      if (conn.index === 0 && command[1] === "drop") {
        conn.destroy();
        return undefined;
      }
      return bulk(`c${conn.index}`);
    });
    const store = createStore<RedisStore>(`redis://127.0.0.1:${server.port}`, {
      reconnect: { minDelay: 400, maxDelay: 400, retries: 5 },
    });
    try {
      await store.connect();
      await store.get("drop").catch(() => {});
      // Now "waiting": the retry is 200-400 ms away. A command waits offline.
      const queued = store.get("queued");
      queued.catch(() => {});
      await store.connect().catch(() => {}); // conn 1 fails
      const result = await within(queued, 2000);
      // Today: the failed explicit connect() rejects the offline queue and
      // cancels the retry timer, so the backoff policy never runs.
      assert.equal(result.state, "fulfilled");
    } finally {
      await store.close();
      await server.close();
    }
  });

  it("an idempotent command that keeps killing the connection fails after the retries", async () => {
    // A poison command: every connection that receives it drops. The
    // attempt counter resets on each successful handshake, so the command is
    // re-sent forever at minDelay (a reconnect storm) and never settles.
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      if (command[1] === "poison") {
        conn.destroy();
        return undefined;
      }
      return bulk("ok");
    });
    const store = createStore<RedisStore>(`redis://127.0.0.1:${server.port}`, {
      reconnect: { minDelay: 5, maxDelay: 20, retries: 3 },
    });
    try {
      await store.connect();
      const poison = store.with({ idempotent: true }).get("poison");
      poison.catch(() => {});
      const result = await within(poison, 2000);
      const connections = server.connections;
      assert.equal(
        result.state,
        "rejected",
        `still pending after ${connections} connections (retries: 3)`,
      );
    } finally {
      await store.close();
      await server.close();
    }
  });

  it("a command aborted while offline is not executed after connecting", async () => {
    const server = await serve({ transport: false });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    const store = createStore<RedisStore>("pulsar://", {
      open: async () => {
        await gate;
        return server.connectMemory();
      },
    });
    try {
      const controller = new AbortController();
      const write = store.with({ signal: controller.signal }).set("aborted", "yes");
      controller.abort();
      await assert.rejects(write, (error: Error) => error.name === "AbortError");
      release();
      // The caller was told the SET did not happen; it must not run later.
      assert.equal(await store.get("aborted"), null);
    } finally {
      release();
      await store.close();
      await server.shutdown();
    }
  });

  it("a command with an already-aborted signal rejects instead of throwing", async () => {
    const server = await serve({ transport: false });
    const store = createStore<RedisStore>("pulsar://", {
      open: () => Promise.resolve(server.connectMemory()),
    });
    try {
      const signal = AbortSignal.abort();
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = store.with({ signal }).get("k");
      }, "store.with({ signal }).get() threw synchronously");
      await assert.rejects(promise!);
      assert.doesNotThrow(() => {
        promise = store.pipeline().get("k").commit({ signal });
      }, "pipeline().commit({ signal }) threw synchronously");
      await assert.rejects(promise!);
    } finally {
      await store.close();
      await server.shutdown();
    }
  });
});

forEachTarget("execute() and the shared connection", (target) => {
  it("execute() refuses MULTI, which would capture other callers' commands", async () => {
    const store = target().store({ db: 3 });
    const other = store; // another caller of the same store
    await store.set("k", "v");
    let threw = false;
    try {
      const multi = store.execute("MULTI");
      // Not refused: show the harm, then repair the connection.
      const read = other.get("k");
      await multi;
      const value = await read.catch((error) => error);
      await store.execute("DISCARD").catch(() => {});
      assert.fail(`MULTI was accepted; a concurrent get("k") returned ${String(value)}`);
    } catch (error) {
      if (error instanceof TypeError) threw = true;
      else throw error;
    }
    assert.ok(threw);
  });
}, ["redis", "embedded-memory"]);

forEachTarget("execute() and CLIENT REPLY", (target) => {
  it("execute() refuses CLIENT REPLY OFF/SKIP, which would break reply matching", async () => {
    const store = target().store({ db: 3, timeout: 500 });
    await store.set("k", "v");
    let refused = false;
    try {
      store.execute("CLIENT", "REPLY", "SKIP").catch(() => {});
    } catch (error) {
      refused = error instanceof TypeError;
    }
    if (!refused) {
      // The reply to the next command is skipped: the FIFO shifts by one.
      const set = store.set("x", "1").then(String, (error) => `error: ${error.name}`);
      const get = store.get("k").then(String, (error) => `error: ${error.name}`);
      const [setResult, getResult] = await Promise.all([set, get]);
      assert.fail(`CLIENT REPLY SKIP accepted; set() -> ${setResult}, get() -> ${getResult}`);
    }
  });
}, ["redis"]);
