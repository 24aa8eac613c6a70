/**
 * The stream, geospatial and HyperLogLog command suite against real
 * redis-server, over RESP3 and RESP2. The embedded server has none of these
 * families yet: the last
 * suite checks it refuses them as unknown commands, and fails once it has
 * them, to turn the suite on for it.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { ReplyError } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";
import { streamSuite } from "./suites/streams.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(
    `stream commands (RESP${protocol})`,
    (target) => streamSuite(target, protocol),
    ["redis"],
  );
}

forEachTarget("stream commands, not yet on the embedded server", (target) => {
  it("XADD, PFADD and GEOADD are unknown commands there (run the suite once they are not)", async () => {
    const store = target().store();
    for (
      const attempt of [
        store.xadd("st:x", { f: 1 }),
        store.pfadd("hll:x", "a"),
        store.geoadd("geo:x", [{ longitude: 0, latitude: 0, member: "m" }]),
      ]
    ) {
      await assert.rejects(attempt, (error) => {
        assert.ok(error instanceof ReplyError);
        assert.match(error.message, /unknown command/i);
        return true;
      });
    }
  });
}, ["embedded-memory"]);
