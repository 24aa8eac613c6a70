/** Types of workloads.mjs, for the TypeScript adapters. */

/** What a benchmarked client provides; values are ASCII strings. */
export interface Adapter {
  client: string;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  incr(key: string): Promise<number>;
  flush(): Promise<unknown>;
  close(): Promise<unknown>;
  /** PUBLISH on the client's connection; resolves with the receiver count. For (e). */
  publish?(channel: string, message: string): Promise<unknown>;
  /**
   * Opens a subscriber connection and subscribes it to `channel`; resolves once
   * confirmed, with a function that closes that connection; calls `onError`
   * when receiving fails. For (e).
   */
  subscribe?(
    channel: string,
    onMessage: (message: string, channel: string) => void,
    onError: (error: unknown) => void,
  ): Promise<() => Promise<unknown>>;
  maxInFlight?: number;
  note?: string;
}

/** Runs the workloads named on the command line against one client. */
export function main(open: (url: string) => Promise<Adapter>): Promise<void>;

/** "deno 2.9.6", "bun 1.4.5" or "node v20.20.2". */
export function runtimeName(): string;

/** Runs one workload (its warm-up, then the timed run) and verifies it. */
export function run(
  store: Adapter,
  id: "a" | "b" | "c" | "d" | "e",
): Promise<
  { ops: number; ms: number; detail?: Record<string, number>; note?: string }
>;
