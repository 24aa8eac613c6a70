import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionClosedError,
  ConnectionError,
  createStore,
  ProtocolError,
  type RedisStore,
  ReplyError,
  type RespValue,
  startStore,
  VerbatimString,
} from "../mod.ts";
import { handshakeReply, scriptedServer } from "./_scripted_server.ts";
import { freePort, type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { sleep } from "./_wait.ts";

const bulk = (text: string) => `$${new TextEncoder().encode(text).length}\r\n${text}\r\n`;
/** Text of a raw reply (bulk bytes or a RESP3 verbatim string). */
const text = (value: RespValue) =>
  new TextDecoder().decode(value instanceof VerbatimString ? value.bytes : value as Uint8Array);

describe("connection faults (scripted server)", () => {
  it("connect() to a closed port fails fast with ConnectionError", async () => {
    const port = await freePort();
    const store = createStore(`redis://127.0.0.1:${port}`);
    const started = Date.now();
    await assert.rejects(store.ping(), (error: ConnectionError) => {
      assert.equal(error.name, "ConnectionError");
      assert.equal(error.message, `Cannot connect to "127.0.0.1:${port}": connection refused`);
      assert.ok(error.cause);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    await store.close();
  });

  it("commands issued before a failed connect are all rejected", async () => {
    const port = await freePort();
    const store = createStore(`redis://127.0.0.1:${port}`);
    const results = await Promise.allSettled([store.get("a"), store.set("b", 1), store.incr("c")]);
    assert.ok(results.every((r) => r.status === "rejected" && r.reason instanceof ConnectionError));
    await store.close();
  });

  it("a command with timeout rejects at its deadline; the late reply is discarded", async () => {
    // Replies stay in order, as from a real server: everything after "slow" waits for it.
    let chain = Promise.resolve();
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      const reply = command[1] === "slow" ? bulk("late") : bulk(`value-of-${command[1]}`);
      const delay = command[1] === "slow" ? 150 : 0;
      chain = chain.then(() => sleep(delay)).then(() => conn.send(reply));
      return undefined;
    });
    const store = createStore(`redis://127.0.0.1:${server.port}`);
    await store.connect();
    const started = Date.now();
    const slow = store.with({ timeout: 50 }).get("slow");
    const next = store.get("fast");
    await assert.rejects(slow, (error: DOMException) => error.name === "TimeoutError");
    assert.ok(Date.now() - started < 140, "rejected at the deadline, not at the reply");
    // The FIFO stays aligned: "fast" gets its own reply, not "late".
    assert.equal(await next, "value-of-fast");
    assert.equal(await store.get("again"), "value-of-again");
    await store.close();
    await server.close();
  });

  it("the store-wide timeout fires for a server that never replies", async () => {
    const server = await scriptedServer((command) => handshakeReply(command));
    const store = createStore(`redis://127.0.0.1:${server.port}?timeout=80`);
    const started = Date.now();
    await assert.rejects(store.get("x"), (error: DOMException) => error.name === "TimeoutError");
    assert.ok(Date.now() - started < 1000);
    await store.close();
    await server.close();
  });

  it("an aborted signal rejects with its reason", async () => {
    const server = await scriptedServer((command) => handshakeReply(command));
    const store = createStore(`redis://127.0.0.1:${server.port}`);
    await store.connect();
    const controller = new AbortController();
    const pending = store.with({ signal: controller.signal }).get("x");
    controller.abort(new Error("user gave up"));
    await assert.rejects(pending, /user gave up/);
    await store.close();
    await server.close();
  });

  it("connect times out when the handshake never completes", async () => {
    const server = await scriptedServer(() => undefined);
    const store = createStore(`redis://127.0.0.1:${server.port}`, { connectTimeout: 100 });
    await assert.rejects(store.ping(), (error: ConnectionError) => {
      assert.match(error.message, /timed out after 100 ms/);
      return true;
    });
    await store.close();
    await server.close();
  });

  it("replies split byte by byte are decoded", async () => {
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      const reply = new TextEncoder().encode(bulk("héllo wörld"));
      reply.forEach((byte, i) => setTimeout(() => conn.send(new Uint8Array([byte])), i));
      return undefined;
    });
    const store = createStore(`redis://127.0.0.1:${server.port}`);
    assert.equal(await store.get("k"), "héllo wörld");
    await store.close();
    await server.close();
  });

  it("a drop rejects written commands with ConnectionClosedError, then reconnects", async () => {
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      if (conn.index === 0 && command[1] === "drop") {
        conn.destroy();
        return undefined;
      }
      return bulk(`c${conn.index}`);
    });
    const store = createStore(`redis://127.0.0.1:${server.port}`, {
      reconnect: { minDelay: 5, maxDelay: 20 },
    });
    await store.connect();
    await assert.rejects(store.get("drop"), ConnectionClosedError);
    // Issued after the drop: waits in the offline queue, then runs once reconnected.
    assert.equal(await store.get("after"), "c1");
    assert.equal(server.connections, 2);
    // The failed command was not silently re-sent.
    assert.equal(server.commands.filter((c) => c[1] === "drop").length, 1);
    await store.close();
    await server.close();
  });

  it("an idempotent command is re-sent after a drop instead of failing", async () => {
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      if (conn.index === 0) {
        conn.destroy();
        return undefined;
      }
      return bulk(`${command[1]}@${conn.index}`);
    });
    const store = createStore(`redis://127.0.0.1:${server.port}`, {
      reconnect: { minDelay: 5, maxDelay: 20 },
    });
    await store.connect();
    const safe = store.with({ idempotent: true }).get("safe");
    const unsafe = store.get("unsafe");
    const [safeResult, unsafeResult] = await Promise.allSettled([safe, unsafe]);
    assert.deepEqual(safeResult, { status: "fulfilled", value: "safe@1" });
    assert.equal(unsafeResult.status, "rejected");
    assert.ok((unsafeResult as PromiseRejectedResult).reason instanceof ConnectionClosedError);
    assert.equal(server.commands.filter((c) => c[1] === "unsafe").length, 1);
    await store.close();
    await server.close();
  });

  it("resendReadOnly re-sends written read-only commands after a drop, never writes or MULTI units", async () => {
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      const name = String(command[0]).toUpperCase();
      if (conn.index === 0) {
        // Drop once the last command of the burst arrives, before any reply.
        if (name === "EXEC") conn.destroy();
        return undefined;
      }
      if (name === "MULTI") return "+OK\r\n";
      return bulk(`${command[0]} ${command[1] ?? ""}@${conn.index}`);
    });
    const store = createStore(`redis://127.0.0.1:${server.port}?resendReadOnly=true`, {
      reconnect: { minDelay: 5, maxDelay: 20 },
    });
    await store.connect();
    const read = store.hget("h", "f");
    const range = store.execute("LRANGE", "l", "0", "-1");
    const write = store.incr("counter");
    const unit = store.transaction().get("in-multi").commit();
    const [readResult, rangeResult, writeResult, unitResult] = await Promise.allSettled([
      read,
      range,
      write,
      unit,
    ]);
    assert.deepEqual(readResult, { status: "fulfilled", value: "HGET h@1" });
    assert.deepEqual(rangeResult, { status: "fulfilled", value: "LRANGE l@1" });
    assert.equal(writeResult.status, "rejected");
    assert.ok((writeResult as PromiseRejectedResult).reason instanceof ConnectionClosedError);
    assert.equal(unitResult.status, "rejected");
    const sent = (name: string) => server.commands.filter((c) => c[0] === name).length;
    assert.equal(sent("HGET"), 2);
    assert.equal(sent("INCR"), 1);
    assert.equal(sent("GET"), 1, "a GET inside MULTI ... EXEC is not replayed alone");
    await store.close();
    await server.close();
  });

  it("execute() refuses commands that would change the shared connection's mode", () => {
    const store = createStore("redis://127.0.0.1:1");
    for (const command of ["SUBSCRIBE", "psubscribe", "MONITOR", "SELECT", "HELLO", "QUIT"]) {
      assert.throws(() => store.execute(command, "x"), TypeError);
    }
  });

  it("garbage from the server is a ProtocolError, and the store recovers", async () => {
    const server = await scriptedServer((command, conn) => {
      const handshake = handshakeReply(command);
      if (handshake) return handshake;
      return conn.index === 0 ? "?garbage\r\n" : "+fine\r\n";
    });
    const store = createStore(`redis://127.0.0.1:${server.port}`, {
      reconnect: { minDelay: 5, maxDelay: 20 },
    });
    await assert.rejects(store.get("x"), (error: Error) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.ok(error.cause instanceof ProtocolError);
      return true;
    });
    assert.equal(await store.get("y"), "fine");
    await store.close();
    await server.close();
  });

  it("falls back to AUTH and RESP2 when HELLO is unknown", async () => {
    const server = await scriptedServer((command) => {
      if (command[0] === "HELLO") return "-ERR unknown command 'HELLO'\r\n";
      if (command[0] === "AUTH") {
        return command[1] === "pw" ? "+OK\r\n" : "-ERR invalid password\r\n";
      }
      if (command[0] === "SELECT") return "+OK\r\n";
      if (command[0] === "GET") return bulk("old-server");
      return undefined;
    });
    const store = createStore(`redis://:pw@127.0.0.1:${server.port}/2`);
    assert.equal(await store.get("k"), "old-server");
    assert.equal(store.protocol, 2);
    assert.deepEqual(server.commands.find((c) => c[0] === "AUTH"), ["AUTH", "pw"]);
    assert.ok(server.commands.some((c) => c[0] === "SELECT" && c[1] === "2"));
    await store.close();
    await server.close();
  });

  it("close() rejects what is still pending after the grace period", async () => {
    const server = await scriptedServer((command) => handshakeReply(command));
    const store = createStore(`redis://127.0.0.1:${server.port}`);
    await store.connect();
    const pending = store.get("never");
    const closing = store.close();
    await assert.rejects(pending, ConnectionClosedError);
    await closing;
    await assert.rejects(store.get("x"), ConnectionClosedError);
    await server.close();
  });

  it("the offline queue is bounded", async () => {
    const server = await scriptedServer((command) => handshakeReply(command));
    const store = createStore(`redis://127.0.0.1:${server.port}`, { maxOfflineCommands: 2 });
    const first = [store.get("a"), store.get("b")];
    await assert.rejects(store.get("c"), /2 commands already wait/);
    await store.close();
    await Promise.allSettled(first);
    await server.close();
  });

  it("bad arguments are a TypeError and nothing is sent", async () => {
    const server = await scriptedServer((command) => handshakeReply(command) ?? "+OK\r\n");
    const store = createStore(`redis://127.0.0.1:${server.port}`);
    await store.connect();
    const before = server.commands.length;
    assert.throws(
      () => store.set("k", undefined as unknown as string),
      (error: TypeError) => error.name === "TypeError" && /argument 2 of "SET"/.test(error.message),
    );
    assert.throws(() => store.execute("SET", "k", null as unknown as string), TypeError);
    assert.equal(await store.execute("PING"), "OK");
    assert.equal(server.commands.length, before + 1);
    await store.close();
    await server.close();
  });
});

