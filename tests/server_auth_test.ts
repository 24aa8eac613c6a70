/**
 * AUTH on the embedded server: with a password set, every command but AUTH,
 * HELLO, QUIT and RESET (Redis 7.0's `no_auth` commands) replies NOAUTH, byte
 * for byte like redis-server started with `--requirepass`; the password check
 * is a constant-time comparison.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../server.ts";
import type { ServerCore } from "../src/server/server.ts";
import { constantTimeEqual } from "../src/server/commands/connection.ts";
import { type RedisServer, skipWithoutRedis, startRedisServer } from "./_redis_server.ts";
import { bytesOf, closeAllRaw, exchange, latin1, Raw, resp } from "./_raw_socket.ts";
import { RawConn } from "./differential_harness.ts";

const PASSWORD = "s3cret-pässword";
const NOAUTH = "-NOAUTH Authentication required.\r\n";
const NO_AUTH_COMMANDS = new Set(["auth", "hello", "quit", "reset"]);

/** The password as latin1 "bytes" of its UTF-8 encoding (what resp() sends). */
const passwordBytes = String.fromCharCode(...new TextEncoder().encode(PASSWORD));

describe("embedded server with a password", () => {
  let server: ServerCore;
  let port = 0;
  let redis: RedisServer | undefined;

  before(async () => {
    server = await serve({ port: 0, password: PASSWORD }) as ServerCore;
    port = server.addr.port;
    if (!skipWithoutRedis()) {
      // DEBUG is refused before AUTH unless enabled; the embedded server allows it.
      redis = await startRedisServer(["--requirepass", PASSWORD, "--enable-debug-command", "yes"]);
    }
  });

  after(async () => {
    await closeAllRaw();
    await server?.shutdown();
    await redis?.stop();
  });

  /** One request per command (and subcommand), with just enough arguments for its arity. */
  function requests(): { name: string; request: string }[] {
    const out: { name: string; request: string }[] = [];
    const fill = (arity: number, given: number) =>
      Array.from({ length: Math.max(0, Math.abs(arity) - given) }, (_, i) => `a${i}`);
    for (const [name, command] of server.table.byName) {
      if (command.subcommands === null) {
        out.push({ name, request: resp(name, ...fill(command.spec.arity, 1)) });
        continue;
      }
      for (const [sub, subcommand] of command.subcommands) {
        out.push({
          name: `${name}|${sub}`,
          request: resp(name, sub, ...fill(subcommand.spec.arity, 2)),
        });
      }
    }
    return out;
  }

  it("every command but AUTH/HELLO/QUIT/RESET replies NOAUTH before AUTH", async () => {
    const all = requests();
    assert.ok(all.length > 150, String(all.length));
    const guarded = all.filter(({ name }) => !NO_AUTH_COMMANDS.has(name.split("|")[0]));
    // One connection, pipelined: nothing may slip through, nothing may close it.
    const raw = await Raw.connect(port, 1 << 22);
    raw.send(guarded.map(({ request }) => request).join(""));
    await raw.until((data) => data.length >= guarded.length * NOAUTH.length);
    const replies = raw.take().split("\r\n").slice(0, -1).map((line) => line + "\r\n");
    // A refused EXEC also discards the transaction, as Redis's execCommandAbort does.
    const expected = (name: string) =>
      name === "exec"
        ? "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n"
        : NOAUTH;
    const wrong = guarded.map(({ name }, i) => `${name}: ${JSON.stringify(replies[i])}`)
      .filter((_, i) => replies[i] !== expected(guarded[i].name));
    assert.deepEqual(wrong, []);
    assert.equal(replies.length, guarded.length);
    raw.destroy();
    await raw.closeWait();
    // Nothing ran: the keyspace is still empty.
    for (const db of server.databases) assert.equal(db.size, 0);
  });

  it("NOAUTH replies match redis-server --requirepass byte for byte", async (t) => {
    if (redis === undefined) return t.skip("redis-server is not installed");
    const sample = requests().filter(({ name }) => {
      const base = name.split("|")[0];
      // Ours only (PULSAR.*), or containers we do not model (scripting is unsupported).
      return !NO_AUTH_COMMANDS.has(base) && !base.startsWith("pulsar.") &&
        base !== "script" && base !== "function";
    });
    // Pipelined on one connection per server; each request gets one reply frame.
    const conns = [await RawConn.connect(port), await RawConn.connect(redis.port)];
    try {
      for (const conn of conns) conn.send(bytesOf(sample.map(({ request }) => request).join("")));
      const differences: string[] = [];
      for (const { name } of sample) {
        const [ours, theirs] = [
          latin1(await conns[0].readFrame()),
          latin1(await conns[1].readFrame()),
        ];
        if (ours !== theirs) {
          differences.push(
            `${name}: ours ${JSON.stringify(ours)}, redis ${JSON.stringify(theirs)}`,
          );
        }
      }
      assert.deepEqual(differences, []);
    } finally {
      for (const conn of conns) await conn.close();
    }
  });

  it("AUTH, HELLO, QUIT and RESET answer before AUTH like redis-server", async () => {
    const script = [
      resp("GET", "k"),
      resp("AUTH", "wrong"),
      resp("AUTH", "default", "wrong"),
      resp("AUTH", "nobody", passwordBytes),
      resp("AUTH"),
      resp("AUTH", "a", "b", "c"),
      resp("GET", "k"),
      resp("NOSUCHCOMMAND", "x"),
      resp("GET"),
      resp("HELLO", "3"),
      resp("HELLO", "3", "AUTH", "default", "wrong"),
      resp("RESET"),
      resp("GET", "k"),
      resp("AUTH", passwordBytes),
      resp("SET", "k", "v"),
      resp("GET", "k"),
      resp("DEL", "k"),
      resp("RESET"),
      resp("GET", "k"), // RESET drops the authentication
      resp("HELLO", "2", "AUTH", "default", passwordBytes, "SETNAME", "x"),
      resp("GET", "k"),
      resp("QUIT"),
    ].join("");
    const ours = await exchange(port, script);
    // The HELLO reply carries the connection id: compare the rest.
    const withoutId = (data: string) => data.replace(/\$2\r\nid\r\n:\d+\r\n/, "$2\r\nid\r\n:0\r\n");
    assert.equal(ours.closed, true);
    assert.ok(ours.data.startsWith(NOAUTH + "-WRONGPASS "), ours.data);
    assert.ok(ours.data.endsWith("$-1\r\n+OK\r\n"), ours.data);
    if (redis !== undefined) {
      const theirs = await exchange(redis.port, script);
      assert.equal(withoutId(ours.data), withoutId(theirs.data));
      assert.equal(ours.closed, theirs.closed);
    }
  });

  it("unauthenticated requests with inline syntax are refused too", async () => {
    const script = "GET k\r\nSET k v\r\nKEYS *\r\nFLUSHALL\r\n";
    const ours = await exchange(port, script);
    assert.deepEqual(ours, { data: NOAUTH.repeat(4), closed: false });
    if (redis !== undefined) assert.deepEqual(await exchange(redis.port, script), ours);
  });

  it("CONFIG SET requirepass takes a UTF-8 password that AUTH then accepts", async () => {
    const next = String.fromCharCode(...new TextEncoder().encode("nöuveau"));
    for (const p of redis ? [port, redis.port] : [port]) {
      const reply = await exchange(
        p,
        resp("AUTH", passwordBytes) + resp("CONFIG", "SET", "requirepass", next) +
          resp("CONFIG", "GET", "requirepass"),
      );
      assert.equal(
        reply.data,
        `+OK\r\n+OK\r\n*2\r\n$11\r\nrequirepass\r\n$${next.length}\r\n${next}\r\n`,
      );
      const again = await exchange(
        p,
        resp("GET", "k") + resp("AUTH", next) + resp("CONFIG", "SET", "requirepass", passwordBytes),
      );
      assert.equal(again.data, NOAUTH + "+OK\r\n+OK\r\n", p === port ? "ours" : "redis");
    }
  });
});

