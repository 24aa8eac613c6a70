/** Behaviour suite of the stream, geospatial and HyperLogLog commands. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Target } from "../_targets.ts";
import { useStores } from "./_stores.ts";
import { eventually } from "../_wait.ts";

/**
 * Declares the stream and HyperLogLog tests.
 *
 * @param target The server under test.
 * @param protocol The RESP version the stores ask for.
 */
export function streamSuite(target: () => Target, protocol: 2 | 3): void {
  const s = useStores(target, protocol);

  describe("streams", () => {
    it("xadd() appends with a given or generated ID; xrange()/xrevrange() read it back", async () => {
      assert.equal(await s.plain.xadd("st:a", { f: "1", g: "x" }, { id: "1-1" }), "1-1");
      assert.equal(await s.plain.xadd("st:a", [["f", "2"]], { id: "2-0" }), "2-0");
      const generated = await s.plain.xadd("st:a", { f: 3 });
      assert.match(generated ?? "", /^\d+-\d+$/);
      assert.equal(await s.plain.xlen("st:a"), 3);
      assert.deepEqual(await s.plain.xrange("st:a", "-", "2-0"), [
        { id: "1-1", fields: { f: "1", g: "x" } },
        { id: "2-0", fields: { f: "2" } },
      ]);
      assert.deepEqual((await s.plain.xrevrange("st:a", "+", "-", 1)).map((e) => e.id), [
        generated,
      ]);
      assert.deepEqual(await s.plain.xrange("st:a", "(2-0", "+"), [
        { id: generated!, fields: { f: "3" } },
      ]);
    });

    it("xadd() with nomkstream returns null for a missing stream; trim options trim", async () => {
      assert.equal(await s.plain.xadd("st:none", { f: 1 }, { nomkstream: true }), null);
      for (let i = 1; i <= 5; i++) await s.plain.xadd("st:t", { i }, { id: `${i}-0` });
      await s.plain.xadd("st:t", { i: 6 }, { id: "6-0", trim: { maxlen: 3 } });
      assert.deepEqual((await s.plain.xrange("st:t")).map((e) => e.id), ["4-0", "5-0", "6-0"]);
      assert.equal(await s.plain.xtrim("st:t", { minid: "5-0" }), 1);
      assert.equal(await s.plain.xdel("st:t", "5-0", "99-0"), 1);
      assert.equal(await s.plain.xlen("st:t"), 1);
      assert.throws(() => s.plain.xtrim("st:t", {}), TypeError);
      assert.throws(() => s.plain.xtrim("st:t", { maxlen: 1, limit: 10 }), TypeError);
      await s.plain.xsetid("st:t", "100-0");
      assert.equal((await s.plain.xinfoStream("st:t")).lastGeneratedId, "100-0");
    });

    it("xread() returns entries by stream name, namespaced, and null when none came", async () => {
      await s.ns.xadd("st:r", { a: "1" }, { id: "1-0" });
      assert.deepEqual(await s.ns.xread({ "st:r": "0" }), {
        "st:r": [{ id: "1-0", fields: { a: "1" } }],
      });
      assert.equal(await s.plain.xlen("ns:st:r"), 1);
      assert.equal(await s.ns.xread({ "st:r": "1-0" }), null);
      assert.equal(await s.ns.xread({ "st:r": "$" }, { block: 10 }), null);
    });

    it("xread({ block }) waits on its own connection for a new entry", async () => {
      // "0" on a stream that does not exist yet: it waits for the first entry
      // whether it reaches the server before or after the XADD below.
      const waiting = s.plain.xread({ "st:b": "0" }, { block: 5000 });
      // The shared connection stays free while XREAD blocks.
      await s.plain.xadd("st:other", { x: 1 });
      await s.plain.xadd("st:b", { v: "new" }, { id: "9-0" });
      assert.deepEqual(await waiting, { "st:b": [{ id: "9-0", fields: { v: "new" } }] });
    });

    it("consumer groups: xreadgroup(), xpending(), xack(), xclaim(), xautoclaim()", async () => {
      await s.plain.xadd("st:g", { n: 1 }, { id: "1-0" });
      await s.plain.xadd("st:g", { n: 2 }, { id: "2-0" });
      assert.equal(await s.plain.xgroupCreate("st:g", "grp", "0"), "OK");
      assert.equal(await s.plain.xgroupCreateconsumer("st:g", "grp", "c0"), true);
      const read = await s.plain.xreadgroup("grp", "c1", { "st:g": ">" }, { count: 2 });
      assert.deepEqual(read, {
        "st:g": [{ id: "1-0", fields: { n: "1" } }, { id: "2-0", fields: { n: "2" } }],
      });
      assert.deepEqual(await s.plain.xpending("st:g", "grp"), {
        count: 2,
        smallest: "1-0",
        greatest: "2-0",
        consumers: [{ name: "c1", count: 2 }],
      });
      const range = await s.plain.xpendingRange("st:g", "grp", "-", "+", 10, { consumer: "c1" });
      assert.deepEqual(range.map((e) => [e.id, e.consumer, e.deliveries]), [
        ["1-0", "c1", 1],
        ["2-0", "c1", 1],
      ]);
      assert.equal(await s.plain.xack("st:g", "grp", "1-0"), 1);
      assert.deepEqual(await s.plain.xclaim("st:g", "grp", "c2", 0, ["2-0"]), [
        { id: "2-0", fields: { n: "2" } },
      ]);
      const auto = await s.plain.xautoclaim("st:g", "grp", "c3", 0, "0", 10);
      assert.equal(auto.next, "0-0");
      assert.deepEqual(auto.entries, [{ id: "2-0", fields: { n: "2" } }]);
      assert.deepEqual(auto.deleted, []);
      const groups = await s.plain.xinfoGroups("st:g");
      assert.equal(groups.length, 1);
      assert.equal(groups[0].name, "grp");
      assert.equal(groups[0].pending, 1);
      assert.equal(groups[0].lastDeliveredId, "2-0");
      const consumers = await s.plain.xinfoConsumers("st:g", "grp");
      assert.deepEqual(consumers.map((c) => [c.name, c.pending]).sort(), [
        ["c0", 0],
        ["c1", 0],
        ["c2", 0],
        ["c3", 1],
      ]);
      assert.equal(await s.plain.xgroupDelconsumer("st:g", "grp", "c3"), 1);
      assert.equal(await s.plain.xgroupSetid("st:g", "grp", "0"), "OK");
      assert.equal(await s.plain.xgroupDestroy("st:g", "grp"), true);
      assert.equal(await s.plain.xgroupDestroy("st:g", "grp"), false);
    });

    it("xinfoStream() reads length, groups and the first and last entries", async () => {
      await s.plain.xadd("st:i", { a: 1 }, { id: "1-0" });
      await s.plain.xadd("st:i", { b: 2 }, { id: "2-0" });
      const info = await s.plain.xinfoStream("st:i");
      assert.equal(info.length, 2);
      assert.equal(info.groups, 0);
      assert.deepEqual(info.firstEntry, { id: "1-0", fields: { a: "1" } });
      assert.deepEqual(info.lastEntry, { id: "2-0", fields: { b: "2" } });
      assert.equal(info.raw["last-generated-id"], "2-0");
    });

    it("stream commands work in pipelines with typed replies", async () => {
      const [id, length, entries] = await s.plain.pipeline()
        .xadd("st:p", { k: "v" }, { id: "5-0" })
        .xlen("st:p")
        .xrange("st:p")
        .commit();
      assert.equal(id, "5-0");
      assert.equal(length, 1);
      assert.deepEqual(entries, [{ id: "5-0", fields: { k: "v" } }]);
    });
  });

  describe("streams.consume()", () => {
    it('streams.consume() creates the group at "$" and reads entries added after it', async () => {
      await s.ns.xadd("st:c", { n: 1 }, { id: "1-0" }); // before the group: not delivered
      const reader = s.ns.streams.consume("st:c", "workers", "w1", { block: 100 });
      const next = reader.next();
      await eventually(async () => (await s.ns.xinfoGroups("st:c")).length === 1);
      await s.ns.xadd("st:c", { n: 2 }, { id: "2-0" });
      const { value } = await next;
      assert.deepEqual([value!.stream, value!.id, value!.source], ["st:c", "2-0", "new"]);
      assert.deepEqual(value!.fields, { n: "2" });
      await reader.return(undefined);
    });

    it("consume() delivers at least once: an entry not finished stays pending and is delivered again", async () => {
      await s.plain.xgroupCreate("st:d", "g", "0", { mkstream: true });
      for (let i = 1; i <= 3; i++) await s.plain.xadd("st:d", { i }, { id: `${i}-0` });
      const ids: string[] = [];
      for await (const entry of s.plain.streams.consume("st:d", "g", "w1", { create: false })) {
        ids.push(`${entry.id}:${entry.source}`);
        if (ids.length === 3) break; // the third is left unacknowledged
      }
      assert.deepEqual(ids, ["1-0:new", "2-0:new", "3-0:new"]);
      assert.equal((await s.plain.xpending("st:d", "g")).count, 1);
      // The same consumer restarting gets its pending entry first.
      for await (const entry of s.plain.streams.consume("st:d", "g", "w1", { create: false })) {
        assert.deepEqual([entry.id, entry.source, entry.fields], ["3-0", "pending", { i: "3" }]);
        await entry.ack();
        break;
      }
      assert.equal((await s.plain.xpending("st:d", "g")).count, 0);
    });

    it("consume() with claimIdle takes over entries another consumer left pending", async () => {
      await s.plain.xgroupCreate("st:e", "g", "0", { mkstream: true });
      await s.plain.xadd("st:e", { job: "a" }, { id: "1-0" });
      await s.plain.xreadgroup("g", "crashed", { "st:e": ">" });
      const reader = s.plain.streams.consume("st:e", "g", "rescuer", { claimIdle: 0, block: 50 });
      const { value } = await reader.next();
      assert.deepEqual([value!.id, value!.source], ["1-0", "claimed"]);
      await value!.ack();
      await reader.return(undefined);
      assert.equal((await s.plain.xpending("st:e", "g")).count, 0);
    });

    it("consume() ends with signal.reason when aborted while blocked, promptly", async () => {
      const controller = new AbortController();
      const reader = s.plain.streams.consume("st:f", "g", "w", {
        block: 60_000,
        signal: controller.signal,
      });
      const next = reader.next();
      setTimeout(() => controller.abort(new Error("stop")), 50);
      const started = Date.now();
      await assert.rejects(next, /stop/);
      assert.ok(Date.now() - started < 10_000, "the blocked read was given up");
    });
  });

  describe("geo", () => {
    const sicily = [
      { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
      { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
    ];

    it("geoadd() / geopos() / geodist() / geohash() store and read positions", async () => {
      assert.equal(await s.ns.geoadd("geo:s", sicily), 2);
      assert.equal(await s.ns.geoadd("geo:s", sicily, { xx: true, ch: true }), 0);
      const [palermo, missing] = await s.ns.geopos("geo:s", "Palermo", "Nowhere");
      assert.ok(Math.abs(palermo!.longitude - 13.361389) < 1e-5);
      assert.ok(Math.abs(palermo!.latitude - 38.115556) < 1e-5);
      assert.equal(missing, null);
      const km = await s.ns.geodist("geo:s", "Palermo", "Catania", "km");
      assert.ok(Math.abs(km! - 166.2742) < 0.001, String(km));
      assert.equal(await s.ns.geodist("geo:s", "Palermo", "Nowhere"), null);
      assert.deepEqual(await s.ns.geohash("geo:s", "Palermo", "Nowhere"), ["sqc8b49rny0", null]);
    });

    it("geosearch() / geosearchWith() / geosearchstore() search by radius and box", async () => {
      await s.ns.geoadd("geo:q", sicily);
      const center = { longitude: 15, latitude: 37 };
      assert.deepEqual(
        await s.ns.geosearch("geo:q", center, { radius: 200, unit: "km" }, { order: "ASC" }),
        ["Catania", "Palermo"],
      );
      assert.deepEqual(
        await s.ns.geosearch("geo:q", { member: "Palermo" }, {
          width: 10,
          height: 10,
          unit: "km",
        }),
        ["Palermo"],
      );
      const [nearest] = await s.ns.geosearchWith("geo:q", center, { radius: 200, unit: "km" }, {
        order: "ASC",
        count: 1,
      });
      assert.equal(nearest.member, "Catania");
      assert.ok(Math.abs(nearest.distance - 56.4413) < 0.001, String(nearest.distance));
      assert.ok(nearest.hash > 0);
      assert.ok(Math.abs(nearest.longitude - 15.087269) < 1e-5);
      assert.throws(() => s.ns.geosearch("geo:q", center, { radius: 1, unit: "m" }, { any: true }));
      assert.equal(
        await s.ns.geosearchstore("geo:dest", "geo:q", center, { radius: 100, unit: "km" }),
        1,
      );
      assert.deepEqual(await s.plain.zrange("ns:geo:dest", 0, -1), ["Catania"]);
    });

    it("the GEORADIUS family reads and stores like GEOSEARCH", async () => {
      await s.ns.geoadd("geo:r", sicily);
      const center = { longitude: 15, latitude: 37 };
      assert.deepEqual(await s.ns.georadius("geo:r", center, 200, "km", { order: "ASC" }), [
        "Catania",
        "Palermo",
      ]);
      assert.deepEqual(await s.ns.georadiusbymember("geo:r", "Palermo", 1, "km"), ["Palermo"]);
      assert.equal(await s.ns.georadiusStore("geo:r", center, 100, "km", "geo:rs"), 1);
      assert.equal(
        await s.ns.georadiusbymemberStore("geo:r", "Catania", 200, "km", "geo:rd", {
          storedist: true,
        }),
        2,
      );
      assert.equal(await s.ns.zscore("geo:rd", "Catania"), 0);
    });
  });

  describe("hyperloglog", () => {
    it("pfadd() / pfcount() / pfmerge() estimate distinct elements", async () => {
      assert.equal(await s.ns.pfadd("hll:a", "x", "y", "x"), true);
      assert.equal(await s.ns.pfadd("hll:a", "x"), false);
      await s.ns.pfadd("hll:b", "z");
      assert.equal(await s.ns.pfcount("hll:a"), 2);
      assert.equal(await s.ns.pfcount("hll:a", "hll:b"), 3);
      assert.equal(await s.ns.pfmerge("hll:m", "hll:a", "hll:b"), "OK");
      assert.equal(await s.plain.pfcount("ns:hll:m"), 3);
    });
  });
}
