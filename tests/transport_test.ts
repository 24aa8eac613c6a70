import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "../mod.ts";
import { type Conn, memoryPair, runtime } from "../src/transport/mod.ts";
import { serve } from "../server.ts";
import { forEachTarget } from "./_targets.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { eventually, within } from "./_wait.ts";

describe("runtime adapter", () => {
  it("runtime is picked by feature test", () => {
    const expected = "Bun" in globalThis ? "bun" : "deno";
    assert.equal(runtime.name, expected);
  });

  it("connect() honours an already aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("no thanks"));
    await assert.rejects(
      runtime.connect({ hostname: "127.0.0.1", port: 1, signal: controller.signal }),
      /no thanks/,
    );
  });
});

describe("reads", () => {
  it("arrive as plain Uint8Array on both ends (a Buffer's slice() would be a view)", async () => {
    const chunks: Uint8Array[] = [];
    let serverSide: Uint8Array | undefined;
    const accepted: { close(): void }[] = [];
    const listener = await runtime.listen({ hostname: "127.0.0.1", port: 0 }, (conn) => {
      accepted.push(conn);
      conn.read({
        data(chunk) {
          serverSide ??= chunk;
          conn.write(chunk); // echo
        },
        end() {},
      });
    });
    const conn = await runtime.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const echoed = new Promise<void>((resolve) => {
      conn.read({
        data(chunk) {
          chunks.push(chunk);
          resolve();
        },
        end() {},
      });
    });
    try {
      conn.write(new TextEncoder().encode("PING\r\n"));
      await echoed;
      assert.equal(Object.getPrototypeOf(chunks[0]), Uint8Array.prototype);
      assert.equal(Object.getPrototypeOf(serverSide), Uint8Array.prototype);
    } finally {
      conn.close();
      for (const peer of accepted) peer.close();
      listener.close();
    }
  });
});

forEachTarget("large values (partial writes resumed)", (target) => {
  it("a 16 MiB value round-trips byte for byte", { timeout: 60_000 }, async () => {
    const store = target().store();
    const value = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
    assert.equal(await store.set("big:v", value), "OK");
    const back = await store.getBytes("big:v");
    assert.equal(back?.length, value.length);
    assert.ok(back!.every((byte, i) => byte === value[i]));
    await store.del("big:v");
  });

  it("many 1 MiB values in flight at once stay in order", { timeout: 60_000 }, async () => {
    const store = target().store();
    const values = Array.from({ length: 8 }, (_, i) => "v".repeat(1024 * 1024 - 1) + i);
    await Promise.all(values.map((value, i) => store.set(`big:${i}`, value)));
    const back = await Promise.all(values.map((_, i) => store.get(`big:${i}`)));
    back.forEach((value, i) => assert.equal(value, values[i]));
    await store.del(...values.map((_, i) => `big:${i}`));
  });
});

describe("unix sockets", () => {
  const skip = skipWithoutRedis();
  let server: RedisServer | undefined;
  let dir = "";
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "unix-"));
    if (!skip) server = await startRedisServer(["--unixsocket", join(dir, "redis.sock")]);
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("redis+unix:// reaches redis-server over its socket", { skip }, async () => {
    const store = createStore(`redis+unix://${join(dir, "redis.sock")}?db=2`);
    await store.set("unix:k", "v");
    assert.equal(await store.get("unix:k"), "v");
    assert.equal(store.database, 2);
    await store.close();
  });

  it("the embedded server listens on a unix socket", async () => {
    const path = join(dir, "pulsards.sock");
    const embedded = await serve({
      port: 0,
      transport: { listen: (o, c) => runtime.listen({ ...o, path }, c) },
    });
    const store = createStore(`unix://${path}`);
    assert.equal(await store.ping(), true);
    await store.close();
    await embedded.shutdown();
  });
});

/** A sink that keeps a copy of everything it is given. */
class Recorder {
  chunks: Uint8Array[] = [];
  received = 0;
  ended = false;
  /** Called with each chunk, after it is recorded. */
  onChunk: (chunk: Uint8Array) => void = () => {};
  readonly sink = {
    data: (chunk: Uint8Array) => {
      this.chunks.push(chunk.slice());
      this.received += chunk.length;
      this.onChunk(chunk);
    },
    end: () => {
      this.ended = true;
    },
  };
  /** Everything received, in order. */
  bytes(): Uint8Array {
    const all = new Uint8Array(this.received);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}

/** `length` bytes of a pattern that shows any reordering or loss. */
function patterned(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 131 + (i >>> 8) * 7 + seed) & 0xff;
  return bytes;
}

/** A connected writer and reader, and how to close both. */
interface Pair {
  writer: Conn;
  reader: Conn;
  close(): void;
}

const pairKinds: [string, () => Promise<Pair>][] = [
  ["memory", () => {
    const [writer, reader] = memoryPair();
    return Promise.resolve({
      writer,
      reader,
      close() {
        writer.close();
        reader.close();
      },
    });
  }],
  ["tcp", async () => {
    let reader: Conn | undefined;
    const listener = await runtime.listen({ hostname: "127.0.0.1", port: 0 }, (conn) => {
      reader = conn;
    });
    const writer = await runtime.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    await eventually(() => reader !== undefined);
    return {
      writer,
      reader: reader!,
      close() {
        writer.close();
        reader!.close();
        listener.close();
      },
    };
  }],
];

