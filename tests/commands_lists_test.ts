/** The lists command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { listSuite } from "./suites/lists.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`lists commands (RESP${protocol})`, (target) => listSuite(target, protocol));
}
