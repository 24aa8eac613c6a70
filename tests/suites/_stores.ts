/**
 * Stores a command suite works with: a plain one and a namespaced one on the
 * same database, opened through the target (which closes them after the suite).
 */
import { before } from "node:test";
import assert from "node:assert/strict";
import type { RedisStore } from "../../mod.ts";
import type { Target } from "../_targets.ts";

/** The stores of one suite run. */
export interface Stores {
  /** A store on database 1 without namespace. */
  plain: RedisStore;
  /** A store on database 1 with namespace `"ns:"`. */
  ns: RedisStore;
  /** The RESP version asked for. */
  protocol: 2 | 3;
}

/**
 * Opens the stores in `before` (and empties database 1).
 *
 * @param target The target.
 * @param protocol The RESP version to ask for.
 * @returns The stores, filled in once `before` ran.
 */
export function useStores(target: () => Target, protocol: 2 | 3): Stores {
  const stores = { protocol } as Stores;
  before(async () => {
    stores.plain = target().store({ db: 1, protocol });
    stores.ns = target().store({ db: 1, protocol, namespace: "ns:" });
    await stores.plain.flushdb();
    assert.equal(stores.plain.protocol, protocol);
  });
  return stores;
}

/** Text as bytes. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Milliseconds since `start`. */
export function since(start: number): number {
  return performance.now() - start;
}
