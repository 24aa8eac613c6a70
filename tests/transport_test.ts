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
