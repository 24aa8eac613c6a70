import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CommandSet, createStore, RedisStore, ReplyError, startStore, WatchError } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`pipelines and transactions (RESP${protocol})`, (target) => {
    it("pipeline() returns every reply in order, errors as values", async () => {
      const store = target().store({ protocol });
      await store.flush();
      const replies = await store.pipeline()
        .set("p:a", "1")
        .incr("p:a")
        .execute("LPUSH", "p:a", "x")
        .get("p:a")
        .commit();
      assert.equal(replies.length, 4);
      assert.deepEqual(replies.slice(0, 2), ["OK", 2]);
      assert.ok(replies[2] instanceof ReplyError);
      assert.equal((replies[2] as ReplyError).code, "WRONGTYPE");
      assert.equal(replies[3], "2");
    });

    it("pipeline() cannot be committed twice", async () => {
      const store = target().store({ protocol });
      const pipeline = store.pipeline().get("p:none");
      assert.deepEqual(await pipeline.commit(), [null]);
      await assert.rejects(pipeline.commit(), TypeError);
      assert.throws(() => pipeline.get("x"), TypeError);
    });

    it("transaction() runs commands atomically", async () => {
      const store = target().store({ protocol });
      await store.del("t:x");
      assert.deepEqual(await store.transaction().incr("t:x").incr("t:x").get("t:x").commit(), [
        1,
        2,
        "2",
      ]);
    });

    it("transaction() keeps a runtime error as that entry's value", async () => {
      const store = target().store({ protocol });
      await store.set("t:s", "text");
      const replies = await store.transaction().incr("t:s").set("t:s", "v").commit();
      // The tuple types the replies of commands that succeed (number here).
      const failed: unknown = replies[0];
      assert.ok(failed instanceof ReplyError);
      assert.equal(replies[1], "OK");
    });

    it("transaction() surfaces EXECABORT with the queued error", async () => {
      const store = target().store({ protocol });
      await store.set("t:y", "1");
      await assert.rejects(
        store.transaction().incr("t:y").execute("NOSUCHCOMMAND").commit(),
        (error: ReplyError) => {
          assert.equal(error.code, "EXECABORT");
          assert.ok(error.cause instanceof ReplyError);
          assert.match(error.message, /unknown command/);
          return true;
        },
      );
      assert.equal(await store.get("t:y"), "1");
    });

    it("watch() commits when nothing changed", async () => {
      const store = target().store({ protocol });
      await store.set("w:balance", "10");
      const replies = await store.watch(["w:balance"], async (tx) => {
        const balance = Number(await tx.get("w:balance"));
        tx.multi().set("w:balance", balance + 5);
      });
      assert.deepEqual(replies, ["OK"]);
      assert.equal(await store.get("w:balance"), "15");
    });

    it("watch() retries after a conflicting write", async () => {
      const store = target().store({ protocol });
      await store.set("w:c", "0");
      let runs = 0;
      await store.watch(["w:c"], async (tx) => {
        const value = Number(await tx.get("w:c"));
        if (runs++ === 0) await store.set("w:c", "100");
        tx.multi().set("w:c", value + 1);
      });
      assert.equal(runs, 2);
      assert.equal(await store.get("w:c"), "101");
    });

    it("watch() throws WatchError when every attempt conflicts", async () => {
      const store = target().store({ protocol });
      let runs = 0;
      await assert.rejects(
        store.watch(["w:d"], async (tx) => {
          runs++;
          await store.incr("w:d");
          tx.multi().incr("w:d");
        }, { retries: 2 }),
        WatchError,
      );
      assert.equal(runs, 3);
    });

    it("watch() rethrows the callback's error and leaves data intact", async () => {
      const store = target().store({ protocol });
      await store.set("w:e", "1");
      await assert.rejects(
        store.watch(["w:e"], (tx) => {
          tx.multi().set("w:e", "2");
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await store.get("w:e"), "1");
    });

    it("executeTransaction() runs Command args in MULTI/EXEC", async () => {
      const store = target().store({ protocol });
      const { Command } = await import("../mod.ts");
      const replies = await store.executeTransaction([
        new Command(["SET", "odm:1", "a"]),
        new Command(["GET", "odm:1"]),
      ]);
      assert.equal(replies[0], "OK");
      assert.deepEqual(replies[1], new TextEncoder().encode("a"));
    });
  });
}

describe("command sets over executors", () => {
  it("pipeline() and transaction() have command methods but no store methods", () => {
    const store = createStore<RedisStore>("redis://127.0.0.1:1");
    for (const batch of [store.pipeline(), store.transaction()]) {
      assert.equal(typeof batch.get, "function");
      assert.ok(!(batch instanceof RedisStore));
      for (const name of ["close", "connect", "ping", "pipeline", "pubsub", "flush", "watch"]) {
        assert.equal(name in batch, false, `a batch has no ${name}()`);
      }
    }
  });

  it("with() returns a CommandSet, not a store: it cannot close the store", () => {
    const store = createStore<RedisStore>("redis://127.0.0.1:1/3?namespace=app:");
    const view = store.with({ timeout: 100 });
    assert.ok(view instanceof CommandSet);
    assert.ok(!(view instanceof RedisStore));
    assert.equal("close" in view, false);
    assert.equal(view.namespace, "app:");
    assert.ok(view.with({ signal: AbortSignal.timeout(1000) }) instanceof CommandSet);
  });

  it("the store, views and batches share one function per command method", () => {
    const store = createStore<RedisStore>("redis://127.0.0.1:1");
    const pipeline = store.pipeline() as unknown as Record<string, unknown>;
    const view = store.with({}) as unknown as Record<string, unknown>;
    for (const name of ["get", "hset", "zadd", "blpop", "scan", "keys"]) {
      const method = (store as unknown as Record<string, unknown>)[name];
      assert.equal(view[name], method, name);
      if (name !== "scan") assert.equal(pipeline[name], method, name);
    }
  });

  it("watch() refuses a callback that returns a batch other than tx.multi()", async () => {
    await using store = await startStore("pulsar://");
    await assert.rejects(
      store.watch(["w:f"], () => store.transaction().set("w:f", "1")),
      TypeError,
    );
    assert.equal(await store.get("w:f"), null);
  });
});
