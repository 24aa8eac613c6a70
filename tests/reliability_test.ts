import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionClosedError, createStore, type RedisStore } from "../mod.ts";
import { serve } from "../server.ts";
import { startFaultProxy } from "./_fault_proxy.ts";
import { skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { retrying, sleep } from "./_wait.ts";

const soakSeconds = Number(process.env.SOAK_SECONDS ?? 15);

interface Backend {
  port: number;
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  redis: async () => await startRedisServer(),
  "embedded-tcp": async () => {
    const server = await serve({ port: 0 });
    return { port: server.addr.port, stop: () => server.shutdown() };
  },
};

for (const name of ["redis", "embedded-tcp"]) {
  if (name === "redis" && skipWithoutRedis()) continue;

  describe(`reliability [${name}]`, () => {
    let backend: Backend;
    before(async () => {
      backend = await backends[name]();
    });
    after(async () => {
      await backend.stop();
    });

    it("a silent peer is detected by the health check and the store recovers", async () => {
      const proxy = await startFaultProxy(backend.port);
      const store = createStore(`redis://127.0.0.1:${proxy.port}`, {
        healthCheck: 150,
        reconnect: { minDelay: 5, maxDelay: 20 },
      });
      await store.set("rel:h", "1");
      proxy.pause();
      const started = Date.now();
      await assert.rejects(store.get("rel:h"), ConnectionClosedError);
      assert.ok(Date.now() - started < 1500, `detected after ${Date.now() - started} ms`);
      proxy.resume();
      assert.equal(await retrying(() => store.get("rel:h")), "1");
      await store.close();
      await proxy.close();
    });

    it("a reply torn mid-frame fails only the commands on the wire", async () => {
      const proxy = await startFaultProxy(backend.port);
      const store = createStore(`redis://127.0.0.1:${proxy.port}`, {
        reconnect: { minDelay: 5, maxDelay: 20 },
      });
      await store.set("rel:big", "x".repeat(10_000));
      // The next connection is cut halfway through the 10 kB reply.
      proxy.dropAfter(5_000);
      proxy.dropAll();
      await assert.rejects(store.get("rel:big"), ConnectionClosedError);
      proxy.dropAfter(Infinity);
      proxy.dropAll();
      assert.equal((await retrying(() => store.get("rel:big")))?.length, 10_000);
      await store.close();
      await proxy.close();
    });

    it(
      `soak: 50 callers under random faults for ${soakSeconds}s lose nothing acknowledged`,
      { timeout: (soakSeconds + 60) * 1000 },
      async () => {
        const proxy = await startFaultProxy(backend.port);
        const store: RedisStore = createStore(`redis://127.0.0.1:${proxy.port}/5`, {
          timeout: 2000,
          healthCheck: 1000,
          reconnect: { minDelay: 5, maxDelay: 100, retries: 50 },
        });
        const checker = createStore(`redis://127.0.0.1:${backend.port}/5`);
        await checker.del("soak:log");
        const acked: string[] = [];
        let ambiguous = 0;
        let issued = 0;
        const stopAt = Date.now() + soakSeconds * 1000;
        let faults = 0;
        const faulting = (async () => {
          // A fault every 50-400 ms: cut everything, or tear the next replies.
          while (Date.now() < stopAt) {
            await sleep(50 + Math.random() * 350);
            faults++;
            if (Math.random() < 0.5) proxy.dropAll();
            else {
              proxy.dropAfter(Math.floor(Math.random() * 2000));
              await sleep(30);
              proxy.dropAfter(Infinity);
            }
          }
        })();
        const caller = async (id: number) => {
          let n = 0;
          while (Date.now() < stopAt) {
            const op = `${id}:${n++}`;
            issued++;
            try {
              await store.rpush("soak:log", op);
              acked.push(op);
            } catch {
              ambiguous++;
              await sleep(5);
            }
          }
        };
        await Promise.all([faulting, ...Array.from({ length: 50 }, (_, id) => caller(id))]);
        // Read the log in pages: one multi-million-element reply would only test memory.
        const log: string[] = [];
        for (let start = 0;; start += 100_000) {
          const page = await checker.lrange("soak:log", start, start + 99_999);
          for (const op of page) log.push(op);
          if (page.length < 100_000) break;
        }
        const counts = new Map<string, number>();
        for (const op of log) counts.set(op, (counts.get(op) ?? 0) + 1);
        const duplicated = [...counts].filter(([, count]) => count > 1);
        const lost = acked.filter((op) => !counts.has(op));
        console.log(
          `soak [${name}]: ${issued} issued, ${acked.length} acknowledged, ${ambiguous} failed ` +
            `(${log.length - acked.length} of them applied), ${faults} faults, ` +
            `${proxy.accepted} connections, ${lost.length} lost, ${duplicated.length} duplicated`,
        );
        assert.deepEqual(lost, [], "every acknowledged command is in the log");
        assert.deepEqual(duplicated, [], "no command was applied twice");
        assert.ok(log.length <= acked.length + ambiguous);
        assert.ok(acked.length > 0);
        await store.close();
        await checker.close();
        await proxy.close();
      },
    );

    if (name === "redis") {
      it("a server restart: later writes succeed and subscriptions come back", async () => {
        const store = createStore(`redis://127.0.0.1:${backend.port}`, {
          reconnect: { minDelay: 10, maxDelay: 100, retries: 100 },
        });
        let reconnects = 0;
        const pubsub = store.pubsub({ onReconnect: (count) => reconnects = count });
        const iterator = (await pubsub.subscribe("rel:iter")).messages();
        const received: unknown[] = [];
        pubsub.addClient((_channel, message) => received.push(message));
        await pubsub.subscribe("rel:news");
        await store.set("rel:before", "1");
        await backend.restart!();
        // Commands already sent may fail; a later one succeeds once reconnected.
        await retrying(() => store.set("rel:after", "2"));
        assert.equal(await store.get("rel:after"), "2");
        assert.equal(await store.get("rel:before"), null, "the restarted server lost its data");
        // The subscriber reconnects and subscribes again by itself.
        await retrying(async () => {
          assert.equal(await pubsub.publish("rel:news", "back"), 1);
        });
        await retrying(() => Promise.resolve(assert.deepEqual(received, ["back"])));
        assert.ok(pubsub.reconnects >= 1);
        assert.equal(reconnects, pubsub.reconnects);
        // The iterator learns that messages may have been lost meanwhile.
        await retrying(async () => assert.equal(await pubsub.publish("rel:iter", "x"), 1));
        const { value } = await iterator.next();
        assert.deepEqual(value, { channel: "rel:iter", message: "x", reconnected: true });
        await pubsub.close();
        await store.close();
      });
    }
  });
}
