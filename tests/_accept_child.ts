/**
 * Test fixture, run as a child process (Deno or Bun) under a low open-file
 * limit: listens through the runtime adapter, greets every connection with
 * `+hi`, holds it until the peer closes, and prints every accept error the
 * adapter reports. Prints `listening on 127.0.0.1:<port>` when ready.
 */
import { runtime } from "../src/transport/mod.ts";

const listener = await runtime.listen(
  {
    hostname: "127.0.0.1",
    port: 0,
    onError: (error) => console.error(`accept error: ${error.message}`),
  },
  (conn) => {
    conn.read({ data() {}, end: () => conn.close() });
    conn.write(new TextEncoder().encode("+hi\r\n"));
  },
);
console.log(`listening on 127.0.0.1:${listener.addr.port}`);
