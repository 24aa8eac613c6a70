/**
 * In-process throughput of the embedded server's request path (decode,
 * dispatch, command, reply encoding, write) with no sockets: a fake
 * connection feeds the same requests redis-benchmark sends, `P` per chunk.
 * Runs under Deno and Bun:
 *
 *   deno run -A bench/server_micro.ts [seconds-per-test=1] [tests=all] [pipelines=1,16]
 *   bun run bench/server_micro.ts [seconds-per-test=1] [tests=all] [pipelines=1,16]
 *
 * @module
 */

import { serve } from "../src/server/server.ts";
import type { Conn, ConnSink, Listen } from "../src/transport/types.ts";

const argv = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const seconds = Number(argv[0] ?? 1);
const only = argv[1] ? argv[1].toUpperCase().split(",") : undefined;
const pipelines = argv[2] ? argv[2].split(",").map(Number) : [1, 16];

const REQUESTS: Record<string, string[]> = {
  SET: ["SET", "key:__rand_int__", "xxx"],
  GET: ["GET", "key:__rand_int__"],
  INCR: ["INCR", "counter:__rand_int__"],
  LPUSH: ["LPUSH", "mylist", "xxx"],
  LPOP: ["LPOP", "mylist"],
  SADD: ["SADD", "myset", "element:__rand_int__"],
  HSET: ["HSET", "myhash", "element:__rand_int__", "xxx"],
  ZADD: ["ZADD", "myzset", "0", "element:__rand_int__"],
};

function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const arg of args) s += `$${arg.length}\r\n${arg}\r\n`;
  return s;
}

let sink: ConnSink | undefined;
let written = 0;
const conn: Conn = {
  remoteAddr: "bench:0",
  read(target) {
    sink = target;
  },
  write(bytes) {
    written += bytes.length;
    return undefined;
  },
  close() {},
};
const listen: Listen = (_options, onConn) => {
  queueMicrotask(() => onConn(conn));
  return Promise.resolve({ addr: { hostname: "bench", port: 1 }, close() {} });
};

const server = await serve({ transport: { listen } });
await new Promise((resolve) => setTimeout(resolve, 10));
if (sink === undefined) throw new Error("Cannot run: the server did not accept");

const results: string[] = [];
for (const pipeline of pipelines) {
  for (const [name, args] of Object.entries(REQUESTS)) {
    if (only !== undefined && !only.includes(name)) continue;
    const chunk = new TextEncoder().encode(encode(args).repeat(pipeline));
    // Warm up, then measure for `seconds`.
    for (let i = 0; i < 20000 / pipeline; i++) sink.data(chunk);
    // The best of five rounds: the machine may be shared.
    let rate = 0;
    for (let round = 0; round < 5; round++) {
      let ops = 0;
      const start = performance.now();
      let now = start;
      while (now - start < seconds * 200) {
        for (let i = 0; i < 1000 / pipeline; i++) sink.data(chunk);
        ops += Math.floor(1000 / pipeline) * pipeline;
        now = performance.now();
      }
      rate = Math.max(rate, Math.round(ops / ((now - start) / 1000)));
    }
    results.push(
      `${name.padEnd(6)} P${String(pipeline).padEnd(3)} ${String(rate).padStart(10)} ops/s`,
    );
  }
}
console.log(results.join("\n"));
console.log(`(${written} reply bytes)`);
await server.shutdown(false);
