/**
 * An in-process connection pair: a client talks to the embedded server with
 * no sockets. Bytes are delivered in a later microtask, as a socket would.
 * A paused end keeps what it is sent, and the writer's promise stays pending
 * until the reader resumes and takes it (back-pressure without a kernel).
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
  #paused = false;
  /** Settles the peer's writes made while this end was paused. */
  #taken: (() => void) | undefined;
  #takenPromise: Promise<void> | undefined;
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
    return this.peer.#deliver(bytes.slice());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Closed here: unread bytes are not wanted (the peer still gets what we
    // wrote), and the end is due even if paused.
    this.#inbox = [];
    this.#paused = false;
    this.#finish();
    this.peer.#finish();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#schedule();
  }

  /** Queues a chunk from the peer; while paused, returns when it is taken. */
  #deliver(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#ended) return undefined;
    this.#inbox.push(chunk);
    this.#schedule();
    if (!this.#paused) return undefined;
    return this.#takenPromise ??= new Promise<void>((resolve) => this.#taken = resolve);
  }

  #finish() {
    this.#closed = true;
    this.#ended = true;
    this.#schedule();
  }

  #schedule() {
    if (this.#scheduled || !this.#sink || this.#paused) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush() {
    this.#scheduled = false;
    const sink = this.#sink;
    if (!sink) return;
    const inbox = this.#inbox;
    let i = 0;
    // The sink may pause, or close this end (close() drops the inbox), while
    // handling a chunk: stop there.
    while (i < inbox.length && !this.#paused && this.#inbox === inbox) sink.data(inbox[i++]);
    if (this.#inbox !== inbox) return; // closed: the flush close() scheduled ends the sink
    this.#inbox = i === inbox.length ? [] : inbox.slice(i);
    if (this.#inbox.length > 0) return;
    this.#settleTaken();
    if (this.#ended) {
      this.#sink = undefined;
      sink.end();
    }
  }

  #settleTaken() {
    const resolve = this.#taken;
    this.#taken = undefined;
    this.#takenPromise = undefined;
    resolve?.();
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
