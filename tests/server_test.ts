/**
 * Behaviour tests of the embedded server that the differential suite cannot
 * cover: in-memory connections, AUTH enforcement, protocol errors, batching,
 * blocking, persistence, limits, scripting errors, PULSAR.* commands.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../server.ts";
import type { ServerCore as PulsarServer } from "../src/server/server.ts";
import type { Conn } from "../src/transport/types.ts";
import { encodeCommand, frameEnd, RawConn } from "./differential_harness.ts";

const latin1 = (bytes: Uint8Array) => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};
const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A test client over an in-memory connection. */
class MemoryClient {
  #buf = new Uint8Array(0);
  #waiter: (() => void) | null = null;
  closed = false;
  chunks = 0;

  constructor(readonly conn: Conn) {
    conn.read({
      data: (chunk) => {
        this.chunks++;
        const next = new Uint8Array(this.#buf.length + chunk.length);
        next.set(this.#buf);
        next.set(chunk, this.#buf.length);
        this.#buf = next;
        this.#waiter?.();
      },
      end: () => {
        this.closed = true;
        this.#waiter?.();
      },
    });
  }

  send(raw: string | Uint8Array): void {
    this.conn.write(typeof raw === "string" ? bytesOf(raw) : raw);
  }

  async read(): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const end = frameEnd(this.#buf, 0);
      if (end !== -1) {
        const frame = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end);
        return latin1(frame);
      }
      if (this.closed) throw new Error(`closed with ${JSON.stringify(latin1(this.#buf))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), 20);
        this.#waiter = () => {
          clearTimeout(timer);
          this.#waiter = null;
          resolve();
        };
      });
    }
    throw new Error("timed out waiting for a reply");
  }

  async command(...args: string[]): Promise<string> {
    this.send(encodeCommand(args));
    return await this.read();
  }

  async waitClosed(): Promise<boolean> {
    for (let i = 0; i < 100 && !this.closed; i++) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  close(): void {
    this.conn.close();
  }
}

describe("serve() in memory", () => {
  let server: PulsarServer;
  before(async () => {
    server = await serve({ transport: false }) as PulsarServer;
  });
  after(async () => {
    await server.shutdown();
  });

  it("connectMemory() serves commands without sockets", async () => {
    const client = new MemoryClient(server.connectMemory());
    assert.equal(await client.command("PING"), "+PONG\r\n");
    assert.equal(await client.command("SET", "k", "v"), "+OK\r\n");
    assert.equal(await client.command("GET", "k"), "$1\r\nv\r\n");
    client.close();
  });

  it("execute() answers inline commands like Redis", async () => {
    const client = new MemoryClient(server.connectMemory());
    client.send('SET inline "a b"\r\nGET inline\r\n\r\nPING\n');
    assert.equal(await client.read(), "+OK\r\n");
    assert.equal(await client.read(), "$3\r\na b\r\n");
    assert.equal(await client.read(), "+PONG\r\n");
    client.close();
  });

  it("replies to a pipelined chunk in one write", async () => {
    const client = new MemoryClient(server.connectMemory());
    let batch = "";
    for (let i = 0; i < 50; i++) batch += latin1(encodeCommand(["INCR", "counter"]));
    const before = client.chunks;
    client.send(batch);
    for (let i = 1; i <= 50; i++) assert.equal(await client.read(), `:${i}\r\n`);
    assert.equal(client.chunks - before, 1);
    client.close();
  });

  it("replies -ERR Protocol error and closes on malformed RESP", async () => {
    const client = new MemoryClient(server.connectMemory());
    client.send("PING\r\n*1\r\n$x\r\n");
    assert.equal(await client.read(), "+PONG\r\n");
    assert.equal(await client.read(), "-ERR Protocol error: invalid bulk length\r\n");
    assert.ok(await client.waitClosed());
  });

  it("replies -ERR Protocol error for unbalanced quotes", async () => {
    const client = new MemoryClient(server.connectMemory());
    client.send('SET "a b\r\n');
    assert.equal(await client.read(), "-ERR Protocol error: unbalanced quotes in request\r\n");
    assert.ok(await client.waitClosed());
  });

  it("QUIT replies +OK and closes", async () => {
    const client = new MemoryClient(server.connectMemory());
    assert.equal(await client.command("QUIT"), "+OK\r\n");
    assert.ok(await client.waitClosed());
  });

  it("scripting commands reply a clear error", async () => {
    const client = new MemoryClient(server.connectMemory());
    const error = "-ERR scripting is not supported by the embedded server\r\n";
    assert.equal(await client.command("EVAL", "return 1", "0"), error);
    assert.equal(await client.command("EVALSHA", "abc", "0"), error);
    assert.equal(await client.command("SCRIPT", "LOAD", "return 1"), error);
    assert.equal(await client.command("FUNCTION", "LIST"), error);
    assert.equal(await client.command("FCALL", "f", "0"), error);
    client.close();
  });

  it("PULSAR.CAD deletes only when the value matches", async () => {
    const client = new MemoryClient(server.connectMemory());
    await client.command("SET", "lock", "token-1");
    assert.equal(await client.command("PULSAR.CAD", "lock", "other"), ":0\r\n");
    assert.equal(await client.command("PULSAR.CAD", "lock", "token-1"), ":1\r\n");
    assert.equal(await client.command("EXISTS", "lock"), ":0\r\n");
    assert.equal(await client.command("PULSAR.CAD", "lock", "token-1"), ":0\r\n");
    client.close();
  });

  it("PULSAR.CAPEXPIRE sets a TTL only when the value matches", async () => {
    const client = new MemoryClient(server.connectMemory());
    await client.command("SET", "lock", "t");
    assert.equal(await client.command("PULSAR.CAPEXPIRE", "lock", "x", "5000"), ":0\r\n");
    assert.equal(await client.command("PTTL", "lock"), ":-1\r\n");
    assert.equal(await client.command("PULSAR.CAPEXPIRE", "lock", "t", "5000"), ":1\r\n");
    const ttl = Number((await client.command("PTTL", "lock")).slice(1));
    assert.ok(ttl > 4000 && ttl <= 5000);
    assert.match(
      await client.command("PULSAR.CAPEXPIRE", "lock", "t", "0"),
      /^-ERR invalid expire/,
    );
    assert.match(await client.command("PULSAR.CAPEXPIRE", "lock", "t", "x"), /^-ERR value is not/);
    client.close();
  });

  it("the active expiry sweep deletes keys nobody reads", async () => {
    const client = new MemoryClient(server.connectMemory());
    await client.command("SELECT", "3");
    for (let i = 0; i < 30; i++) await client.command("SET", `e${i}`, "v", "PX", "20");
    assert.equal(server.databases[3].size, 30);
    for (let i = 0; i < 50 && server.databases[3].size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(server.databases[3].size, 0);
    client.close();
  });

  it("block() wakes the first blocked client when a key is written (BLPOP)", async () => {
    const a = new MemoryClient(server.connectMemory());
    const b = new MemoryClient(server.connectMemory());
    const c = new MemoryClient(server.connectMemory());
    a.send(encodeCommand(["BLPOP", "queue", "0"]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    b.send(encodeCommand(["BLPOP", "queue", "0"]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    a.send(encodeCommand(["PING"])); // queued behind the blocked BLPOP
    assert.equal(await c.command("RPUSH", "queue", "x"), ":1\r\n");
    assert.equal(await a.read(), "*2\r\n$5\r\nqueue\r\n$1\r\nx\r\n");
    assert.equal(await a.read(), "+PONG\r\n");
    assert.equal(await c.command("RPUSH", "queue", "y"), ":1\r\n");
    assert.equal(await b.read(), "*2\r\n$5\r\nqueue\r\n$1\r\ny\r\n");
    a.close();
    b.close();
    c.close();
  });

  it("block() replies nil on timeout and never blocks inside MULTI", async () => {
    const a = new MemoryClient(server.connectMemory());
    assert.equal(await a.command("BLPOP", "empty", "0.05"), "*-1\r\n");
    await a.command("MULTI");
    await a.command("BLPOP", "empty", "0");
    assert.equal(await a.command("EXEC"), "*1\r\n*-1\r\n");
    a.close();
  });

  it("MONITOR streams other clients' commands", async () => {
    const monitor = new MemoryClient(server.connectMemory());
    const other = new MemoryClient(server.connectMemory());
    assert.equal(await monitor.command("MONITOR"), "+OK\r\n");
    await other.command("SET", "mon", "a b");
    assert.match(await monitor.read(), /^\+\d+\.\d{6} \[0 memory:client\] "SET" "mon" "a b"\r\n$/);
    monitor.close();
    other.close();
  });

  it("INFO reports real field names", async () => {
    const client = new MemoryClient(server.connectMemory());
    const info = await client.command("INFO");
    for (
      const field of [
        "redis_version:",
        "connected_clients:",
        "used_memory:",
        "total_commands_processed:",
        "# Keyspace",
      ]
    ) {
      assert.ok(info.includes(field), field);
    }
    const keyspace = await client.command("INFO", "keyspace");
    assert.match(keyspace, /# Keyspace\r\ndb0:keys=\d+,expires=\d+,avg_ttl=0\r\n/);
    assert.match(await client.command("COMMAND", "COUNT"), /^:\d+\r\n$/);
    client.close();
  });
});

describe("serve() with a password", () => {
  let server: PulsarServer;
  before(async () => {
    server = await serve({ transport: false, password: "s3cret" }) as PulsarServer;
  });
  after(async () => {
    await server.shutdown();
  });

  it("AUTH is enforced: NOAUTH until AUTH succeeds", async () => {
    const client = new MemoryClient(server.connectMemory());
    assert.equal(await client.command("GET", "k"), "-NOAUTH Authentication required.\r\n");
    assert.equal(
      await client.command("AUTH", "wrong"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert.equal(
      await client.command("AUTH", "nobody", "s3cret"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert.match(await client.command("HELLO", "3"), /^-NOAUTH HELLO must be called/);
    assert.equal(await client.command("AUTH", "default", "s3cret"), "+OK\r\n");
    assert.equal(await client.command("GET", "k"), "$-1\r\n");
    client.close();
  });

  it("HELLO AUTH authenticates and switches protocol", async () => {
    const client = new MemoryClient(server.connectMemory());
    const reply = await client.command("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me");
    assert.match(reply, /^%7\r\n\$6\r\nserver\r\n/);
    assert.equal(await client.command("CLIENT", "GETNAME"), "$2\r\nme\r\n");
    assert.equal(await client.command("GET", "nothing"), "_\r\n");
    client.close();
  });

  it("MULTI is refused before AUTH", async () => {
    const client = new MemoryClient(server.connectMemory());
    assert.equal(await client.command("MULTI"), "-NOAUTH Authentication required.\r\n");
    client.close();
  });
});

describe("serve() limits", () => {
  it("closes a slow pub/sub subscriber over the output limit", async () => {
    const server = await serve({ transport: false, pubsubOutputLimit: 1024 });
    try {
      const sub = new MemoryClient(server.connectMemory());
      const pub = new MemoryClient(server.connectMemory());
      await sub.command("SUBSCRIBE", "ch");
      // One command chunk publishing more than the limit before any flush.
      let batch = "";
      for (let i = 0; i < 20; i++) {
        batch += latin1(encodeCommand(["PUBLISH", "ch", "x".repeat(100)]));
      }
      pub.send(batch);
      assert.ok(await sub.waitClosed());
      pub.close();
    } finally {
      await server.shutdown();
    }
  });

  it("closes a client whose query buffer exceeds maxQueryBuffer", async () => {
    const server = await serve({ transport: false, maxQueryBuffer: 1024 });
    try {
      const client = new MemoryClient(server.connectMemory());
      client.send(`*2\r\n$3\r\nGET\r\n$100000\r\n${"x".repeat(2000)}`);
      assert.ok(await client.waitClosed());
    } finally {
      await server.shutdown();
    }
  });
});

describe("serve() persistence", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "pulsards-snap-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("SAVE writes a snapshot that a new server loads, TTLs and types included", async () => {
    const path = join(dir, "a.pulsar");
    const first = await serve({ transport: false, snapshot: { path, saveEverySeconds: 0 } });
    const client = new MemoryClient(first.connectMemory());
    await client.command("SET", "s", "v");
    await client.command("SET", "t", "v", "EX", "1000");
    await client.command("RPUSH", "l", "a", "b");
    await client.command("SADD", "set", "x");
    await client.command("HSET", "h", "f", "v");
    await client.command("SELECT", "5");
    await client.command("SET", "db5", "yes");
    assert.equal(await client.command("SAVE"), "+OK\r\n");
    assert.match(await client.command("LASTSAVE"), /^:\d+\r\n$/);
    client.close();
    await first.shutdown(false);

    const second = await serve({ transport: false, snapshot: { path, saveEverySeconds: 0 } });
    const again = new MemoryClient(second.connectMemory());
    assert.equal(await again.command("GET", "s"), "$1\r\nv\r\n");
    const ttl = Number((await again.command("TTL", "t")).slice(1));
    assert.ok(ttl > 990 && ttl <= 1000);
    assert.equal(await again.command("LRANGE", "l", "0", "-1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert.equal(await again.command("TYPE", "set"), "+set\r\n");
    assert.equal(await again.command("HGET", "h", "f"), "$1\r\nv\r\n");
    await again.command("SELECT", "5");
    assert.equal(await again.command("GET", "db5"), "$3\r\nyes\r\n");
    again.close();
    await second.shutdown(false);
  });

  it("shutdown() saves and BGSAVE replies at once", async () => {
    const path = join(dir, "b.pulsar");
    const server = await serve({ transport: false, snapshot: { path, saveEverySeconds: 0 } });
    const client = new MemoryClient(server.connectMemory());
    await client.command("SET", "k", "v");
    assert.equal(await client.command("BGSAVE"), "+Background saving started\r\n");
    await client.command("SET", "k2", "v2");
    client.close();
    await server.shutdown();
    const reloaded = await serve({ transport: false, snapshot: { path } }) as PulsarServer;
    assert.equal(reloaded.databases[0].size, 2);
    await reloaded.shutdown(false);
  });

  it("a corrupt or truncated snapshot fails loudly and loads nothing", async () => {
    const path = join(dir, "c.pulsar");
    const server = await serve({ transport: false, snapshot: { path, saveEverySeconds: 0 } });
    const client = new MemoryClient(server.connectMemory());
    await client.command("SET", "k", "v");
    client.close();
    await server.shutdown();
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(serve({ transport: false, snapshot: { path } }), /Cannot load snapshot/);
    const flipped = new Uint8Array(bytes);
    flipped[12] ^= 0xff;
    writeFileSync(path, flipped);
    await assert.rejects(serve({ transport: false, snapshot: { path } }), /checksum mismatch/);
    writeFileSync(path, bytesOf("REDIS0009garbage"));
    await assert.rejects(serve({ transport: false, snapshot: { path } }), /bad magic/);
  });

  it("DUMP and RESTORE round-trip values", async () => {
    const server = await serve({ transport: false });
    const client = new MemoryClient(server.connectMemory());
    await client.command("RPUSH", "l", "a", "b", "c");
    const dump = await client.command("DUMP", "l");
    const payload = dump.slice(dump.indexOf("\r\n") + 2, -2);
    client.send(encodeCommand(["RESTORE", "l2", "5000", bytesOf(payload)]));
    assert.equal(await client.read(), "+OK\r\n");
    assert.equal(
      await client.command("LRANGE", "l2", "0", "-1"),
      "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    assert.equal(
      await client.command("RESTORE", "l2", "0", payload),
      "-BUSYKEY Target key name already exists.\r\n",
    );
    client.close();
    await server.shutdown();
  });
});

describe("serve() over TCP", () => {
  it("listens on 127.0.0.1 and shuts down on abort", async () => {
    const controller = new AbortController();
    const server = await serve({ port: 0, signal: controller.signal });
    assert.equal(server.addr.hostname, "127.0.0.1");
    const conn = await RawConn.connect(server.addr.port);
    assert.equal(latin1(await conn.command("PING")), "+PONG\r\n");
    controller.abort();
    await server.finished;
    assert.ok(await conn.waitClosed());
    await conn.close();
  });
});