describe("connection handshake [redis]", () => {
  let server: RedisServer | undefined;
  const skip = skipWithoutRedis();
  before(async () => {
    if (!skip) server = await startRedisServer(["--requirepass", "s3cret"]);
  });
  after(async () => {
    await server?.stop();
  });

  it("authenticates with a password and selects the database", { skip }, async () => {
    const store = createStore(`redis://:s3cret@127.0.0.1:${server!.port}/3`);
    await store.set("auth:k", "v");
    assert.equal(await store.get("auth:k"), "v");
    assert.match(String(await store.execute("CLIENT", "INFO")), /db=3/);
    await store.close();
  });

  it("a wrong password is a ConnectionError that does not leak it", { skip }, async () => {
    const store = createStore(`redis://:wrong-pass@127.0.0.1:${server!.port}`);
    await assert.rejects(store.ping(), (error: Error) => {
      assert.ok(error instanceof ConnectionError);
      assert.ok(error.cause instanceof ReplyError);
      assert.match(error.message, /HELLO failed: WRONGPASS/);
      assert.ok(!error.message.includes("wrong-pass"));
      return true;
    });
    await store.close();
  });

  it("a missing password fails the handshake with NOAUTH as the cause", { skip }, async () => {
    const store: RedisStore = createStore(`redis://127.0.0.1:${server!.port}`, { protocol: 2 });
    await assert.rejects(store.get("x"), (error: ConnectionError) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal((error.cause as ReplyError).code, "NOAUTH");
      return true;
    });
    await store.close();
  });

  it(
    "RESP3 pushes on the shared connection go to onPush; replies stay aligned",
    { skip },
    async () => {
      const pushes: unknown[] = [];
      const store = createStore(`redis://:s3cret@127.0.0.1:${server!.port}`, {
        onPush: (frame: RespValue[]) => pushes.push(frame),
      });
      const other = createStore(`redis://:s3cret@127.0.0.1:${server!.port}`);
      await store.execute("CLIENT", "TRACKING", "ON");
      await store.set("track:k", "1");
      assert.equal(await store.get("track:k"), "1");
      await other.set("track:k", "2");
      const deadline = Date.now() + 2000;
      while (pushes.length === 0 && Date.now() < deadline) await sleep(5);
      assert.equal(pushes.length >= 1, true);
      assert.equal(text((pushes[0] as RespValue[])[0]), "invalidate");
      assert.equal(await store.get("track:k"), "2");
      await store.close();
      await other.close();
    },
  );

  it("clientName sets the connection name", { skip }, async () => {
    const store = createStore(`redis://:s3cret@127.0.0.1:${server!.port}?clientName=worker-1`);
    assert.equal(await store.execute("CLIENT", "GETNAME"), "worker-1");
    await store.close();
  });
});

describe("captureStack", () => {
  it("captureStack gives a ReplyError the stack of the line that issued the command", async () => {
    await using store = await startStore("pulsar://", { captureStack: true });
    await store.set("cs:text", "not a number");
    async function incrementTheTextKey() {
      return await store.incr("cs:text");
    }
    const error = await incrementTheTextKey().then(() => undefined, (error) => error);
    assert.ok(error instanceof ReplyError);
    assert.match(error.stack ?? "", /^ReplyError: ERR /);
    assert.match(error.stack ?? "", /incrementTheTextKey|connection_test\.ts:\d+/);
  });

  it("captureStack gives a TimeoutError the stack of the line that issued the command", async () => {
    const server = await scriptedServer((command) => handshakeReply(command));
    const store = createStore(`redis://127.0.0.1:${server.port}?captureStack=true`);
    function waitForNothing() {
      return store.with({ timeout: 20 }).get("never");
    }
    const error = await waitForNothing().then(() => undefined, (error) => error);
    assert.equal(error?.name, "TimeoutError");
    // The caller's line, in this file (JavaScriptCore may fold the function's own frame).
    assert.match(String(error.stack), /connection_test\.ts:\d+/);
    await store.close();
    await server.close();
  });
});
