/** The server command suite against real redis-server and the embedded server, over RESP3 and RESP2. */
import { forEachTarget } from "./_targets.ts";
import { serverSuite } from "./suites/server.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`server commands (RESP${protocol})`, (target) => serverSuite(target, protocol));
}
