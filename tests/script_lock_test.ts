import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LockError, NoScriptError, type ReplyError, scriptSha } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";

describe("scriptSha", () => {
  it("scriptSha() is the SHA-1 Redis uses", async () => {
    // redis-cli SCRIPT LOAD "return 1" -> e0e1f9fabfc9d4800c877a703b823ac0578ff8db
    assert.equal(await scriptSha("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  });
});

forEachTarget("scripts [redis]", (target) => {
  it("script().run() falls back to EVAL on NOSCRIPT, then uses EVALSHA", async () => {
    const store = target().store();
    await store.execute("SCRIPT", "FLUSH");
    const script = await store.script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    await store.del("sc:n");
    assert.equal(await script.run(["sc:n"], [5]), 5);
    assert.equal(await script.run(["sc:n"], [2]), 7);
  });

  it("EVALSHA of an unknown script is a NoScriptError", async () => {
    const store = target().store();
    await assert.rejects(store.execute("EVALSHA", "0".repeat(40), 0), NoScriptError);
  });

  it("a loaded script runs inside a pipeline", async () => {
    const store = target().store();
    const script = await store.script("return ARGV[1] .. '!'");
    await script.load();
    const [reply] = await store.pipeline().execute("EVALSHA", script.sha, 0, "hi").commit();
    assert.equal(reply, "hi!");
  });
}, ["redis"]);

forEachTarget("scripts [embedded]", (target) => {
  it("EVAL is refused with a clear not-supported error", async () => {
    const store = target().store();
    const script = await store.script("return 1");
    await assert.rejects(script.run(), (error: ReplyError) => {
      assert.match(error.message, /scripting is not supported by the embedded server/);
      return true;
    });
  });
}, ["embedded-tcp", "embedded-memory"]);

forEachTarget("locks", (target) => {
  it("lock() is exclusive until released", async () => {
    const store = target().store();
    const first = store.lock("lk:a", { timeout: 5 });
    const second = store.lock("lk:a", { timeout: 5, blocking: false });
    assert.equal(await first.acquire(), true);
    assert.equal(await second.acquire(), false);
    await first.release();
    assert.equal(await second.acquire(), true);
    await second.release();
    assert.equal(await store.exists("lk:a"), 0);
  });

  it("a blocking acquire waits for the holder, bounded by `blocking` seconds", async () => {
    const store = target().store();
    const holder = store.lock("lk:b");
    await holder.acquire();
    const waiter = store.lock("lk:b", { blocking: 0.15, sleep: 0.02 });
    const started = Date.now();
    assert.equal(await waiter.acquire(), false);
    assert.ok(Date.now() - started >= 140);
    setTimeout(() => holder.release(), 50);
    assert.equal(await store.lock("lk:b", { blocking: 2, sleep: 0.01 }).acquire(), true);
    await store.del("lk:b");
  });

  it("releasing a lock no longer owned throws LockError and keeps the new owner's key", async () => {
    const store = target().store();
    const lock = store.lock("lk:c", { timeout: 0.05 });
    assert.equal(await lock.acquire(), true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const other = store.lock("lk:c", { timeout: 5 });
    assert.equal(await other.acquire(), true);
    await assert.rejects(lock.release(), LockError);
    assert.equal(await store.exists("lk:c"), 1);
    await other.release();
  });

  it("extend() pushes the expiry while owned", async () => {
    const store = target().store();
    const lock = store.lock("lk:d", { timeout: 1 });
    await lock.acquire();
    await lock.extend(100);
    const ttl = await store.pttl("lk:d");
    assert.ok(ttl > 90_000 && ttl <= 100_000, String(ttl));
    await lock.release();
    await assert.rejects(lock.extend(1), LockError);
  });

  it("await using releases the lock", async () => {
    const store = target().store();
    {
      await using lock = store.lock("lk:e");
      assert.equal(await lock.acquire(), true);
      assert.equal(await store.exists("lk:e"), 1);
    }
    assert.equal(await store.exists("lk:e"), 0);
  });

  it("an aborted signal stops waiting", async () => {
    const store = target().store();
    const holder = store.lock("lk:f");
    await holder.acquire();
    const controller = new AbortController();
    const waiting = store.lock("lk:f", { signal: controller.signal, sleep: 0.01 }).acquire();
    setTimeout(() => controller.abort(new Error("enough")), 30);
    await assert.rejects(waiting, /enough/);
    await holder.release();
  });

  it("bad lock options are a RangeError", () => {
    const store = target().store();
    assert.throws(() => store.lock("x", { timeout: -1 }), RangeError);
    assert.throws(() => store.lock("", {}), TypeError);
  });
});
