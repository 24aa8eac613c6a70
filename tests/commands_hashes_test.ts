/** The hashes command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { hashSuite } from "./suites/hashes.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`hashes commands (RESP${protocol})`, (target) => hashSuite(target, protocol));
}
