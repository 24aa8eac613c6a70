/**
 * `maxmemory` for the embedded server: Redis's eviction policies and the OOM
 * gate in front of commands.
 *
 * Before each command, while `maxmemory` is set, {@linkcode performEvictions}
 * compares the server's accounted memory ({@linkcode usedMemory}) with the
 * limit and deletes keys until it fits, the way Redis's `performEvictions`
 * does:
 *
 * - `allkeys-lru`/`volatile-lru`, `allkeys-lfu`/`volatile-lfu` and
 *   `volatile-ttl` sample `maxmemory-samples` keys per database (uniformly at
 *   random, O(1) each) into a 16-slot eviction pool kept across calls, sorted
 *   by score (idle time, 255 minus the LFU counter, or nearness of expiry),
 *   and evict the pool's best candidate that still exists;
 * - `allkeys-random`/`volatile-random` evict a random key, databases taken in
 *   turn;
 * - `volatile-*` only ever evict keys with a TTL; `noeviction` evicts nothing.
 *
 * When nothing can be evicted and memory is still over the limit, commands
 * flagged `denyoom` are refused with {@linkcode OOM_ERROR} (and, like Redis,
 * any command queued inside MULTI, and EXEC of a transaction holding a
 * `denyoom` command). Eviction is bounded in time per call; the server's cron
 * finishes a long eviction. With `maxmemory 0` (the default) none of this
 * runs: the client tests one number.
 *
 * @module
 */

import type { Command } from "./commands/mod.ts";
import type { Database } from "./keyspace.ts";
import type { ServerCore } from "./server.ts";

/** Redis's reply to a `denyoom` command when memory cannot be freed (`shared.oomerr`). */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** The `maxmemory-policy` values, in Redis's order (its CONFIG SET error lists them so). */
export const MAXMEMORY_POLICIES: readonly string[] = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
];

/** Bytes the server's own structures are accounted for (command table, pub/sub, cron). */
export const SERVER_OVERHEAD = 256 * 1024;
/** Bytes per database beside its keys (maps, indexes). */
export const DATABASE_OVERHEAD = 1024;
/** Bytes per connected client (state, parser, reply buffer), like Redis's per-client cost. */
export const CLIENT_OVERHEAD = 20 * 1024;

/** Slots of the eviction pool (Redis's `EVPOOL_SIZE`). */
const POOL_SIZE = 16;
/** Milliseconds one call may spend evicting; the cron carries on (Redis's eviction tenacity). */
const EVICTION_BUDGET_MS = 5;
/**
 * The most keys sampled per database per eviction, whatever
 * `maxmemory-samples` says: more approximates LRU no better (Redis finds 10
 * close to true LRU) and `maxmemory-samples 2147483647` would make every
 * eviction a scan of the keyspace.
 */
const MAX_SAMPLES = 64;

/** What {@linkcode performEvictions} achieved. */
export type EvictionResult = "ok" | "running" | "fail";

/**
 * The server's accounted memory in bytes: its own overhead, the databases'
 * entries and a fixed cost per connected client (`INFO memory` used_memory).
 */
export function usedMemory(server: ServerCore): number {
  return SERVER_OVERHEAD + server.databases.length * DATABASE_OVERHEAD +
    server.clients.size * CLIENT_OVERHEAD + server.memory.used;
}

/** The bytes of the databases' entries alone (`used_memory_dataset`). */
export function datasetMemory(server: ServerCore): number {
  return server.memory.used;
}

interface Candidate {
  db: Database;
  key: string;
  score: number;
}

/**
 * Redis's eviction pool: the best candidates seen by sampling, ascending by
 * score (the best last), kept across evictions so a few samples per round
 * still approximate the true LRU/LFU/TTL order.
 */
export class EvictionPool {
  readonly #slots: Candidate[] = [];

  /** Offers a sampled key; kept when the pool has room or `score` beats its worst. */
  offer(db: Database, key: string, score: number): void {
    const slots = this.#slots;
    if (slots.length === POOL_SIZE && score <= slots[0].score) return;
    for (const slot of slots) if (slot.key === key && slot.db === db) return;
    let i = slots.length;
    while (i > 0 && slots[i - 1].score > score) i--;
    slots.splice(i, 0, { db, key, score });
    if (slots.length > POOL_SIZE) slots.shift();
  }

  /** Takes the best candidate out of the pool. */
  pop(): Candidate | undefined {
    return this.#slots.pop();
  }

  /** Empties the pool (the policy changed). */
  clear(): void {
    this.#slots.length = 0;
  }
}

const pools = new WeakMap<ServerCore, EvictionPool>();
const nextDb = new WeakMap<ServerCore, number>();

function poolOf(server: ServerCore): EvictionPool {
  let pool = pools.get(server);
  if (pool === undefined) {
    pool = new EvictionPool();
    pools.set(server, pool);
  }
  return pool;
}

/** Forgets the pooled candidates (call when the policy changes). */
export function resetEvictionPool(server: ServerCore): void {
  pools.get(server)?.clear();
}

