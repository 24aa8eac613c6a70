/** The administration command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { adminSuite } from "./suites/admin.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`admin commands (RESP${protocol})`, (target) => adminSuite(target, protocol));
}
