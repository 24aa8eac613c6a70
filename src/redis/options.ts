/**
 * `resolveOptions()`: every connection default of the redis store, in one
 * place. An explicit option wins over the URL's query parameter of the same
 * name, which wins over the default (postgres.js `parseOptions`). The
 * connection reads only resolved values; its own fallbacks point here.
 *
 * @module
 */

import type { StoreParam } from "../url.ts";

/** How a connection reconnects after it drops. */
export interface ReconnectOptions {
  /** Attempts before queued commands are rejected. @default {10} */
  retries?: number;
  /** First delay in milliseconds; doubles each attempt, with jitter. @default {50} */
  minDelay?: number;
  /** Largest delay in milliseconds. @default {2000} */
  maxDelay?: number;
}

/** Every default, in one object. */
export const DEFAULTS: {
  readonly protocol: 3;
  readonly connectTimeout: 10_000;
  readonly reconnect: Readonly<Required<ReconnectOptions>>;
  readonly maxOfflineCommands: 100_000;
  readonly healthCheck: 30_000;
} = {
  protocol: 3,
  connectTimeout: 10_000,
  reconnect: { retries: 10, minDelay: 50, maxDelay: 2000 },
  maxOfflineCommands: 100_000,
  healthCheck: 30_000,
};

/** The options a redis store runs with, every default applied. */
export interface ResolvedOptions {
  /** RESP version asked for with HELLO. */
  protocol: 2 | 3;
  /** CLIENT SETNAME, if any. */
  clientName: string | undefined;
  /** Default deadline of every command in milliseconds (none when undefined). */
  timeout: number | undefined;
  /** Deadline of connect + handshake in milliseconds. */
  connectTimeout: number;
  /** Reconnection policy, or `false`. */
  reconnect: Required<ReconnectOptions> | false;
  /** Commands that may wait while disconnected. */
  maxOfflineCommands: number;
  /** Milliseconds of silence before the server is presumed dead; 0: off. */
  healthCheck: number;
  /** Re-send written read-only commands after a drop. */
  resendReadOnly: boolean;
  /** Take a stack per command for its errors. */
  captureStack: boolean;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/**
 * Resolves the store's connection options.
 *
 * @param params The URL's query parameters with explicit primitive options
 *   merged over them (what `Store.options` holds).
 * @param reconnect The explicit `reconnect` option (an object or `false`), if any.
 * @returns Every option, defaults applied.
 */
export function resolveOptions(
  params: Readonly<Record<string, StoreParam>>,
  reconnect?: ReconnectOptions | false,
): ResolvedOptions {
  // `?reconnect=false` in the URL turns it off too.
  const policy = reconnect ?? (params.reconnect === false ? false : undefined);
  return {
    protocol: params.protocol === 2 ? 2 : DEFAULTS.protocol,
    clientName: typeof params.clientName === "string" ? params.clientName : undefined,
    timeout: numberOf(params.timeout),
    connectTimeout: numberOf(params.connectTimeout) ?? DEFAULTS.connectTimeout,
    reconnect: policy === false ? false : { ...DEFAULTS.reconnect, ...definedOnly(policy) },
    maxOfflineCommands: numberOf(params.maxOfflineCommands) ?? DEFAULTS.maxOfflineCommands,
    healthCheck: numberOf(params.healthCheck) ?? DEFAULTS.healthCheck,
    resendReadOnly: params.resendReadOnly === true,
    captureStack: params.captureStack === true,
  };
}

function definedOnly(policy: ReconnectOptions | undefined): ReconnectOptions {
  const out: ReconnectOptions = {};
  if (policy?.retries !== undefined) out.retries = policy.retries;
  if (policy?.minDelay !== undefined) out.minDelay = policy.minDelay;
  if (policy?.maxDelay !== undefined) out.maxDelay = policy.maxDelay;
  return out;
}