function score(db: Database, key: string, policy: string, volatile: boolean): number | null {
  const entry = db.peek(key);
  if (entry === undefined || (volatile && entry.expiresAt === 0)) return null;
  if (policy.endsWith("-lru")) return db.memory.clock - (entry.lru ?? 0);
  if (policy.endsWith("-lfu")) return 255 - db.lfuCounter(entry);
  // volatile-ttl: the sooner the expiry, the better the candidate.
  return -entry.expiresAt;
}

/** Picks the next key to evict, or null when no key qualifies. */
function pickVictim(server: ServerCore, policy: string): Candidate | null {
  const volatile = policy.startsWith("volatile-");
  const databases = server.databases;
  if (policy.endsWith("-random")) {
    const start = nextDb.get(server) ?? 0;
    for (let i = 0; i < databases.length; i++) {
      const db = databases[(start + i) % databases.length];
      const key = volatile ? db.randomVolatileKey() : db.randomKey();
      if (key === undefined) continue;
      nextDb.set(server, (start + i + 1) % databases.length);
      return { db, key, score: 0 };
    }
    return null;
  }
  const pool = poolOf(server);
  const samples = Math.min(server.config.maxmemorySamples, MAX_SAMPLES);
  for (;;) {
    let keys = 0;
    for (const db of databases) {
      const size = volatile ? db.volatileSize : db.size;
      if (size === 0) continue;
      keys += size;
      for (const key of db.sampleKeys(samples, volatile)) {
        const value = score(db, key, policy, volatile);
        if (value !== null) pool.offer(db, key, value);
      }
    }
    if (keys === 0) return null;
    // The best pooled key that still exists (and, for volatile-*, still has a TTL).
    for (let candidate = pool.pop(); candidate !== undefined; candidate = pool.pop()) {
      const entry = candidate.db.peek(candidate.key);
      if (entry !== undefined && (!volatile || entry.expiresAt !== 0)) return candidate;
    }
  }
}

/**
 * Evicts keys, per `maxmemory-policy`, until the accounted memory is within
 * `maxmemory` (Redis's `performEvictions`).
 *
 * @param server The server.
 * @returns `"ok"` (within the limit), `"running"` (over it, but the time
 *   budget ran out while keys were still being evicted: the cron continues) or
 *   `"fail"` (over it and nothing can be evicted).
 */
export function performEvictions(server: ServerCore): EvictionResult {
  const limit = server.config.maxmemory;
  if (limit === 0) return "ok";
  let used = usedMemory(server);
  if (used > server.stats.usedMemoryPeak) server.stats.usedMemoryPeak = used;
  if (used <= limit) return "ok";
  const policy = server.config.maxmemoryPolicy;
  if (policy === "noeviction") return "fail";
  // The LRU clock is the cron's (100 ms steps; Redis's is 1 s): bring it to now
  // so idle times are measured from the present.
  const start = Date.now();
  server.memory.clock = start;
  while (used > limit) {
    const victim = pickVictim(server, policy);
    if (victim === null) return "fail";
    victim.db.delete(victim.key);
    server.stats.evictedKeys++;
    used = usedMemory(server);
    if (used > limit && Date.now() - start >= EVICTION_BUDGET_MS) return "running";
  }
  return "ok";
}

/**
 * The memory part of the server's cron (every 100 ms): records the peak of
 * used memory and, while `maxmemory` is set, carries on an eviction that ran
 * out of its time budget.
 *
 * @param server The server.
 */
export function memoryCron(server: ServerCore): void {
  if (server.config.maxmemory !== 0) {
    performEvictions(server);
    return;
  }
  const used = usedMemory(server);
  if (used > server.stats.usedMemoryPeak) server.stats.usedMemoryPeak = used;
}

/** The slice of a client the OOM gate reads. */
export interface OomGateClient {
  /** The commands queued by MULTI, or null outside a transaction. */
  readonly multi: readonly { readonly command: Command }[] | null;
}

/**
 * The maxmemory gate of Redis's `processCommand`: evicts what the policy
 * allows, then tells whether `command` must be refused with
 * {@linkcode OOM_ERROR}. Call it only while `maxmemory` is set.
 *
 * Refused when memory could not be freed and the command is `denyoom`, or is
 * queued inside MULTI (anything but EXEC, DISCARD, QUIT, RESET: queueing would
 * grow memory unbounded), or is EXEC of a transaction holding a `denyoom`
 * command.
 *
 * @param server The server.
 * @param client The calling client.
 * @param command The command about to run or be queued.
 * @returns true when the command must be refused.
 */
export function refuseForMemory(
  server: ServerCore,
  client: OomGateClient,
  command: Command,
): boolean {
  if (performEvictions(server) !== "fail") return false;
  if (command.spec.flags.includes("denyoom")) return true;
  const name = command.spec.name;
  const multi = client.multi;
  if (multi === null) return false;
  if (name === "exec") return multi.some((queued) => queued.command.spec.flags.includes("denyoom"));
  return name !== "discard" && name !== "quit" && name !== "reset";
}
