/** The strings command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { stringSuite } from "./suites/strings.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`strings commands (RESP${protocol})`, (target) => stringSuite(target, protocol));
}
