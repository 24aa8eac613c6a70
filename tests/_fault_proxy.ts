/**
 * Fault-injection fixture: a TCP proxy in front of a real server that tests
 * control: cut every connection, cut after N bytes, delay, or stop
 * forwarding. Uses node:net (tests only).
 */
import { createConnection, createServer, type Socket } from "node:net";

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Closes every open connection pair at once. */
  dropAll(): void;
  /** Closes each connection after it has forwarded `bytes` more bytes server->client. */
  dropAfter(bytes: number): void;
  /** Delays every forwarded chunk by `ms`. */
  delay(ms: number): void;
  /** Stops forwarding (peers see silence) until `resume()`. */
  pause(): void;
  /** Forwards again. */
  resume(): void;
  /** Closes the proxy and every connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port forwarding to `targetPort`.
 *
 * @param targetPort The real server's port on 127.0.0.1.
 */
export function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let delayMs = 0;
  let paused = false;
  let dropBudget = Infinity;
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    let budget = dropBudget;
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    const forward = (to: Socket, countBytes: boolean) => (chunk: Uint8Array) => {
      if (paused) return;
      if (countBytes) {
        budget -= chunk.length;
        if (budget < 0) {
          // Deliver a torn prefix, then cut: the worst case for a reply parser.
          const keep = chunk.length + budget;
          if (keep > 0) to.write(chunk.subarray(0, keep));
          end();
          return;
        }
      }
      if (delayMs > 0) setTimeout(() => to.destroyed || to.write(chunk), delayMs);
      else to.write(chunk);
    };
    client.on("data", forward(upstream, false));
    upstream.on("data", forward(client, true));
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        port,
        get accepted() {
          return accepted;
        },
        dropAll() {
          for (const [a, b] of [...pairs]) {
            a.destroy();
            b.destroy();
          }
          pairs.clear();
        },
        dropAfter(bytes) {
          dropBudget = bytes;
        },
        delay(ms) {
          delayMs = ms;
        },
        pause() {
          paused = true;
        },
        resume() {
          paused = false;
        },
        close() {
          return new Promise<void>((done) => {
            for (const [a, b] of pairs) {
              a.destroy();
              b.destroy();
            }
            pairs.clear();
            server.close(() => done());
          });
        },
      });
    });
  });
}
