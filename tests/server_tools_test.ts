/**
 * Real Redis tools against pulsards: redis-cli and redis-benchmark must work
 * unchanged. Skipped (with a notice) when the tools are not installed.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { serve } from "../server.ts";
import type { PulsarServer } from "../server.ts";

function available(tool: string): boolean {
  try {
    return spawnSync(tool, ["--version"]).status === 0;
  } catch {
    return false;
  }
}

function run(tool: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(tool, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${tool} failed: ${error.message}\n${stderr}`));
      else resolve(String(stdout));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const haveTools = available("redis-cli") && available("redis-benchmark");

describe("redis tools against pulsards", () => {
  if (!haveTools) {
    console.log("[redis tools] skipped: redis-cli / redis-benchmark are not installed");
    return;
  }
  let server: PulsarServer;
  let port: string;
  before(async () => {
    server = await serve({ port: 0 });
    port = String(server.addr.port);
  });
  after(async () => {
    await server.shutdown();
  });

  it("redis-cli runs commands and reads replies", async () => {
    assert.equal(await run("redis-cli", ["-p", port, "PING"]), "PONG\n");
    assert.equal(await run("redis-cli", ["-p", port, "SET", "tool", "hello world"]), "OK\n");
    assert.equal(await run("redis-cli", ["-p", port, "GET", "tool"]), "hello world\n");
    assert.equal(await run("redis-cli", ["-p", port, "INCRBY", "n", "41"]), "41\n");
    // Not on a TTY, redis-cli prints nil as an empty line.
    assert.equal(await run("redis-cli", ["-p", port, "-3", "GET", "missing"]), "\n");
    assert.match(await run("redis-cli", ["-p", port, "INFO", "server"]), /redis_version:7\.0\.15/);
  });

  it("redis-cli pipes commands from stdin", async () => {
    const out = await run("redis-cli", ["-p", port], "SET a 1\nINCR a\nGET a\n");
    assert.equal(out, "OK\n2\n2\n");
  });

  it("redis-cli --pipe mass-inserts RESP", async () => {
    let payload = "";
    for (let i = 0; i < 500; i++) {
      payload += `*3\r\n$3\r\nSET\r\n$${String(i).length + 5}\r\nmass:${i}\r\n$1\r\nv\r\n`;
    }
    const out = await run("redis-cli", ["-p", port, "--pipe"], payload);
    assert.match(out, /errors: 0, replies: 500/);
    assert.match(
      await run("redis-cli", ["-p", port, "EVAL", "return 1", "0"]),
      /^ERR scripting is not supported by the embedded server\n/,
    );
  });

  it("redis-benchmark completes SET/GET/INCR/LPUSH with and without pipelining", async () => {
    for (const pipeline of ["1", "16"]) {
      const out = await run("redis-benchmark", [
        "-p",
        port,
        "-t",
        "set,get,incr,lpush,lpop,mset",
        "-n",
        "2000",
        "-c",
        "10",
        "-P",
        pipeline,
        "-q",
      ]);
      for (const name of ["SET", "GET", "INCR", "LPUSH", "MSET"]) {
        assert.match(out, new RegExp(`${name}[^:]*: [\\d.]+ requests per second`), out);
      }
    }
  });
});
