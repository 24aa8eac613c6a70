/**
 * Test fixture: a minimal RESP2 client over a raw socket ({@linkcode Raw}),
 * for tests that send the same commands to the embedded server and to
 * redis-server and compare the replies as raw text or parsed values.
 */
import { Raw, resp } from "./_raw_socket.ts";

/** A parsed RESP2 reply; errors are `{ error }`. */
export type Reply = string | number | null | { error: string } | Reply[];

/** Parses one reply at `pos`; null when `data` holds only part of it. */
function parse(data: string, pos: number): [Reply, number] | null {
  const end = data.indexOf("\r\n", pos);
  if (end < 0) return null;
  const type = data[pos];
  const line = data.slice(pos + 1, end);
  const next = end + 2;
  switch (type) {
    case "+":
      return [line, next];
    case "-":
      return [{ error: line }, next];
    case ":":
      return [Number(line), next];
    case "$": {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (data.length < next + length + 2) return null;
      return [data.slice(next, next + length), next + length + 2];
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(data, at);
        if (item === null) return null;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(
        `Cannot parse reply: unexpected ${JSON.stringify(data.slice(pos, pos + 40))}`,
      );
  }
}

/** A connection that sends commands and reads their replies, in order. */
export class RespClient {
  readonly raw: Raw;
  #pos = 0;

  private constructor(raw: Raw) {
    this.raw = raw;
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(port: number): Promise<RespClient> {
    return new RespClient(await Raw.connect(port, Infinity));
  }

  /** Sends one command and returns its raw reply text (at most `timeoutMs` to arrive). */
  async rawCall(args: string[], timeoutMs = 10000): Promise<string> {
    this.raw.send(resp(...args));
    let result: [Reply, number] | null = null;
    await this.raw.until((data) => (result = parse(data, this.#pos)) !== null, timeoutMs);
    if (result === null) throw new Error("Cannot read reply: the connection closed");
    const [, end] = result as [Reply, number];
    const text = this.raw.data.slice(this.#pos, end);
    this.#pos = end;
    if (this.#pos > 1 << 20) {
      this.raw.data = this.raw.data.slice(this.#pos);
      this.#pos = 0;
    }
    return text;
  }

  /** Sends one command and returns its parsed reply. */
  async call(...args: string[]): Promise<Reply> {
    return parse(await this.rawCall(args), 0)![0];
  }

  /** An integer field of `INFO <section>`. */
  async info(field: string, section = "everything"): Promise<number> {
    const text = await this.call("INFO", section) as string;
    const match = new RegExp(`\\r\\n${field}:(\\d+)\\r\\n`).exec(text);
    if (match === null) throw new Error(`INFO has no ${field}`);
    return Number(match[1]);
  }

  /** A text field of `INFO <section>`. */
  async infoText(field: string, section = "everything"): Promise<string> {
    const text = await this.call("INFO", section) as string;
    const match = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text);
    if (match === null) throw new Error(`INFO has no ${field}`);
    return match[1];
  }

  /** Closes the connection and waits for the close. */
  async close(): Promise<void> {
    this.raw.destroy();
    await this.raw.closeWait();
  }
}
