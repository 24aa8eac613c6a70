/**
 * maxmemory on the embedded server: eviction per policy, the OOM refusal of
 * `denyoom` commands (also inside MULTI/EXEC), truthful INFO memory and
 * evicted_keys, MEMORY USAGE, and the accounting of writes. Each scenario
 * runs against the embedded server and, when installed, against a real
 * redis-server; limits are set relative to each server's own `used_memory`,
 * so both face the same headroom.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { closeAllRaw } from "./_raw_socket.ts";
import { type Reply, RespClient } from "./_resp_client.ts";
import { eventually, sleep } from "./_wait.ts";

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

describe("maxmemory", () => {
  let server: PulsarServer;
  let redis: RedisServer | undefined;
  const targets: { name: string; port: () => number }[] = [];

  before(async () => {
    server = await serve({ port: 0 });
    targets.push({ name: "embedded", port: () => server.addr.port });
    if (!skipWithoutRedis()) {
      redis = await startRedisServer();
      targets.push({ name: "redis-server", port: () => redis!.port });
    }
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /** A fresh connection to a flushed target with no memory limit. */
  async function fresh(port: number): Promise<RespClient> {
    const client = await RespClient.connect(port);
    assert.equal(
      await client.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction"),
      "OK",
    );
    assert.equal(await client.call("CONFIG", "SET", "maxmemory-samples", "5"), "OK");
    assert.equal(await client.call("FLUSHALL"), "OK");
    assert.equal(await client.call("CONFIG", "RESETSTAT"), "OK");
    return client;
  }

  /** Another connection gets PING answered (within the reply deadline). */
  async function assertAnswering(port: number): Promise<void> {
    const other = await RespClient.connect(port);
    try {
      assert.equal(await other.call("PING"), "PONG");
    } finally {
      await other.close();
    }
  }

  /** Sets maxmemory to the server's current used_memory plus `headroom` bytes. */
  async function limitTo(client: RespClient, headroom: number, policy: string): Promise<number> {
    const limit = await client.info("used_memory", "memory") + headroom;
    assert.equal(
      await client.call("CONFIG", "SET", "maxmemory", String(limit), "maxmemory-policy", policy),
      "OK",
    );
    return limit;
  }

  async function exists(client: RespClient, key: string): Promise<boolean> {
    return await client.call("EXISTS", key) === 1;
  }

  const value = (size: number) => "x".repeat(size);

  it("allkeys-lru keeps used_memory under maxmemory 1000000 through fifty 100 KB SETs", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      // The case on ours; redis-server alone already uses ~0.9 MB, so
      // it gets the same 1 MB of headroom above what it uses.
      const limit = target.name === "embedded"
        ? 1000000
        : await client.info("used_memory", "memory") + 1000000;
      const reply = await client.call(
        "CONFIG",
        "SET",
        "maxmemory",
        String(limit),
        "maxmemory-policy",
        "allkeys-lru",
      );
      assert.equal(reply, "OK");
      for (let i = 0; i < 50; i++) {
        assert.equal(await client.call("SET", `k${i}`, value(100_000)), "OK", target.name);
      }
      const keys = await client.call("DBSIZE") as number;
      assert.ok(keys > 0 && keys < 50, `${target.name}: ${keys} keys kept`);
      assert.ok(await client.info("used_memory", "memory") <= limit, target.name);
      assert.equal(await client.info("evicted_keys", "stats"), 50 - keys, target.name);
      assert.equal(await client.info("maxmemory", "memory"), limit);
      assert.equal(await client.infoText("maxmemory_policy", "memory"), "allkeys-lru");
      if (target.name === "embedded") {
        assert.equal(await client.infoText("maxmemory_human", "memory"), "976.56K");
        assert.ok(keys >= 5, `${keys} keys: most of the megabyte is used`);
      }
      await assertAnswering(target.port());
      await client.close();
    }
  });

  it("noeviction refuses denyoom commands with Redis's OOM error, others still run", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      assert.equal(await client.call("SET", "kept", "1"), "OK");
      await limitTo(client, 200_000, "noeviction");
      // Fill past the limit: the write that crosses it succeeds, the next is refused.
      let refused: Reply = null;
      for (let i = 0; i < 20 && refused === null; i++) {
        const reply = await client.call("SET", `fill${i}`, value(50_000));
        if (reply !== "OK") refused = reply;
      }
      assert.deepEqual(refused, { error: OOM }, target.name);
      // Far over the limit (Redis's own buffers come and go around a tight one).
      const limit = await client.call("CONFIG", "GET", "maxmemory") as string[];
      assert.equal(await client.call("CONFIG", "SET", "maxmemory", "1"), "OK");
      assert.deepEqual(await client.call("RPUSH", "list", "a"), { error: OOM });
      assert.deepEqual(await client.call("APPEND", "kept", "a"), { error: OOM });
      assert.equal(await client.call("GET", "kept"), "1", "reads still run");
      assert.equal(await client.call("EXPIRE", "kept", "100"), 1, "EXPIRE is not denyoom");
      assert.equal(await client.info("evicted_keys", "stats"), 0);
      // Deleting frees memory: writes succeed again.
      assert.equal(await client.call("CONFIG", "SET", "maxmemory", limit[1]), "OK");
      const keys = await client.call("KEYS", "fill*") as string[];
      assert.equal(await client.call("DEL", ...keys), keys.length);
      if (target.name === "embedded") {
        // (Redis keeps the big arguments' query buffer until its clients cron shrinks it.)
        assert.equal(await client.call("SET", "after", "1"), "OK", target.name);
      }
      await assertAnswering(target.port());
      await client.close();
    }
  });

  it("inside MULTI, queueing over the limit fails and EXEC aborts, like Redis", async () => {
    const transcripts: string[][] = [];
    for (const target of targets) {
      const client = await fresh(target.port());
      const transcript: string[] = [];
      const send = async (...args: string[]) => transcript.push(await client.rawCall(args));
      // A transaction queued while memory was fine, executed once it is not.
      await send("MULTI");
      await send("SET", "a", "1");
      await send("GET", "a");
      const admin = await RespClient.connect(target.port());
      assert.equal(await admin.call("CONFIG", "SET", "maxmemory", "1"), "OK");
      await send("EXEC");
      // Queueing anything (even GET) while out of memory flags the transaction.
      await send("MULTI");
      await send("GET", "a");
      await send("SET", "b", "1");
      await send("EXEC");
      // A transaction of reads only still runs.
      assert.equal(await admin.call("CONFIG", "SET", "maxmemory", "0"), "OK");
      await send("MULTI");
      await send("GET", "a");
      assert.equal(await admin.call("CONFIG", "SET", "maxmemory", "1"), "OK");
      await send("EXEC");
      await send("DISCARD");
      assert.equal(await admin.call("CONFIG", "SET", "maxmemory", "0"), "OK");
      await admin.close();
      await client.close();
      transcripts.push(transcript);
    }
    assert.deepEqual(transcripts[0], [
      "+OK\r\n",
      "+QUEUED\r\n",
      "+QUEUED\r\n",
      `-EXECABORT Transaction discarded because of: ${OOM}\r\n`,
      "+OK\r\n",
      `-${OOM}\r\n`,
      `-${OOM}\r\n`,
      "-EXECABORT Transaction discarded because of previous errors.\r\n",
      "+OK\r\n",
      "+QUEUED\r\n",
      "*1\r\n$-1\r\n",
      "-ERR DISCARD without MULTI\r\n",
    ]);
    if (transcripts.length > 1) assert.deepEqual(transcripts[0], transcripts[1]);
  });

  it("volatile-lru and volatile-lfu evict only keys with a TTL, then refuse writes", async () => {
    for (const target of targets) {
      for (const policy of ["volatile-lru", "volatile-lfu"]) {
        const client = await fresh(target.port());
        await limitTo(client, 600_000, policy);
        for (let i = 0; i < 10; i++) {
          assert.equal(await client.call("SET", `persistent${i}`, value(30_000)), "OK");
        }
        for (let i = 0; i < 20; i++) {
          assert.equal(
            await client.call("SET", `volatile${i}`, value(30_000), "EX", "1000"),
            "OK",
            target.name,
          );
        }
        assert.ok(
          await client.info("evicted_keys", "stats") > 0,
          `${target.name} ${policy} evicted`,
        );
        for (let i = 0; i < 10; i++) assert.ok(await exists(client, `persistent${i}`));
        // Once no volatile key is left, writes over the limit are refused.
        let refused: Reply = null;
        for (let i = 0; i < 40 && refused === null; i++) {
          const reply = await client.call("SET", `more${i}`, value(30_000));
          if (reply !== "OK") refused = reply;
        }
        assert.deepEqual(refused, { error: OOM }, target.name);
        assert.deepEqual(await client.call("KEYS", "volatile*"), []);
        await assertAnswering(target.port());
        await client.close();
      }
    }
  });

  it("volatile-ttl evicts the keys closest to expiring first", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      assert.equal(await client.call("CONFIG", "SET", "maxmemory-samples", "64"), "OK");
      await limitTo(client, 600_000, "volatile-ttl");
      for (let i = 0; i < 30; i++) {
        const ttl = String(1000 + i * 100);
        assert.equal(await client.call("SET", `t${i}`, value(30_000), "EX", ttl), "OK");
      }
      const evicted = await client.info("evicted_keys", "stats");
      assert.ok(evicted > 0, target.name);
      // The survivors are exactly the keys with the longest TTLs.
      const kept: number[] = [];
      for (let i = 0; i < 30; i++) if (await exists(client, `t${i}`)) kept.push(i);
      assert.ok(kept.length > 0 && kept.length < 30, target.name);
      assert.deepEqual(kept, Array.from(kept, (_, i) => 30 - kept.length + i), target.name);
      await client.close();
    }
  });

  it("allkeys-lru keeps the keys read recently; allkeys-lfu the keys read often", async () => {
    for (const target of targets) {
      for (const policy of ["allkeys-lru", "allkeys-lfu"]) {
        const client = await fresh(target.port());
        assert.equal(await client.call("CONFIG", "SET", "maxmemory-samples", "64"), "OK");
        assert.equal(await client.call("CONFIG", "SET", "maxmemory-policy", policy), "OK");
        for (let i = 0; i < 20; i++) {
          assert.equal(await client.call("SET", `c${i}`, value(30_000)), "OK");
        }
        // Redis's LRU clock ticks once a second.
        if (policy === "allkeys-lru") await sleep(1100);
        for (let round = 0; round < (policy === "allkeys-lfu" ? 50 : 1); round++) {
          for (let i = 0; i < 5; i++) await client.call("GET", `c${i}`);
        }
        await limitTo(client, 100_000, policy);
        for (let i = 0; i < 10; i++) {
          assert.equal(await client.call("SET", `n${i}`, value(30_000)), "OK");
        }
        assert.ok(await client.info("evicted_keys", "stats") > 0, `${target.name} ${policy}`);
        for (let i = 0; i < 5; i++) {
          assert.ok(await exists(client, `c${i}`), `${target.name} ${policy}: c${i} kept`);
        }
        await client.close();
      }
    }
  });

  it("allkeys-random and volatile-random stay under the limit; volatile-random spares persistent keys", async () => {
    for (const target of targets) {
      for (const policy of ["allkeys-random", "volatile-random"]) {
        const client = await fresh(target.port());
        for (let i = 0; i < 5; i++) {
          assert.equal(await client.call("SET", `p${i}`, value(30_000)), "OK");
        }
        const limit = await limitTo(client, 300_000, policy);
        for (let i = 0; i < 30; i++) {
          assert.equal(await client.call("SET", `r${i}`, value(30_000), "EX", "1000"), "OK");
        }
        assert.ok(await client.info("used_memory", "memory") <= limit, `${target.name} ${policy}`);
        assert.ok(await client.info("evicted_keys", "stats") > 0);
        if (policy === "volatile-random") {
          for (let i = 0; i < 5; i++) assert.ok(await exists(client, `p${i}`));
        }
        await client.close();
      }
    }
  });

  it("INFO memory follows writes and deletes; MEMORY USAGE sizes a key like Redis", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      const before = await client.info("used_memory", "memory");
      assert.equal(await client.call("SET", "big", value(1_000_000)), "OK");
      const withString = await client.info("used_memory", "memory");
      assert.ok(withString - before >= 1_000_000, `${target.name}: +${withString - before}`);
      if (target.name === "embedded") {
        // (Redis also counts the 1 MB argument's query buffer until its clients cron frees it.)
        assert.ok(withString - before < 1_200_000, `${target.name}: +${withString - before}`);
      }
      const usage = await client.call("MEMORY", "USAGE", "big") as number;
      assert.ok(usage >= 1_000_000 && usage < 1_100_000, `${target.name}: ${usage}`);
      // A hash grown in place (HSET on an existing key) is re-accounted.
      for (let i = 0; i < 100; i++) {
        assert.equal(await client.call("HSET", "h", `f${i}`, value(10_000)), 1);
      }
      const withHash = await client.info("used_memory", "memory");
      // (Measured from `before`: Redis frees the big SET's query buffer in between.)
      assert.ok(withHash - before >= 2_000_000, `${target.name}: +${withHash - before}`);
      const hashUsage = await client.call("MEMORY", "USAGE", "h", "SAMPLES", "0") as number;
      assert.ok(hashUsage >= 1_000_000 && hashUsage < 1_300_000, `${target.name}: ${hashUsage}`);
      assert.equal(await client.call("DEL", "big", "h"), 2);
      const after = await client.info("used_memory", "memory");
      if (target.name === "embedded") {
        assert.ok(Math.abs(after - before) < 100_000, `${target.name}: ${before} -> ${after}`);
      }
      assert.match(await client.infoText("used_memory_human", "memory"), /^\d+\.\d\d[KMG]$/);
      assert.ok(await client.info("used_memory_dataset", "memory") < after);
      assert.ok(await client.info("used_memory_peak", "memory") >= withHash);
      await client.close();
    }
  });

  it("used_memory_peak keeps a peak no INFO saw (sampled by the cron)", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      const before = await client.info("used_memory", "memory");
      assert.equal(await client.call("SET", "peak", value(2_000_000)), "OK");
      await sleep(300); // a few cron ticks
      assert.equal(await client.call("DEL", "peak"), 1);
      const peak = await client.info("used_memory_peak", "memory");
      assert.ok(peak >= before + 2_000_000, `${target.name}: ${before} -> peak ${peak}`);
      await client.close();
    }
  });

  it("MEMORY USAGE counts the spare capacity of a string grown by APPEND, like Redis", async () => {
    for (const target of targets) {
      const client = await fresh(target.port());
      assert.equal(await client.call("SET", "s", "a"), "OK");
      assert.equal(await client.call("APPEND", "s", value(100_000)), 100_001);
      // Both grow greedily (twice the length below 1 MiB), as sds does.
      const usage = await client.call("MEMORY", "USAGE", "s") as number;
      assert.ok(usage >= 200_000 && usage < 260_000, `${target.name}: ${usage}`);
      await client.close();
    }
  });

  it("MEMORY USAGE replies to a missing key and bad options like Redis", async () => {
    const transcripts: string[][] = [];
    for (const target of targets) {
      const client = await fresh(target.port());
      assert.equal(await client.call("SET", "k", "v"), "OK");
      const transcript: string[] = [];
      for (
        const args of [
          ["MEMORY", "USAGE", "missing"],
          ["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
          ["MEMORY", "USAGE", "k", "SAMPLES", "x"],
          ["MEMORY", "USAGE", "k", "SAMPLES"],
          ["MEMORY", "USAGE", "k", "FOO"],
          ["MEMORY", "USAGE"],
          ["MEMORY", "PURGE"],
          ["MEMORY", "NOPE"],
        ]
      ) transcript.push(await client.rawCall(args));
      transcripts.push(transcript);
      await client.close();
    }
    assert.equal(transcripts[0][0], "$-1\r\n");
    if (transcripts.length > 1) assert.deepEqual(transcripts[0], transcripts[1]);
  });

  it("the incremental accounting matches a full recount and returns to zero", async () => {
    const client = await fresh(server.addr.port);
    const small = "s".repeat(40);
    for (let i = 0; i < 300; i++) {
      await client.call("RPUSH", "list", `${small}${i}`);
      await client.call("HSET", "hash", `f${i}`, small);
      await client.call("SADD", "set", `${small}${i}`);
      await client.call("ZADD", "zset", String(i), `${small}${i}`);
      await client.call("APPEND", "str", small);
      if (i % 3 === 0) await client.call("LPOP", "list");
      if (i % 5 === 0) await client.call("HDEL", "hash", `f${i - 1}`);
    }
    await client.call("SETRANGE", "str", "20000", "x");
    await client.call("SET", "gone", "1", "PX", "1");
    await client.call("RENAME", "set", "set2");
    await client.call("COPY", "zset", "zset2");
    await client.call("SET", "moved", small);
    await client.call("MOVE", "moved", "1");
    // Incremental (sampled, cached per-element size) against a full recount.
    let recount = 0;
    for (const key of ["list", "hash", "set2", "zset", "zset2", "str"]) {
      recount += await client.call("MEMORY", "USAGE", key, "SAMPLES", "0") as number;
    }
    await client.call("SELECT", "1");
    recount += await client.call("MEMORY", "USAGE", "moved") as number;
    await client.call("SELECT", "0");
    await sleep(5); // "gone" expires: its bytes leave with it on the next access
    assert.equal(await client.call("GET", "gone"), null);
    const dataset = await client.info("used_memory_dataset", "memory");
    assert.ok(
      Math.abs(dataset - recount) < recount * 0.1,
      `dataset ${dataset}, recount ${recount}`,
    );
    assert.equal(await client.call("DEL", "list", "hash", "set2", "zset", "zset2", "str"), 6);
    await client.call("SELECT", "1");
    assert.equal(await client.call("UNLINK", "moved"), 1);
    assert.equal(await client.info("used_memory_dataset", "memory"), 0);
    await client.close();
  });

  it("serve({ maxMemory, maxMemoryPolicy }) starts with the limit; bad options throw", async () => {
    await using limited = await serve({
      transport: false,
      maxMemory: 5_000_000,
      maxMemoryPolicy: "allkeys-lfu",
    });
    const core = limited as unknown as { config: { maxmemory: number; maxmemoryPolicy: string } };
    assert.equal(core.config.maxmemory, 5_000_000);
    assert.equal(core.config.maxmemoryPolicy, "allkeys-lfu");
    await assert.rejects(serve({ transport: false, maxMemory: -1 }), RangeError);
    await assert.rejects(serve({ transport: false, maxMemoryPolicy: "lru" }), RangeError);
  });

  it("maxmemory-samples 2147483647 cannot turn evictions into keyspace scans", async () => {
    // (Not sent to redis-server: 7.0 puts that many samples in a stack array.)
    const client = await fresh(server.addr.port);
    for (let i = 0; i < 40; i++) {
      const args = ["MSET"];
      for (let j = 0; j < 1000; j++) args.push(`w${i * 1000 + j}`, value(100));
      assert.equal(await client.call(...args), "OK");
    }
    const used = await client.info("used_memory", "memory");
    const limit = String(used - 2_000_000);
    assert.equal(await client.call("CONFIG", "SET", "maxmemory-samples", "2147483647"), "OK");
    assert.equal(
      await client.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "maxmemory", limit),
      "OK",
    );
    await assertAnswering(server.addr.port);
    await eventually(
      async () => await client.info("used_memory", "memory") <= Number(limit),
      10000,
    );
    await client.close();
  });

  it("lowering maxmemory below the data evicts at once, through the cron too", async () => {
    const client = await fresh(server.addr.port);
    for (let i = 0; i < 2000; i++) await client.call("SET", `small${i}`, value(500));
    const used = await client.info("used_memory", "memory");
    assert.equal(
      await client.call(
        "CONFIG",
        "SET",
        "maxmemory-policy",
        "allkeys-random",
        "maxmemory",
        String(used - 500_000),
      ),
      "OK",
    );
    // Each command evicts for a bounded time; the cron finishes the job.
    await eventually(
      async () => await client.info("used_memory", "memory") <= used - 500_000,
      10000,
    );
    assert.ok(await client.info("evicted_keys", "stats") >= 500_000 / 1000);
    await assertAnswering(server.addr.port);
    await client.close();
  });
});
