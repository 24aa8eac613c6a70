/** The sets command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { setSuite } from "./suites/sets.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`sets commands (RESP${protocol})`, (target) => setSuite(target, protocol));
}
