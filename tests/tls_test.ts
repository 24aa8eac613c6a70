import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectionError, createStore } from "../mod.ts";
import { freePort, skipWithoutRedis } from "./_redis_server.ts";
import { sleep } from "./_wait.ts";

const hasOpenssl = (() => {
  try {
    return spawnSync("openssl", ["version"]).status === 0;
  } catch {
    return false;
  }
})();

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function makeCertificates(dir: string): { ca: string } {
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=pulsar test CA",
  ]);
  writeFileSync(join(dir, "san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  ]);
  run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "san.cnf",
  ]);
  return { ca: readFileSync(join(dir, "ca.crt"), "utf8") };
}

describe("TLS (rediss://) against redis-server", () => {
  const skip = skipWithoutRedis() || !hasOpenssl;
  let dir = "";
  let ca = "";
  let port = 0;
  let child: ChildProcess | undefined;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), "tls-"));
    ca = makeCertificates(dir).ca;
    port = await freePort();
    child = spawn("redis-server", [
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--tls-cert-file",
      join(dir, "server.crt"),
      "--tls-key-file",
      join(dir, "server.key"),
      "--tls-ca-cert-file",
      join(dir, "ca.crt"),
      "--tls-auth-clients",
      "no",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ], { stdio: "ignore" });
    // Ready once the TLS port accepts TCP connections.
    for (let i = 0; i < 400; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = new Socket();
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => (socket.destroy(), resolve(false)));
        socket.connect(port, "127.0.0.1");
      });
      if (open) break;
      await sleep(25);
    }
  });

  after(async () => {
    if (child) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("rediss:// with the CA trusted runs commands over TLS", { skip }, async () => {
    const store = createStore(`rediss://127.0.0.1:${port}/1`, { tls: { caCerts: [ca] } });
    assert.equal(await store.ping(), true);
    await store.set("tls:k", "secret value");
    assert.equal(await store.get("tls:k"), "secret value");
    await store.close();
  });

  it("an untrusted certificate is a ConnectionError", { skip }, async () => {
    const store = createStore(`rediss://127.0.0.1:${port}`, { reconnect: false });
    await assert.rejects(store.ping(), ConnectionError);
    await store.close();
  });
});
