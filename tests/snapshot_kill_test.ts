import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createStore, type RedisStore } from "../mod.ts";
import { sleep } from "./_wait.ts";

/** Starts the CLI server (this runtime) on a free port; resolves once it listens. */
function startCli(snapshot: string): Promise<{ child: ChildProcess; port: number }> {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const args = "Bun" in globalThis
    ? [cli, "--port", "0", "--snapshot", snapshot, "--save", "1"]
    : ["run", "-A", cli, "--port", "0", "--snapshot", snapshot, "--save", "1"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Cannot start the CLI server: ${output}`));
    }, 20_000);
    const onData = (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      const match = output.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start the CLI server: exited with ${code}: ${output}`));
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("snapshots under kill -9", () => {
  it("a server killed at random moments always restarts from a whole snapshot", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pulsards-kill-"));
    const snapshot = join(dir, "dump.pdb");
    let written = 0;
    try {
      for (let round = 0; round < 4; round++) {
        const { child, port } = await startCli(snapshot);
        const store: RedisStore = createStore(`redis://127.0.0.1:${port}`, { reconnect: false });
        // Whatever was loaded must be whole: every key holds its own value.
        const keys = await store.keys("k:*");
        for (const key of keys.slice(0, 500)) {
          assert.equal(await store.get(key), `v:${key.slice(2)}`);
        }
        if (round > 0) assert.ok(keys.length > 0, "the snapshot of the last round was loaded");
        // Write and save continuously; the kill lands at a random moment,
        // likely in the middle of a background save.
        let alive = true;
        const writing = (async () => {
          while (alive) {
            const pipeline = store.pipeline();
            for (let i = 0; i < 500; i++, written++) pipeline.set(`k:${written}`, `v:${written}`);
            pipeline.execute("BGSAVE");
            await pipeline.commit().catch(() => alive = false);
          }
        })();
        await sleep(200 + Math.random() * 600);
        await kill(child);
        alive = false;
        await writing;
        await store.close();
        await sleep(20);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
