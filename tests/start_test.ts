import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, createStore, startStore } from "../mod.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";

describe("startStore", () => {
  it("startStore() with no host uses an in-process server", async () => {
    await using store = await startStore("pulsar://");
    assert.equal(store.name, "pulsar");
    assert.equal(store.dns, "pulsar:///0");
    await store.set("start:k", "v");
    assert.equal(await store.get("start:k"), "v");
  });

  it("stores of the in-process default share its data", async () => {
    await using a = await startStore("pulsar:///4");
    await using b = await startStore("pulsar:///4");
    await a.set("shared:k", "1");
    assert.equal(await b.get("shared:k"), "1");
  });

  it("port 0 starts a TCP server; dns carries the real port; the address is shared", async () => {
    const first = await startStore("pulsar://127.0.0.1:0/3");
    assert.ok(first.port > 0);
    assert.equal(first.dns, `pulsar://127.0.0.1:${first.port}/3`);
    const second = await startStore("pulsar://127.0.0.1:0/3");
    assert.equal(second.port, first.port);
    await first.set("tcp:k", "v");
    assert.equal(await second.get("tcp:k"), "v");
    // Any Redis client can use it: a plain redis:// store reaches it too.
    const plain = createStore(`redis://127.0.0.1:${first.port}/3`);
    assert.equal(await plain.get("tcp:k"), "v");
    await plain.close();
    await first.close();
    assert.equal(await second.get("tcp:k"), "v", "still running while a store uses it");
    await second.close();
    const late = createStore(`redis://127.0.0.1:${first.port}`, { reconnect: false });
    await assert.rejects(late.ping(), ConnectionError, "stopped after the last store closed");
    await late.close();
  });

  it("startStore() rejects bad URLs like createStore()", async () => {
    await assert.rejects(startStore("nope"), TypeError);
    await assert.rejects(startStore("pulsar://127.0.0.1:0/x"), TypeError);
  });
});

describe("startStore with a server already answering", () => {
  const skip = skipWithoutRedis();
  let server: RedisServer | undefined;
  before(async () => {
    if (!skip) server = await startRedisServer();
  });
  after(async () => {
    await server?.stop();
  });

  it("a pulsar:// URL whose server answers does not start another", { skip }, async () => {
    await using store = await startStore(`pulsar://127.0.0.1:${server!.port}/2`);
    const info = await store.infoText("server");
    assert.match(info, /redis_version/);
    assert.doesNotMatch(info, /pulsards_version/);
  });

  it("other schemes behave like createStore() and connect", { skip }, async () => {
    await using store = await startStore(`redis://127.0.0.1:${server!.port}/2`);
    assert.equal(await store.ping(), true);
  });
});
