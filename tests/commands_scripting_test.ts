/**
 * BITFIELD and the scripting commands against real redis-server, over RESP3
 * and RESP2. The embedded server has neither BITFIELD nor Lua: the last suite
 * checks it refuses them, and fails once it has them.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { ReplyError } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";
import { scriptingSuite } from "./suites/scripting.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(
    `scripting commands (RESP${protocol})`,
    (target) => scriptingSuite(target, protocol),
    ["redis"],
  );
}

forEachTarget("scripting commands, not yet on the embedded server", (target) => {
  it("BITFIELD and FCALL are refused there (run the suite once they are not)", async () => {
    const store = target().store();
    for (const attempt of [store.bitfield("bf:x", (b) => b.get("u8", 0)), store.fcall("f")]) {
      await assert.rejects(attempt, (error) => {
        assert.ok(error instanceof ReplyError);
        return true;
      });
    }
  });
}, ["embedded-memory"]);