describe("constantTimeEqual()", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("accepts only the same bytes", () => {
    assert.equal(constantTimeEqual(bytes("secret"), bytes("secret")), true);
    assert.equal(constantTimeEqual(bytes("secret"), bytes("Secret")), false);
    assert.equal(constantTimeEqual(bytes("secret"), bytes("secreT")), false);
    assert.equal(constantTimeEqual(bytes("secret"), bytes("secre")), false);
    assert.equal(constantTimeEqual(bytes("secret"), bytes("secrets")), false);
    assert.equal(constantTimeEqual(bytes("secret"), bytes("")), false);
    assert.equal(constantTimeEqual(bytes(""), bytes("x")), false);
    assert.equal(constantTimeEqual(bytes(""), bytes("")), true);
    // A candidate that repeats the secret is not the secret.
    assert.equal(constantTimeEqual(bytes("ab"), bytes("abab")), false);
  });

  it("reads every byte of the candidate whatever the first difference", () => {
    // Code review, made executable: count the candidate reads. An early exit
    // on the first differing byte would read fewer for an early difference.
    const secret = bytes("0123456789abcdef");
    const reads = (candidate: Uint8Array) => {
      let count = 0;
      const spy = new Proxy(candidate, {
        get(target, key) {
          if (typeof key === "string" && /^\d+$/.test(key)) count++;
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      constantTimeEqual(secret, spy);
      return count;
    };
    const same = reads(bytes("0123456789abcdef"));
    assert.equal(same, 16);
    assert.equal(reads(bytes("X123456789abcdef")), same);
    assert.equal(reads(bytes("0123456789abcdeX")), same);
    assert.equal(reads(bytes("XXXXXXXXXXXXXXXX")), same);
  });
});
