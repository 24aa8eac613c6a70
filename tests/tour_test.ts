/**
 * `examples/tour.ts` pointed at a redis-server that holds someone's data:
 * it runs, and leaves every key it did not write, in its database and in
 * others.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createStore, type RedisStore } from "../mod.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";

/** Runs the tour with the runtime running this test; resolves to its output. */
function runTour(url: string): Promise<string> {
  const bun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const [command, args] = bun
    ? [process.execPath, ["examples/tour.ts", url]]
    : [process.execPath, ["run", "--allow-all", "examples/tour.ts", url]];
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the tour failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

describe("examples/tour.ts", { skip: skipWithoutRedis() }, () => {
  let server: RedisServer;
  let store: RedisStore;

  before(async () => {
    server = await startRedisServer();
    store = createStore<RedisStore>(`${server.url}/15`);
  });

  after(async () => {
    await store?.close();
    await server?.stop();
  });

  it("the tour touches only its own namespace and removes what it wrote", async () => {
    await store.mset({ mine: "keep", "tour:a": "keep", "pulsar-tour": "keep" });
    const output = await runTour(`${server.url}/15`);
    assert.match(output, /auto-pipelined 20000 SETs/);
    assert.deepEqual((await store.keys("*")).sort(), ["mine", "pulsar-tour", "tour:a"]);
    assert.deepEqual(await store.mget("mine", "tour:a"), ["keep", "keep"]);
  });
});
