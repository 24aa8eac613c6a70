/** The scan command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { scanSuite } from "./suites/scan.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`scan commands (RESP${protocol})`, (target) => scanSuite(target, protocol));
}
