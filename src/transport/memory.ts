/**
 * An in-process connection pair: a client talks to the embedded server with
 * no sockets. Bytes are delivered in a later microtask, as a socket would.
 *
 * @module
 */

import type { Conn, ConnSink } from "./types.ts";

class MemoryEnd implements Conn {
  peer!: MemoryEnd;
  #sink: ConnSink | undefined;
  #inbox: Uint8Array[] = [];
  #scheduled = false;
  #closed = false;
  #ended = false;
  readonly remoteAddr: string;

  constructor(remoteAddr: string) {
    this.remoteAddr = remoteAddr;
  }

  read(sink: ConnSink): void {
    this.#sink = sink;
    this.#schedule();
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot write: the connection is closed"));
    }
    // The caller may reuse `bytes` once we return: keep a copy.
    this.peer.#deliver(bytes.slice());
    return undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finish();
    this.peer.#finish();
  }

  #deliver(chunk: Uint8Array) {
    if (this.#ended) return;
    this.#inbox.push(chunk);
    this.#schedule();
  }

  #finish() {
    this.#closed = true;
    this.#ended = true;
    this.#schedule();
  }

  #schedule() {
    if (this.#scheduled || !this.#sink) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush() {
    this.#scheduled = false;
    const sink = this.#sink;
    if (!sink) return;
    const inbox = this.#inbox;
    this.#inbox = [];
    for (const chunk of inbox) {
      // The sink may close this end while handling a chunk: stop delivering.
      if (this.#sink !== sink) return;
      sink.data(chunk);
    }
    if (this.#ended && this.#inbox.length === 0 && this.#sink === sink) {
      this.#sink = undefined;
      sink.end();
    }
  }
}

/**
 * Creates two connected in-memory ends: what one writes, the other reads.
 *
 * @returns `[client, server]`
 */
export function memoryPair(): [Conn, Conn] {
  const client = new MemoryEnd("memory:server");
  const server = new MemoryEnd("memory:client");
  client.peer = server;
  server.peer = client;
  return [client, server];
}
