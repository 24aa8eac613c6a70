/**
 * CONFIG SET on the embedded server validates like Redis 7.0: every
 * parameter CONFIG GET * lists refuses values out of Redis's ranges with
 * Redis's exact error text; memory values take Redis's units; a
 * multi-parameter CONFIG SET changes all or nothing. Every reply is compared
 * with a real redis-server when it is installed.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { closeAllRaw } from "./_raw_socket.ts";
import { RespClient } from "./_resp_client.ts";

describe("CONFIG SET validation", () => {
  let server: PulsarServer;
  let redis: RedisServer | undefined;
  let ours: RespClient;
  let theirs: RespClient | undefined;

  before(async () => {
    server = await serve({ port: 0 });
    ours = await RespClient.connect(server.addr.port);
    if (!skipWithoutRedis()) {
      redis = await startRedisServer();
      theirs = await RespClient.connect(redis.port);
    }
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /** Sends `args` to both servers; returns our raw reply, checked equal to Redis's. */
  async function both(...args: string[]): Promise<string> {
    const reply = await ours.rawCall(args);
    if (theirs !== undefined) {
      assert.equal(reply, await theirs.rawCall(args), `redis-server answers ${args.join(" ")}`);
    }
    return reply;
  }

  const failed = (name: string, why: string) =>
    `-ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}\r\n`;

  it("CONFIG SET maxclients 0 and client-query-buffer-limit 1 are refused; clients still connect", async () => {
    assert.equal(
      await both("CONFIG", "SET", "maxclients", "0"),
      failed("maxclients", "argument must be between 1 and 4294967295 inclusive"),
    );
    assert.equal(
      await both("CONFIG", "SET", "client-query-buffer-limit", "1"),
      failed(
        "client-query-buffer-limit",
        "argument must be between 1048576 and 9223372036854775807 inclusive",
      ),
    );
    const other = await RespClient.connect(server.addr.port);
    assert.equal(await other.call("PING"), "PONG");
    await other.close();
  });

  it("every parameter of CONFIG GET * refuses bad values with Redis's error", async () => {
    const names = (await ours.call("CONFIG", "GET", "*") as string[]).filter((_, i) => i % 2 === 0);
    assert.ok(names.length >= 25, `${names.length} parameters`);
    // Never sent: a value Redis accepts would lock the test out (requirepass) or rebind it (bind).
    const skip = new Set(["requirepass", "bind"]);
    const bad = [
      "-1",
      "abc",
      "1x",
      "1.5",
      "99999999999999999999",
      "-99999999999999999999",
      " 1",
      "1constructor",
      "__proto__",
    ];
    let checked = 0;
    for (const name of names) {
      if (skip.has(name)) continue;
      const before = await ours.call("CONFIG", "GET", name);
      for (const value of bad) {
        const reply = await both("CONFIG", "SET", name, value);
        if (reply.startsWith("-")) checked++;
      }
      // A refused value leaves the parameter as it was (values Redis takes are put back).
      const now = await ours.call("CONFIG", "GET", name);
      if (JSON.stringify(now) !== JSON.stringify(before)) {
        await both("CONFIG", "SET", name, (before as string[])[1]);
      }
    }
    assert.ok(checked > names.length * 4, `${checked} refusals compared`);
  });

  it("memory values take Redis's units (1k = 1000, 1kb = 1024, any case)", async () => {
    for (
      const [name, value] of [
        ["maxmemory", "1gb"],
        ["maxmemory", "1g"],
        ["maxmemory", "100MB"],
        ["maxmemory", "1k"],
        ["maxmemory", "1KB"],
        ["maxmemory", "01"],
        ["maxmemory", "7b"],
        ["maxmemory", ""],
        ["client-query-buffer-limit", "1mb"],
        ["client-query-buffer-limit", "2gb"],
        ["proto-max-bulk-len", "2mb"],
        ["proto-max-bulk-len", "512mb"],
        ["client-query-buffer-limit", "1gb"],
        ["hash-max-listpack-value", "1k"],
        ["hash-max-listpack-value", "64"],
      ]
    ) {
      assert.equal(await both("CONFIG", "SET", name, value), "+OK\r\n", `${name} ${value}`);
      await both("CONFIG", "GET", name);
    }
    assert.equal(await both("CONFIG", "SET", "maxmemory", "0"), "+OK\r\n");
  });

  it("integers, enums and clamps read back like Redis", async () => {
    for (
      const [name, value] of [
        ["hz", "0"],
        ["hz", "501"],
        ["hz", "10"],
        ["maxmemory-policy", "ALLKEYS-LRU"],
        ["maxmemory-policy", "noeviction"],
        ["maxmemory-samples", "64"],
        ["maxmemory-samples", "5"],
        ["timeout", "0"],
        ["lfu-log-factor", "0"],
        ["lfu-log-factor", "10"],
        ["maxclients", "4294967295"],
        ["maxclients", "10000"],
        ["slowlog-log-slower-than", "-1"],
        ["slowlog-log-slower-than", "10000"],
        ["list-max-listpack-size", "-5"],
        ["list-max-listpack-size", "-2"],
        ["appendonly", "no"],
        ["notify-keyspace-events", ""],
      ]
    ) {
      assert.equal(await both("CONFIG", "SET", name, value), "+OK\r\n", `${name} ${value}`);
      await both("CONFIG", "GET", name);
    }
    // lua-time-limit is the old name of busy-reply-threshold.
    assert.equal(await both("CONFIG", "SET", "lua-time-limit", "6000"), "+OK\r\n");
    await both("CONFIG", "GET", "busy-reply-threshold");
    assert.equal(await both("CONFIG", "SET", "busy-reply-threshold", "5000"), "+OK\r\n");
  });

  it("client-output-buffer-limit parses classes and units, and reads back like Redis", async () => {
    const initial = await both("CONFIG", "GET", "client-output-buffer-limit");
    for (
      const value of [
        "normal 1kb 2k 3 pubsub 1mb 1mb 1",
        "slave 1 1 1",
        "replica 2 2 2",
        "NORMAL 0 0 0",
        "",
        "foo",
        "normal 1 2",
        "foo 1 2 3",
        "constructor 1 2 3",
        "__proto__ 1 2 3",
        "master 1 2 3",
        "normal 1x 2 3",
        "normal 1mb 2 x",
        "normal 1mb 2 -3",
        "normal 1 2 3 foo",
      ]
    ) {
      await both("CONFIG", "SET", "client-output-buffer-limit", value);
      await both("CONFIG", "GET", "client-output-buffer-limit");
    }
    const defaults = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
    assert.equal(await both("CONFIG", "SET", "client-output-buffer-limit", defaults), "+OK\r\n");
    assert.equal(await both("CONFIG", "GET", "client-output-buffer-limit"), initial);
  });

  it("a multi-parameter CONFIG SET changes all or nothing", async () => {
    assert.equal(await both("CONFIG", "SET", "maxmemory", "7"), "+OK\r\n");
    assert.equal(
      await both("CONFIG", "SET", "maxmemory", "5mb", "timeout", "30", "maxclients", "0"),
      failed("maxclients", "argument must be between 1 and 4294967295 inclusive"),
    );
    assert.equal(await both("CONFIG", "GET", "maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n7\r\n");
    assert.equal(await both("CONFIG", "GET", "timeout"), "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
    assert.equal(
      await both("CONFIG", "SET", "maxmemory", "0", "timeout", "0", "hz", "10"),
      "+OK\r\n",
    );
  });

  it("unknown, duplicate, immutable and protected parameters are refused like Redis", async () => {
    assert.equal(
      await both("CONFIG", "SET", "foo", "bar"),
      "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n",
    );
    assert.equal(
      await both("CONFIG", "SET", "maxmemory", "1", "MAXMEMORY", "2"),
      failed("MAXMEMORY", "duplicate parameter"),
    );
    assert.equal(
      await both("CONFIG", "SET", "databases", "3"),
      failed("databases", "can't set immutable config"),
    );
    assert.equal(
      await both("CONFIG", "SET", "dir", "/tmp"),
      failed("dir", "can't set protected config"),
    );
    assert.equal(
      await both("CONFIG", "SET", "dbfilename", "x.rdb"),
      failed("dbfilename", "can't set protected config"),
    );
    assert.equal(
      await both("CONFIG", "SET", "maxmemory"),
      "-ERR wrong number of arguments for 'config|set' command\r\n",
    );
    assert.equal(
      await both("CONFIG", "SET", "maxmemory", "1", "timeout"),
      "-ERR syntax error\r\n",
    );
    await both("CONFIG", "GET", "maxmemory");
  });
});
