/** Behaviour suite of the administration commands, SORT_RO, ZREVRANGEBYLEX and SPUBLISH. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { useStores } from "./_stores.ts";

/**
 * Declares the administration tests. Commands the embedded server lacks
 * (SLOWLOG, LATENCY, ACL, ROLE, SWAPDB, COMMAND INFO/DOCS/LIST/GETKEYS,
 * CLIENT PAUSE/TRACKINGINFO) run on redis-server only, skipped elsewhere with
 * the reason "not on the embedded server yet".
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function adminSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);
  const redisOnly = () => ({ skip: target().name !== "redis" && "not on the embedded server yet" });

  describe("admin", () => {
    it("sortRo() sorts without writing; zrevrangebylex() reads backwards", async () => {
      await s.ns.rpush("ad:l", "3", "1", "2");
      assert.deepEqual(await s.ns.sortRo("ad:l"), ["1", "2", "3"]);
      assert.deepEqual(
        await s.ns.sortRo("ad:l", { order: "desc", limit: { offset: 0, count: 2 } }),
        [
          "3",
          "2",
        ],
      );
      await s.ns.zadd("ad:z", [{ score: 0, member: "a" }, { score: 0, member: "b" }, {
        score: 0,
        member: "c",
      }]);
      assert.deepEqual(await s.ns.zrevrangebylex("ad:z", "[c", "(a"), ["c", "b"]);
      assert.deepEqual(
        await s.ns.zrevrangebylex("ad:z", "+", "-", { limit: { offset: 1, count: 1 } }),
        ["b"],
      );
    });

    it("spublish() reaches no shard subscriber and counts 0", async () => {
      assert.equal(await s.ns.spublish("ad:ch", "hi"), 0);
    });

    it("memoryUsage() sizes a key; null for a missing one", async () => {
      await s.ns.set("ad:m", "x".repeat(100));
      assert.ok((await s.ns.memoryUsage("ad:m"))! >= 100);
      assert.equal(await s.ns.memoryUsage("ad:missing", 0), null);
      const stats = await s.plain.memoryStats() as Record<string, unknown>;
      assert.equal(typeof stats["peak.allocated"], "number");
      assert.equal(typeof await s.plain.memoryDoctor(), "string");
      assert.equal(await s.plain.memoryPurge(), "OK");
    });

    it("configResetstat() / wait() / clientKill() / clientNoEvict()", async () => {
      assert.equal(await s.plain.configResetstat(), "OK");
      assert.equal(await s.plain.wait(0, 10), 0);
      assert.equal(await s.plain.clientKill({ id: 999_999_999 }), 0);
      assert.throws(() => s.plain.clientKill({}), TypeError);
      assert.equal(await s.plain.clientNoEvict(true), "OK");
      assert.equal(await s.plain.clientNoEvict(false), "OK");
    });

    it("swapdb() swaps two databases (redis-server)", redisOnly(), async () => {
      const a = target().store({ protocol, db: 12 });
      const b = target().store({ protocol, db: 13 });
      await a.flushdb();
      await b.flushdb();
      await a.set("ad:swap", "from12");
      assert.equal(await a.swapdb(12, 13), "OK");
      assert.equal(await b.get("ad:swap"), "from12");
    });

    it("slowlog, latency and role (redis-server)", redisOnly(), async () => {
      assert.equal(await s.plain.slowlogReset(), "OK");
      assert.equal(await s.plain.configSet("slowlog-log-slower-than", 0), "OK");
      await s.plain.set("ad:slow", "v");
      const entries = await s.plain.slowlogGet(5);
      assert.ok(entries.some((entry) => entry.args[0] === "SET" && entry.args[1] === "ad:slow"));
      assert.ok(entries[0].duration >= 0 && entries[0].time > 1_600_000_000);
      assert.ok(await s.plain.slowlogLen() >= 1);
      await s.plain.configSet("slowlog-log-slower-than", 10_000);
      assert.ok(Array.isArray(await s.plain.latencyLatest()));
      assert.deepEqual(await s.plain.latencyHistory("command"), []);
      assert.equal(typeof await s.plain.latencyReset(), "number");
      assert.equal(typeof await s.plain.latencyDoctor(), "string");
      const role = await s.plain.role() as unknown[];
      assert.equal(role[0], "master");
    });

    it("command introspection (redis-server)", redisOnly(), async () => {
      assert.deepEqual(await s.plain.commandGetkeys("MSET", "a", "1", "b", "2"), ["a", "b"]);
      assert.ok((await s.plain.commandList()).includes("get"));
      assert.deepEqual(await s.plain.commandList({ pattern: "xad?" }), ["xadd"]);
      const [info] = await s.plain.commandInfo("get") as unknown[][];
      assert.equal(info[0], "get");
      const docs = await s.plain.commandDocs("get");
      assert.equal(docs.get.group, "string");
    });

    it("ACL users (redis-server)", redisOnly(), async () => {
      assert.equal(await s.plain.aclWhoami(), "default");
      assert.equal(await s.plain.aclSetuser("ad-user", "on", ">pw", "~ad:*", "+get"), "OK");
      assert.ok((await s.plain.aclUsers()).includes("ad-user"));
      assert.ok((await s.plain.aclList()).some((line) => line.startsWith("user ad-user on")));
      const user = await s.plain.aclGetuser("ad-user") as Record<string, unknown>;
      assert.ok(Array.isArray(user.flags) && user.flags.includes("on"));
      assert.equal(await s.plain.aclDryrun("ad-user", "GET", "ad:k"), "OK");
      assert.match(await s.plain.aclDryrun("ad-user", "SET", "ad:k", "v"), /no permissions/);
      assert.ok((await s.plain.aclCat()).includes("read"));
      assert.match(await s.plain.aclGenpass(64), /^[0-9a-f]{16}$/);
      assert.ok(Array.isArray(await s.plain.aclLog(1)));
      assert.equal(await s.plain.aclDeluser("ad-user", "nobody"), 1);
    });

    it(
      "clientPause() / clientUnpause() / clientTrackinginfo() (redis-server)",
      redisOnly(),
      async () => {
        assert.equal(await s.plain.clientPause(10, "WRITE"), "OK");
        assert.equal(await s.plain.clientUnpause(), "OK");
        const tracking = await s.plain.clientTrackinginfo() as Record<string, unknown>;
        assert.deepEqual(tracking.flags, ["off"]);
        assert.equal(await s.plain.clientUnblock(999_999_999), false);
      },
    );
  });
}
