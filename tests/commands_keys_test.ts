/** The keys command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { keySuite } from "./suites/keys.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`keys commands (RESP${protocol})`, (target) => keySuite(target, protocol));
}
