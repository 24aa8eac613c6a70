import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "../mod.ts";
import { runtime } from "../src/transport/mod.ts";
import { serve } from "../server.ts";
import { forEachTarget } from "./_targets.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";

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
