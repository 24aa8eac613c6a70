/**
 * Type-level tests: the reply types of command methods and batches. The
 * assertions are checked by the type checker (`deno check`, which `deno test`
 * runs first): a wrong type fails the build, not a runtime assertion. The
 * runtime part checks that the values have the types claimed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type CommandSet,
  type Pipeline,
  type RedisStore,
  type ScoredMember,
  startStore,
  type StreamEntry,
  type Transaction,
  type WatchedStore,
} from "../mod.ts";

/** `true` when `A` and `B` are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/** Compiles only when `T` is `true`. */
function expectType<T extends true>(_proof?: T): void {}

describe("types", () => {
  it("pipeline().commit() resolves to the tuple of its commands' reply types", async () => {
    await using store = await startStore("pulsar://");
    const pipeline = store.pipeline().set("a", "1").get("a");
    expectType<Equal<typeof pipeline, Pipeline<["OK" | null, string | null]>>>();
    const replies = await pipeline.commit();
    expectType<Equal<typeof replies, ["OK" | null, string | null]>>();
    assert.deepEqual(replies, ["OK", "1"]);

    const mixed = await store.pipeline()
      .incr("n")
      .hgetall("h")
      .zrangeWithScores("z", 0, -1)
      .exists("a", "b")
      .commit();
    expectType<
      Equal<typeof mixed, [number, Record<string, string>, ScoredMember[], number]>
    >();
    assert.deepEqual(mixed, [1, {}, [], 1]);
  });

  it("an empty pipeline commits to []", async () => {
    await using store = await startStore("pulsar://");
    const empty = await store.pipeline().commit();
    expectType<Equal<typeof empty, []>>();
    assert.deepEqual(empty, []);
  });

  it("transaction().commit() is typed the same way", async () => {
    await using store = await startStore("pulsar://");
    const transaction = store.transaction().incr("x").incrby("x", 5).get("x");
    expectType<Equal<typeof transaction, Transaction<[number, number, string | null]>>>();
    const replies = await transaction.commit();
    expectType<Equal<typeof replies, [number, number, string | null]>>();
    assert.deepEqual(replies, [1, 6, "6"]);
  });

  it("watch() returns the reply types of the transaction its callback returns", async () => {
    await using store = await startStore("pulsar://");
    const replies = await store.watch(["balance"], async (tx) => {
      expectType<Equal<typeof tx, WatchedStore>>();
      const balance = await tx.get("balance");
      expectType<Equal<typeof balance, string | null>>();
      return tx.multi().set("balance", Number(balance ?? 0) + 10).incr("ops");
    });
    expectType<Equal<typeof replies, ["OK" | null, number]>>();
    assert.deepEqual(replies, ["OK", 1]);

    const untyped = await store.watch(["balance"], (tx) => {
      tx.multi().del("balance");
    });
    expectType<Equal<typeof untyped, unknown[]>>();
    assert.deepEqual(untyped, [1]);
  });

  it("with() views are command sets with the store's method types", async () => {
    await using store = await startStore("pulsar://");
    const view = store.with({ timeout: 1000 });
    expectType<Equal<typeof view, CommandSet>>();
    const value = await view.get("missing");
    expectType<Equal<typeof value, string | null>>();
    assert.equal(value, null);
    expectType<Equal<ReturnType<RedisStore["get"]>, ReturnType<CommandSet["get"]>>>();
  });

  it("stream methods have typed replies, in batches too", () => {
    type Chain = ReturnType<Pipeline<[]>["xadd"]>;
    expectType<Equal<Chain, Pipeline<[string | null]>>>();
    type Read = Awaited<ReturnType<RedisStore["xread"]>>;
    expectType<Equal<Read, Record<string, StreamEntry[]> | null>>();
    type Pending = Awaited<ReturnType<RedisStore["xpending"]>>;
    expectType<Equal<Pending["consumers"], { name: string; count: number }[]>>();
  });

  it("a batch has no connection methods", () => {
    type Members = keyof Pipeline<[]>;
    expectType<Equal<Extract<Members, "close" | "connect" | "pipeline" | "watch">, never>>();
  });
});
