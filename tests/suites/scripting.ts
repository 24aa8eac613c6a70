/** Behaviour suite of BITFIELD and of the scripting commands (functions, script cache). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { useStores } from "./_stores.ts";

const library = `#!lua name=suite
redis.register_function('echo', function(keys, args) return args[1] end)
redis.register_function{function_name='count', callback=function(keys, args)
  return redis.call('INCRBY', keys[1], args[1]) end}
redis.register_function{function_name='peek', flags={'no-writes'},
  callback=function(keys) return redis.call('GET', keys[1]) end, description='reads'}`;

/**
 * Declares the BITFIELD and scripting tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function scriptingSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("bitfield", () => {
    it("bitfield() runs typed GET/SET/INCRBY/OVERFLOW operations in order", async () => {
      const replies = await s.ns.bitfield(
        "bf:a",
        (b) =>
          b.set("u8", 0, 200).incrby("u8", 0, 100).overflow("SAT").incrby("u8", 0, 100)
            .overflow("FAIL").incrby("u8", 0, 200).get("u8", 0).set("i16", "#1", -5).get(
              "i16",
              "#1",
            ),
      );
      assert.deepEqual(replies, [0, 44, 144, null, 144, 0, -5]);
      assert.deepEqual(await s.ns.bitfieldRo("bf:a", (b) => b.get("u8", 0).get("i16", 16)), [
        144,
        -5,
      ]);
      assert.deepEqual(await s.plain.bitfieldRo("ns:bf:a", (b) => b.get("u4", 0)), [9]);
    });

    it("bitfield() refuses bad types and offsets before sending", () => {
      assert.throws(() => s.ns.bitfield("bf:b", (b) => b.get("u64" as "u8", 0)), RangeError);
      assert.throws(() => s.ns.bitfield("bf:b", (b) => b.get("i0" as "i8", 0)), RangeError);
      assert.throws(() => s.ns.bitfield("bf:b", (b) => b.get("u8", -1)), RangeError);
      assert.throws(() => s.ns.bitfield("bf:b", (b) => b.get("u8", "#x" as "#1")), RangeError);
    });
  });

  describe("functions and scripts", () => {
    it("functionLoad() / fcall() / fcallRo() / functionList() / functionDelete()", async () => {
      await s.plain.functionFlush();
      assert.equal(await s.plain.functionLoad(library), "suite");
      assert.equal(await s.plain.functionLoad(library, { replace: true }), "suite");
      assert.equal(await s.ns.fcall("echo", [], ["hi"]), "hi");
      assert.equal(await s.ns.fcall("count", ["fn:n"], [5]), 5);
      assert.equal(await s.plain.get("ns:fn:n"), "5");
      assert.equal(await s.ns.fcallRo("peek", ["fn:n"]), "5");
      const [listed] = await s.plain.functionList({ libraryName: "sui*", withCode: true });
      assert.equal(listed.name, "suite");
      assert.equal(listed.engine, "LUA");
      assert.equal(listed.code, library);
      const peek = listed.functions.find((fn) => fn.name === "peek");
      assert.deepEqual(peek, { name: "peek", description: "reads", flags: ["no-writes"] });
      const dump = await s.plain.functionDump();
      assert.equal(await s.plain.functionDelete("suite"), "OK");
      assert.deepEqual(await s.plain.functionList(), []);
      assert.equal(await s.plain.functionRestore(dump), "OK");
      assert.equal((await s.plain.functionList()).length, 1);
      await assert.rejects(s.plain.functionKill(), /NOTBUSY/);
      assert.equal(await s.plain.functionFlush({ async: false }), "OK");
    });

    it("scriptExists() / scriptFlush() / evalRo() / evalshaRo()", async () => {
      const script = await s.plain.script("return redis.call('GET', KEYS[1])");
      await s.ns.set("sc:k", "v");
      assert.deepEqual(await s.plain.scriptExists(script.sha), [false]);
      await script.load();
      assert.deepEqual(await s.plain.scriptExists(script.sha, "0".repeat(40)), [true, false]);
      assert.equal(await s.ns.evalshaRo(script.sha, ["sc:k"]), "v");
      assert.equal(await s.ns.evalRo("return redis.call('GET', KEYS[1])", ["sc:k"]), "v");
      assert.equal(await s.plain.scriptFlush(), "OK");
      assert.deepEqual(await s.plain.scriptExists(script.sha), [false]);
      await assert.rejects(s.plain.scriptKill(), /NOTBUSY/);
    });
  });
}
