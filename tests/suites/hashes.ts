/** Behaviour suite of the hash commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { bytes, useStores } from "./_stores.ts";

/**
 * Declares the hash-command tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function hashSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("hashes", () => {
    it("hset() takes a field and value, an object, or pairs", async () => {
      assert.equal(await s.plain.hset("h:a", "f1", "v1"), 1);
      assert.equal(await s.plain.hset("h:a", "f1", "v1b"), 0);
      assert.equal(await s.plain.hset("h:a", { f2: 2, f3: "three" }), 2);
      assert.equal(await s.plain.hset("h:a", [["f4", "4"], ["f1", "one"]]), 1);
      assert.deepEqual(await s.plain.hgetall("h:a"), { f1: "one", f2: "2", f3: "three", f4: "4" });
    });

    it("hgetall() returns {} for a missing key", async () => {
      assert.deepEqual(await s.plain.hgetall("h:missing"), {});
      assert.deepEqual(await s.plain.hgetallBytes("h:missing"), {});
    });

    it("hsetnx() only sets a new field", async () => {
      assert.equal(await s.plain.hsetnx("h:nx", "f", "a"), true);
      assert.equal(await s.plain.hsetnx("h:nx", "f", "b"), false);
      assert.equal(await s.plain.hget("h:nx", "f"), "a");
    });

    it("hget() / hmget() return null for missing fields", async () => {
      await s.plain.hset("h:get", { a: "1", b: "2" });
      assert.equal(await s.plain.hget("h:get", "a"), "1");
      assert.equal(await s.plain.hget("h:get", "zz"), null);
      assert.equal(await s.plain.hget("h:missing", "a"), null);
      assert.deepEqual(await s.plain.hmget("h:get", "b", "zz", "a"), ["2", null, "1"]);
    });

    it("hgetBytes() / hgetallBytes() return binary values; binary fields work", async () => {
      const value = new Uint8Array([0, 0xff, 0x80]);
      const field = new Uint8Array([0xc3, 0xa9]);
      await s.plain.hset("h:bin", [["v", value], [field, "é-field"]]);
      assert.deepEqual(await s.plain.hgetBytes("h:bin", "v"), value);
      assert.equal(await s.plain.hgetBytes("h:bin", "missing"), null);
      assert.equal(await s.plain.hget("h:bin", field), "é-field");
      const all = await s.plain.hgetallBytes("h:bin");
      assert.deepEqual(Object.keys(all).sort(), ["v", "é"]);
      assert.deepEqual(all.v, value);
      assert.deepEqual(all["é"], bytes("é-field"));
    });

    it("hdel() / hexists() / hlen() / hstrlen()", async () => {
      await s.plain.hset("h:del", { a: "1", b: "héllo", c: "3" });
      assert.equal(await s.plain.hlen("h:del"), 3);
      assert.equal(await s.plain.hstrlen("h:del", "b"), 6);
      assert.equal(await s.plain.hstrlen("h:del", "zz"), 0);
      assert.equal(await s.plain.hexists("h:del", "a"), true);
      assert.equal(await s.plain.hdel("h:del", "a", "c", "zz"), 2);
      assert.equal(await s.plain.hexists("h:del", "a"), false);
      assert.equal(await s.plain.hlen("h:del"), 1);
      assert.equal(await s.plain.hlen("h:missing"), 0);
    });

    it("hkeys() / hvals() list fields and values in the same order", async () => {
      await s.plain.hset("h:kv", { x: "1", y: "2", z: "3" });
      const keys = await s.plain.hkeys("h:kv");
      const values = await s.plain.hvals("h:kv");
      assert.deepEqual([...keys].sort(), ["x", "y", "z"]);
      assert.deepEqual(values, keys.map((key) => ({ x: "1", y: "2", z: "3" })[key]));
      assert.deepEqual(await s.plain.hkeys("h:missing"), []);
    });

    it("hincrby() / hincrbyfloat()", async () => {
      assert.equal(await s.plain.hincrby("h:n", "i", 5), 5);
      assert.equal(await s.plain.hincrby("h:n", "i", -8), -3);
      assert.equal(await s.plain.hincrbyfloat("h:n", "f", 2.5), 2.5);
      assert.equal(await s.plain.hincrbyfloat("h:n", "f", 0.25), 2.75);
      assert.throws(() => s.plain.hincrby("h:n", "i", 0.5), RangeError);
    });

    it("hrandfield() returns fields; WithValues returns pairs", async () => {
      await s.plain.hset("h:rand", "only", "v");
      assert.equal(await s.plain.hrandfield("h:rand"), "only");
      assert.equal(await s.plain.hrandfield("h:missing"), null);
      assert.deepEqual(await s.plain.hrandfield("h:rand", 5), ["only"]);
      assert.deepEqual(await s.plain.hrandfield("h:rand", -3), ["only", "only", "only"]);
      assert.deepEqual(await s.plain.hrandfieldWithValues("h:rand", 2), [["only", "v"]]);
      assert.deepEqual(await s.plain.hrandfieldWithValues("h:rand", -2), [["only", "v"], [
        "only",
        "v",
      ]]);
      assert.deepEqual(await s.plain.hrandfield("h:missing", 2), []);
    });

    it("the namespace applies to the key, not to fields", async () => {
      await s.ns.hset("h:ns", "field", "v");
      assert.deepEqual(await s.plain.hgetall("ns:h:ns"), { field: "v" });
      assert.equal(await s.ns.hget("h:ns", "field"), "v");
    });
  });
}