/** Writes `bytes` in `piece`-sized writes, without waiting on back-pressure. */
function writeInPieces(conn: Conn, bytes: Uint8Array, piece: number): Promise<unknown> {
  const pending: Promise<void>[] = [];
  for (let at = 0; at < bytes.length; at += piece) {
    const done = conn.write(bytes.subarray(at, Math.min(at + piece, bytes.length)));
    if (done) pending.push(done);
  }
  return Promise.all(pending);
}

for (const [kind, open] of pairKinds) {
  describe(`Conn.pause() / resume() over ${kind}`, () => {
    const pairs: Pair[] = [];
    const pair = async () => {
      const made = await open();
      pairs.push(made);
      return made;
    };
    after(() => {
      for (const made of pairs) made.close();
    });

    it("pause() delivers nothing; resume() delivers every byte in order", async () => {
      const paused = await pair();
      const control = await pair();
      const got = new Recorder();
      const seen = new Recorder();
      paused.reader.read(got.sink);
      paused.reader.pause!();
      paused.reader.pause!(); // idempotent
      control.reader.read(seen.sink);
      const payload = patterned(1 << 20);
      const writes = writeInPieces(paused.writer, payload, 64 * 1024);
      writeInPieces(control.writer, payload, 64 * 1024);
      // The unpaused twin shows the bytes had time to arrive.
      await eventually(() => seen.received === payload.length, 10_000);
      assert.equal(got.received, 0);
      paused.reader.resume!();
      paused.reader.resume!(); // idempotent
      await eventually(() => got.received === payload.length, 10_000);
      assert.deepEqual(got.bytes(), payload);
      await writes;
    });

    it("pause() inside data() stops delivery after that chunk", async () => {
      const paused = await pair();
      const control = await pair();
      const got = new Recorder();
      const seen = new Recorder();
      got.onChunk = () => paused.reader.pause!();
      paused.reader.read(got.sink);
      control.reader.read(seen.sink);
      const first = patterned(100, 1);
      paused.writer.write(first);
      await eventually(() => got.received === first.length);
      const rest = patterned(256 * 1024, 2);
      writeInPieces(paused.writer, rest, 16 * 1024);
      writeInPieces(control.writer, rest, 16 * 1024);
      await eventually(() => seen.received === rest.length, 10_000);
      assert.equal(got.received, first.length);
      got.onChunk = () => {};
      paused.reader.resume!();
      await eventually(() => got.received === first.length + rest.length, 10_000);
      assert.deepEqual(got.bytes().subarray(first.length), rest);
    });

    it("a peer writing into a paused conn is back-pressured", { timeout: 60_000 }, async () => {
      const { writer, reader } = await pair();
      const got = new Recorder();
      reader.read(got.sink);
      reader.pause!();
      const chunk = patterned(1 << 20, 3);
      const limit = 256; // MiB the writer would send if nothing pushed back
      let accepted = 0;
      let stalled: Promise<void> | undefined;
      for (let i = 0; i < limit && stalled === undefined; i++) {
        const done = writer.write(chunk);
        if (done !== undefined && (await within(done, 500)).state === "pending") stalled = done;
        accepted++;
      }
      // Only what the kernel's buffers (or one pending write) hold got through.
      assert.ok(stalled !== undefined, `the writer never waited: ${accepted} MiB accepted`);
      assert.ok(accepted <= 64, `${accepted} MiB accepted by a paused reader`);
      assert.equal(got.received, 0);
      reader.resume!();
      await stalled;
      await eventually(() => got.received === accepted * chunk.length, 20_000);
      const all = got.bytes();
      for (let i = 0; i < accepted; i++) {
        assert.deepEqual(all.subarray(i * chunk.length, (i + 1) * chunk.length), chunk);
      }
    });

    it("a paused conn still writes, back-pressure and all", { timeout: 60_000 }, async () => {
      const { writer, reader } = await pair();
      reader.read(new Recorder().sink);
      reader.pause!();
      // The writer end reads what the paused end sends: its drain must still work.
      const got = new Recorder();
      writer.read(got.sink);
      const payload = patterned(16 << 20, 5);
      await reader.write(payload);
      await eventually(() => got.received === payload.length, 20_000);
      assert.deepEqual(got.bytes(), payload);
    });

    it("close() while paused calls end() and delivers nothing more", async () => {
      const { writer, reader } = await pair();
      const got = new Recorder();
      reader.read(got.sink);
      reader.pause!();
      writer.write(patterned(1000));
      reader.close();
      await eventually(() => got.ended);
      assert.equal(got.received, 0);
    });

    it("close() inside data() stops delivery at once", async () => {
      const { writer, reader } = await pair();
      const got = new Recorder();
      let afterClose = 0;
      let closed = false;
      got.onChunk = () => {
        if (closed) afterClose++;
        closed = true;
        reader.close();
      };
      reader.read(got.sink);
      for (let i = 0; i < 5; i++) writer.write(patterned(1000, i));
      await eventually(() => got.ended);
      assert.equal(afterClose, 0);
    });

    it("the peer's end waits behind paused data", async () => {
      const paused = await pair();
      const control = await pair();
      const got = new Recorder();
      const seen = new Recorder();
      paused.reader.read(got.sink);
      paused.reader.pause!();
      control.reader.read(seen.sink);
      const payload = patterned(64 * 1024, 4);
      for (const { writer } of [paused, control]) {
        writer.write(payload);
        writer.close();
      }
      await eventually(() => seen.ended, 10_000);
      assert.equal(seen.received, payload.length);
      assert.equal(got.received, 0);
      assert.equal(got.ended, false);
      paused.reader.resume!();
      await eventually(() => got.ended, 10_000);
      assert.deepEqual(got.bytes(), payload);
    });
  });
}
