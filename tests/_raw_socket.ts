/**
 * Test fixture: raw TCP clients (`node:net`) that send arbitrary bytes and
 * record what comes back, for hostile-input and AUTH tests against both the
 * embedded server and redis-server.
 */
import net from "node:net";

/** Bytes as a latin1 string (one char per byte). */
export const latin1 = (bytes: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
};
/** A latin1 string as bytes. */
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Encodes a command as a RESP array of bulk strings (latin1 text). */
export function resp(...args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

const open = new Set<Raw>();

/** Destroys every raw connection still open (for `after`). */
export async function closeAllRaw(): Promise<void> {
  for (const raw of [...open]) {
    raw.destroy();
    await raw.closeWait(1000);
  }
}

/** A raw TCP client that records what it receives (the first `keep` bytes). */
export class Raw {
  readonly socket: net.Socket;
  data = "";
  received = 0;
  closed = false;
  readonly #keep: number;
  #wake: (() => void) | null = null;

  private constructor(socket: net.Socket, keep: number) {
    this.socket = socket;
    this.#keep = keep;
    socket.on("data", (chunk: Uint8Array) => {
      this.received += chunk.length;
      if (this.data.length < this.#keep) this.data += latin1(chunk);
      this.#wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      open.delete(this);
      this.#wake?.();
    });
    socket.on("error", () => {});
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number, keep = 1 << 20): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.off("error", reject);
        const raw = new Raw(socket, keep);
        open.add(raw);
        resolve(raw);
      });
      socket.once("error", reject);
    });
  }

  send(payload: string | Uint8Array): void {
    if (!this.closed) this.socket.write(typeof payload === "string" ? bytesOf(payload) : payload);
  }

  /** Returns and forgets what was received so far. */
  take(): string {
    const data = this.data;
    this.data = "";
    return data;
  }

  #next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  /** Waits until `done(data)` holds or the connection closes (at most `timeoutMs`). */
  async until(done: (data: string) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.data) && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out; received ${JSON.stringify(this.data.slice(0, 200))}`);
      }
      await this.#next(left);
    }
  }

  /** Waits until the connection closes or stays quiet for `quietMs` (at most `timeoutMs`). */
  async settle(quietMs = 150, timeoutMs = 5000): Promise<{ data: string; closed: boolean }> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    while (!this.closed && seen !== this.received && Date.now() < deadline) {
      seen = this.received;
      await this.#next(quietMs);
    }
    return { data: this.data, closed: this.closed };
  }

  /** Sends `request` and waits for `expected` bytes of reply; returns them. */
  async command(request: string, expectedLength: number): Promise<string> {
    this.take();
    this.send(request);
    await this.until((data) => data.length >= expectedLength);
    return this.take();
  }

  /** Waits for the close (at most `timeoutMs`); returns whether it closed. */
  async closeWait(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.#next(deadline - Date.now());
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects, sends `payload`, waits for the close or a quiet period, disconnects. */
export async function exchange(
  port: number,
  payload: string | Uint8Array,
): Promise<{ data: string; closed: boolean }> {
  const raw = await Raw.connect(port);
  raw.send(payload);
  const result = await raw.settle();
  raw.destroy();
  await raw.closeWait();
  return result;
}
