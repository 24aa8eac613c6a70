/**
 * The client's command table (`src/redis/table/`) against the redis-server
 * the fixture starts: every command Redis lists is in the table with Redis's
 * arity, flags and subcommands, and the table's key specs find the keys
 * `COMMAND GETKEYS` finds.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStore, type RedisStore, type RespValue } from "../mod.ts";
import {
  BLOCKING,
  COMMANDS,
  CONNECTION_STATE,
  describeCommand,
  keyPositions,
  MAY_REPLAY,
  MOVABLE_KEYS,
  PUBSUB,
  READONLY,
  WRITE,
} from "../src/redis/table/mod.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";

const text = (value: RespValue): string =>
  value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);

/** One `COMMAND` entry, RESP2 form: [name, arity, flags, first, last, step, acl, tips, specs, subs]. */
function checkEntry(entry: RespValue[]): void {
  const name = text(entry[0]).toUpperCase();
  const flags = new Set((entry[2] as RespValue[]).map(text));
  const descriptor = name.includes("|")
    ? COMMANDS.get(name.slice(0, name.indexOf("|")))?.subcommands?.get(
      name.slice(name.indexOf("|") + 1),
    )
    : COMMANDS.get(name);
  assert.ok(descriptor, `${name} is in the table`);
  assert.equal(descriptor.arity, entry[1], `${name} arity`);
  const has = (bit: number) => (descriptor.flags & bit) !== 0;
  assert.equal(has(READONLY), flags.has("readonly"), `${name} readonly`);
  assert.equal(has(WRITE), flags.has("write"), `${name} write`);
  assert.equal(has(PUBSUB), flags.has("pubsub"), `${name} pubsub`);
  assert.equal(has(MOVABLE_KEYS), flags.has("movablekeys"), `${name} movablekeys`);
  if (flags.has("blocking")) assert.ok(has(BLOCKING), `${name} blocking`);
  if (has(MAY_REPLAY)) assert.ok(flags.has("readonly") && !has(BLOCKING), `${name} may replay`);
  const subs = (entry[9] ?? []) as RespValue[][];
  assert.equal(descriptor.subcommands?.size ?? 0, subs.length, `${name} subcommands`);
  for (const sub of subs) checkEntry(sub);
}

describe("command table", { skip: skipWithoutRedis() }, () => {
  let server: RedisServer;
  let store: RedisStore;

  before(async () => {
    server = await startRedisServer();
    store = createStore<RedisStore>(server.url, { protocol: 2 });
  });

  after(async () => {
    await store?.close();
    await server?.stop();
  });

  it("COMMANDS lists every command of redis-server with its arity, flags and subcommands", async () => {
    const reply = await store.execute("COMMAND") as RespValue[][];
    assert.ok(reply.length > 200);
    for (const entry of reply) checkEntry(entry);
    assert.equal(COMMANDS.size, reply.length);
  });

  it("keyPositions() finds the keys COMMAND GETKEYS finds", async () => {
    const lines = [
      ["GET", "k"],
      ["MSET", "a", "1", "b", "2"],
      ["DEL", "a", "b", "c"],
      ["XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
      ["ZUNIONSTORE", "dest", "2", "a", "b", "WEIGHTS", "1", "2"],
      ["ZINTER", "3", "a", "b", "c"],
      ["EVAL", "return 1", "2", "k1", "k2", "arg"],
      ["FCALL", "f", "1", "k", "arg"],
      ["MIGRATE", "h", "1", "k", "0", "5"],
      ["LMPOP", "2", "a", "b", "LEFT"],
      ["BLMPOP", "0", "2", "a", "b", "LEFT"],
      ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
      ["OBJECT", "ENCODING", "k"],
      ["XGROUP", "CREATE", "s", "g", "$"],
      ["GEORADIUS", "k", "0", "0", "1", "m", "STORE", "d"],
      ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
      ["RENAME", "a", "b"],
      ["BITOP", "AND", "d", "a", "b"],
      ["PFMERGE", "d", "a", "b"],
      ["SMOVE", "a", "b", "m"],
      ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
    ];
    for (const line of lines) {
      const expected = (await store.execute("COMMAND", "GETKEYS", ...line) as RespValue[]).map(
        text,
      );
      const found = keyPositions(line).map((index) => line[index]);
      assert.deepEqual(found.sort(), expected.sort(), line.join(" "));
    }
  });
});

describe("command table lookups", () => {
  it("describeCommand() resolves subcommands and ignores case", () => {
    assert.equal(describeCommand(["client", "reply", "off"])?.name, "CLIENT|REPLY");
    assert.equal(describeCommand(["CLIENT", "NOPE"])?.name, "CLIENT");
    assert.equal(describeCommand([new TextEncoder().encode("get"), "k"])?.name, "GET");
    assert.equal(describeCommand(["NOSUCHCOMMAND"]), undefined);
  });

  it("flags say what the client's routing reads", () => {
    const flags = (...args: string[]) => describeCommand(args)!.flags;
    assert.ok(flags("BLPOP") & BLOCKING);
    assert.ok(flags("WAIT") & BLOCKING);
    assert.ok(flags("XREAD") & BLOCKING);
    assert.ok(flags("CLIENT", "REPLY") & CONNECTION_STATE);
    assert.equal(flags("CLIENT", "ID") & CONNECTION_STATE, 0);
    for (const name of ["SUBSCRIBE", "SELECT", "MULTI", "WATCH", "HELLO", "MONITOR"]) {
      assert.ok(flags(name) & CONNECTION_STATE, name);
    }
    assert.ok(flags("GET") & MAY_REPLAY);
    assert.equal(flags("INCR") & MAY_REPLAY, 0);
    assert.equal(flags("BLPOP") & MAY_REPLAY, 0);
  });

  it("keyPositions() reads keyword searches from the end and keynum counts", () => {
    // (Redis's own MIGRATE key finder also drops the empty placeholder key.)
    assert.deepEqual(keyPositions(["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a", "b"]), [
      3,
      7,
      8,
    ]);
    assert.deepEqual(keyPositions(["EVAL", "s", "0", "x"]), []);
    assert.deepEqual(keyPositions(["XREAD", "STREAMS", "a", "b", "c", "0", "0", "0"]), [2, 3, 4]);
    assert.deepEqual(keyPositions(["PING"]), []);
  });
});
