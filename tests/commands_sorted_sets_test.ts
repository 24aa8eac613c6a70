/** The sorted sets command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { sortedSetSuite } from "./suites/sorted_sets.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(
    `sorted sets commands (RESP${protocol})`,
    (target) => sortedSetSuite(target, protocol),
    ["redis"],
  );
}
