/** Behaviour suite of the set commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { bytes, useStores } from "./_stores.ts";

const sorted = (items: string[]): string[] => [...items].sort();

/**
 * Declares the set-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function setSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("sets", () => {
    it("sadd() / srem() count changes; smembers() lists members", async () => {
      assert.equal(await s.plain.sadd("s:a", "x", "y", "x", 3), 3);
      assert.equal(await s.plain.sadd("s:a", "y", "z"), 1);
      assert.equal(await s.plain.srem("s:a", "x", "missing"), 1);
      assert.deepEqual(sorted(await s.plain.smembers("s:a")), ["3", "y", "z"]);
      assert.deepEqual(await s.plain.smembers("s:missing"), []);
    });

    it("smembersBytes() returns binary members", async () => {
      const member = new Uint8Array([0xff, 0x00]);
      await s.plain.sadd("s:bin", member);
      assert.deepEqual(await s.plain.smembersBytes("s:bin"), [member]);
      assert.equal(await s.plain.sismember("s:bin", member), true);
      assert.equal(await s.plain.sismember("s:bin", bytes("x")), false);
    });

    it("sismember() / smismember() / scard()", async () => {
      await s.plain.sadd("s:is", "a", "b");
      assert.equal(await s.plain.sismember("s:is", "a"), true);
      assert.equal(await s.plain.sismember("s:is", "c"), false);
      assert.deepEqual(await s.plain.smismember("s:is", "c", "a", "b"), [false, true, true]);
      assert.equal(await s.plain.scard("s:is"), 2);
      assert.equal(await s.plain.scard("s:missing"), 0);
    });

    it("spop() removes members", async () => {
      await s.plain.sadd("s:pop", "only");
      assert.equal(await s.plain.spop("s:pop"), "only");
      assert.equal(await s.plain.spop("s:pop"), null);
      await s.plain.sadd("s:pop", "a", "b", "c");
      const popped = await s.plain.spop("s:pop", 2);
      assert.equal(popped.length, 2);
      const rest = await s.plain.smembers("s:pop");
      assert.deepEqual(sorted([...popped, ...rest]), ["a", "b", "c"]);
      assert.deepEqual(await s.plain.spop("s:missing", 2), []);
    });

    it("srandmember() returns members without removing them", async () => {
      await s.plain.sadd("s:rand", "only");
      assert.equal(await s.plain.srandmember("s:rand"), "only");
      assert.equal(await s.plain.srandmember("s:missing"), null);
      assert.deepEqual(await s.plain.srandmember("s:rand", 3), ["only"]);
      assert.deepEqual(await s.plain.srandmember("s:rand", -3), ["only", "only", "only"]);
      assert.equal(await s.plain.scard("s:rand"), 1);
    });

    it("smove() moves a member", async () => {
      await s.plain.sadd("s:from", "a", "b");
      assert.equal(await s.plain.smove("s:from", "s:to", "a"), true);
      assert.equal(await s.plain.smove("s:from", "s:to", "zz"), false);
      assert.deepEqual(await s.plain.smembers("s:from"), ["b"]);
      assert.deepEqual(await s.plain.smembers("s:to"), ["a"]);
    });

    it("sinter() / sintercard() / sinterstore()", async () => {
      await s.plain.sadd("s:i1", "a", "b", "c", "d");
      await s.plain.sadd("s:i2", "b", "c", "d", "e");
      assert.deepEqual(sorted(await s.plain.sinter("s:i1", "s:i2")), ["b", "c", "d"]);
      assert.deepEqual(await s.plain.sinter("s:i1", "s:missing"), []);
      assert.equal(await s.plain.sintercard(["s:i1", "s:i2"]), 3);
      assert.equal(await s.plain.sintercard(["s:i1", "s:i2"], { limit: 2 }), 2);
      assert.equal(await s.plain.sinterstore("s:iout", "s:i1", "s:i2"), 3);
      assert.deepEqual(sorted(await s.plain.smembers("s:iout")), ["b", "c", "d"]);
    });

    it("sunion() / sunionstore() / sdiff() / sdiffstore()", async () => {
      await s.plain.sadd("s:u1", "a", "b");
      await s.plain.sadd("s:u2", "b", "c");
      assert.deepEqual(sorted(await s.plain.sunion("s:u1", "s:u2")), ["a", "b", "c"]);
      assert.equal(await s.plain.sunionstore("s:uout", "s:u1", "s:u2", "s:missing"), 3);
      assert.deepEqual(sorted(await s.plain.smembers("s:uout")), ["a", "b", "c"]);
      assert.deepEqual(await s.plain.sdiff("s:u1", "s:u2"), ["a"]);
      assert.equal(await s.plain.sdiffstore("s:dout", "s:u2", "s:u1"), 1);
      assert.deepEqual(await s.plain.smembers("s:dout"), ["c"]);
    });

    it("the namespace applies to every key of multi-key commands", async () => {
      await s.ns.sadd("s:n1", "a", "b");
      await s.ns.sadd("s:n2", "b");
      await s.plain.sadd("s:n2", "a");
      assert.deepEqual(await s.ns.sinter("s:n1", "s:n2"), ["b"]);
      assert.equal(await s.ns.sunionstore("s:nout", "s:n1", "s:n2"), 2);
      assert.deepEqual(sorted(await s.plain.smembers("ns:s:nout")), ["a", "b"]);
      assert.equal(await s.ns.sintercard(["s:n1", "s:n2"]), 1);
    });
  });
}
