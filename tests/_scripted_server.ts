/**
 * Fault-injection fixture: a tiny RESP server whose behaviour each test
 * scripts (delay, drop, split, garbage, silence). Uses node:net, which Deno
 * and Bun both implement; tests only.
 */
import { createServer, type Server, type Socket } from "node:net";
import { RespDecoder } from "../src/protocol/decoder.ts";

/** One accepted connection, as a script sees it. */
export interface ScriptedConn {
  /** Sends raw bytes (a string is sent as is). */
  send(bytes: string | Uint8Array): void;
  /** Closes the socket. */
  destroy(): void;
  /** 0 for the first connection, 1 for the next... */
  index: number;
}

/** What to do with each command: return a raw reply, or undefined to stay silent. */
export type Script = (command: string[], conn: ScriptedConn) => string | undefined;

/** Answers the handshake like Redis 7 (HELLO -> map, SELECT/AUTH -> OK). */
export function handshakeReply(command: string[]): string | undefined {
  const name = command[0].toUpperCase();
  if (name === "HELLO") {
    return "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n";
  }
  if (name === "SELECT" || name === "AUTH" || name === "CLIENT") return "+OK\r\n";
  return undefined;
}

/** A running scripted server. */
export interface ScriptedServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Every command received, in order. */
  commands: string[][];
  /** Closes the server and every connection. */
  close(): Promise<void>;
}

/**
 * Starts a scripted server on a free loopback port.
 *
 * @param script Decides each command's reply.
 */
export function scriptedServer(script: Script): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const text = new TextDecoder();
  const state: ScriptedServer = {
    port: 0,
    connections: 0,
    commands: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const conn: ScriptedConn = {
      index: state.connections++,
      send: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      destroy: () => socket.destroy(),
    };
    const decoder = new RespDecoder((value) => {
      const command = (value as Uint8Array[]).map((part) => text.decode(part));
      state.commands.push(command);
      const reply = script(command, conn);
      if (reply !== undefined) conn.send(reply);
    }, { inline: true });
    socket.on("data", (chunk: Uint8Array) => decoder.push(new Uint8Array(chunk)));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      state.port = typeof address === "object" && address ? address.port : 0;
      resolve(state);
    });
  });
}
