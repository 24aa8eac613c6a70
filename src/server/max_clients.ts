/**
 * `maxclients` sized to the process's open-file limit, as Redis's
 * `adjustOpenFilesLimit` does: every client costs a descriptor, and the
 * server keeps some for itself (the runtime's own, the listener, snapshot
 * files). Deno and Bun cannot raise the limit (they already raised the soft
 * limit to the hard one at startup), so only `maxclients` can give way.
 *
 * @module
 */

/** Descriptors kept for the server itself (Redis's `CONFIG_MIN_RESERVED_FDS`). */
export const RESERVED_FDS = 32;

/** What {@linkcode fitMaxClients} decided. */
export interface FittedMaxClients {
  /** The `maxclients` to use. */
  maxClients: number;
  /** A line for the log when it was lowered, as Redis logs at startup. */
  message?: string;
}

/**
 * Lowers `requested` so that its clients and {@linkcode RESERVED_FDS} fit
 * under `fdLimit`; at least 1 client is always allowed.
 *
 * @param requested The configured `maxclients`.
 * @param fdLimit The open-file limit, or `undefined` when unknown (kept as is).
 * @returns The `maxclients` to use, and a log line when it was lowered.
 *
 * @example A ulimit of 1024 leaves room for 992 clients
 * ```ts
 * import { fitMaxClients } from "./max_clients.ts";
 *
 * console.log(fitMaxClients(10000, 1024).maxClients); // 992
 * ```
 */
export function fitMaxClients(requested: number, fdLimit: number | undefined): FittedMaxClients {
  if (fdLimit === undefined || requested + RESERVED_FDS <= fdLimit) {
    return { maxClients: requested };
  }
  const maxClients = Math.max(1, fdLimit - RESERVED_FDS);
  return {
    maxClients,
    message:
      `You requested maxclients of ${requested} requiring at least ${
        requested + RESERVED_FDS
      } max file descriptors. Current maximum open files is ${fdLimit}. maxclients has been ` +
      `reduced to ${maxClients} to compensate for low ulimit. If you need higher maxclients ` +
      `increase 'ulimit -n'.`,
  };
}

/**
 * Whether an accept error means the process (EMFILE) or the system (ENFILE)
 * ran out of file descriptors. Adapters pass the runtime's error, which
 * carries the errno name as `code` (Deno) or in its message.
 *
 * @param error What the listener reported.
 * @returns `true` for EMFILE and ENFILE.
 *
 * @example Deno's EMFILE
 * ```ts
 * import { isOutOfDescriptors } from "./max_clients.ts";
 *
 * const error = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
 * console.log(isOutOfDescriptors(error)); // true
 * ```
 */
export function isOutOfDescriptors(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "EMFILE" || code === "ENFILE" || /too many open files/i.test(error.message);
}

/**
 * The `maxclients` to use once accepting failed for want of descriptors with
 * `clients` connected: the limit is then known to be `clients` plus what the
 * process holds besides, so keep {@linkcode RESERVED_FDS} of them free for
 * refusing newcomers and for snapshot files. This learns the limit where it
 * cannot be read (Deno without `--allow-all` cannot read `/proc`).
 *
 * @param maxClients The current `maxclients`.
 * @param clients Clients connected when accept failed.
 * @returns The lowered `maxclients` and a log line, or the current one when
 *   so few clients are connected that they are not what exhausted the table.
 *
 * @example Out of descriptors with 1000 clients
 * ```ts
 * import { fitMaxClientsToClients } from "./max_clients.ts";
 *
 * console.log(fitMaxClientsToClients(10000, 1000).maxClients); // 968
 * ```
 */
export function fitMaxClientsToClients(maxClients: number, clients: number): FittedMaxClients {
  const fitted = clients - RESERVED_FDS;
  if (fitted < 1 || fitted >= maxClients) return { maxClients };
  return {
    maxClients: fitted,
    message: `Out of file descriptors with ${clients} clients connected: maxclients has been ` +
      `reduced from ${maxClients} to ${fitted}. If you need higher maxclients increase ` +
      `'ulimit -n'.`,
  };
}

/** What {@linkcode acceptErrorHandler} reads and lowers on the server. */
export interface ClientLimits {
  /** The server's settings; `maxClients` may be lowered. */
  readonly config: { maxClients: number };
  /** The connected clients. */
  readonly clients: { readonly size: number };
}

/** Failed accepts are logged at most this often (ms), with a count. */
const REPORT_EVERY_MS = 10_000;

/**
 * The listener's `onError`: logs failed accepts (at most every 10 s, with
 * the count since the last line: near the limit they can come with every
 * few refusals) and, when the open-file limit is unknown, lowers
 * `maxclients` at the first EMFILE ({@linkcode fitMaxClientsToClients}).
 * With the limit known, maxclients keeps a reserve and an EMFILE is a burst
 * of refusals in flight, gone once they close.
 *
 * @param log Where log lines go.
 * @param limitKnown Whether `maxclients` was already fitted to a known limit.
 * @param server The server, or `null` while it is being built.
 * @returns The handler.
 *
 * @example Learning maxclients from an EMFILE
 * ```ts
 * import { acceptErrorHandler } from "./max_clients.ts";
 *
 * const server = { config: { maxClients: 10000 }, clients: { size: 1000 } };
 * const onError = acceptErrorHandler(console.log, false, () => server);
 * onError(Object.assign(new Error("Too many open files"), { code: "EMFILE" }));
 * console.log(server.config.maxClients); // 968
 * ```
 */
export function acceptErrorHandler(
  log: (message: string) => void,
  limitKnown: boolean,
  server: () => ClientLimits | null,
): (error: Error) => void {
  let failures = 0;
  let lastReport = -Infinity;
  let learnt = limitKnown;
  return (error) => {
    failures++;
    if (Date.now() - lastReport >= REPORT_EVERY_MS) {
      const count = failures > 1 ? ` (${failures} failures since the last report)` : "";
      log(`Accepting client connection: ${error.message}${count}`);
      lastReport = Date.now();
      failures = 0;
    }
    const target = server();
    if (learnt || target === null || !isOutOfDescriptors(error)) return;
    learnt = true;
    const lowered = fitMaxClientsToClients(target.config.maxClients, target.clients.size);
    if (lowered.message !== undefined) log(lowered.message);
    target.config.maxClients = lowered.maxClients;
  };
}
