/**
 * The set commands of the embedded server (SADD, SMEMBERS, SPOP, SINTER,
 * SUNIONSTORE, SSCAN...), with Redis 7.0 replies and errors.
 *
 * Sets are `Set`s of latin1 binary strings. Redis 7.0 keeps small sets of
 * integers as a sorted `intset` and replies their members in numeric order;
 * {@linkcode orderedMembers} reproduces that order, other sets reply in
 * insertion order (Redis's hash table order is unspecified).
 *
 * @module
 */

import { fromKey, SYNTAX_ERROR, toKey, WRONGTYPE } from "../args.ts";
import { ALL_KEYS, command, NO_KEYS, ONE_KEY } from "../define.ts";
import { setEntry } from "../keyspace.ts";
import { RandomSet } from "../random_access.ts";
import type { CommandContext, CommandSpec, SetEntry } from "../types.ts";
import {
  deleteOrTouch,
  isOpt,
  LONG_MAX,
  matches,
  parsePositiveLong,
  parseRangeLong,
  randomIndex,
  readEntry,
  removeMembers,
  sampleIndexes,
  scanContainer,
  scanReplyHeader,
  startScan,
  storeResult,
} from "./_collections.ts";

/** Redis's `set-max-intset-entries`. */
const MAX_INTSET_ENTRIES = 512;

/** True when `s` is an integer Redis's `string2ll` accepts (int64, canonical). */
function isIntString(s: string): boolean {
  const length = s.length;
  if (length === 0 || length > 20) return false;
  if (length === 1) return s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57;
  let i = 0;
  if (s.charCodeAt(0) === 45) i = 1;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  const digits = length - i;
  if (digits < 19) return true;
  if (digits > 19) return false;
  return i === 1 ? s.slice(1) <= "9223372036854775808" : s <= "9223372036854775807";
}

/** Numeric comparison of two canonical integer strings. */
function compareIntStrings(a: string, b: string): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  let order = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  if (an) order = -order;
  return order;
}

/**
 * The members of `set` in the order Redis 7.0 would list them: numeric order
 * for a small all-integer set (an intset), else insertion order.
 */
export function orderedMembers(set: Set<string>): Iterable<string> {
  if (set.size > MAX_INTSET_ENTRIES || set.size < 2) return set;
  for (const member of set) if (!isIntString(member)) return set;
  return [...set].sort(compareIntStrings);
}

/** The set under `key`: the entry, `undefined` when missing, `null` after WRONGTYPE. */
function readSet(ctx: CommandContext, key: string): SetEntry | undefined | null {
  return readEntry(ctx, key, "set");
}

function writeMembers(ctx: CommandContext, members: Iterable<string>, size: number): void {
  ctx.reply.setHeader(size);
  for (const member of members) ctx.reply.bulk(fromKey(member));
}

function sadd(ctx: CommandContext): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  const entry = ctx.db.get(key);
  let added = 0;
  if (entry === undefined) {
    const created = setEntry();
    const set = created.value;
    for (let i = 2; i < args.length; i++) set.add(toKey(args[i]));
    added = set.size;
    ctx.db.set(key, created);
  } else if (entry.type !== "set") {
    ctx.reply.error(WRONGTYPE);
    return;
  } else {
    const set = entry.value;
    const before = set.size;
    for (let i = 2; i < args.length; i++) set.add(toKey(args[i]));
    added = set.size - before;
    if (added !== 0) ctx.db.touch(key);
  }
  ctx.reply.integer(added);
}

function smembers(ctx: CommandContext): void {
  const entry = readSet(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.setHeader(0);
    return;
  }
  writeMembers(ctx, orderedMembers(entry.value), entry.value.size);
}

function sismember(ctx: CommandContext): void {
  const entry = readSet(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.has(toKey(ctx.args[2])) ? 1 : 0);
}

function smismember(ctx: CommandContext): void {
  const entry = readSet(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const args = ctx.args;
  ctx.reply.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    ctx.reply.integer(entry?.value.has(toKey(args[i])) ? 1 : 0);
  }
}

function scard(ctx: CommandContext): void {
  const entry = readSet(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.size ?? 0);
}

function spop(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length > 3) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  if (args.length === 3) {
    spopWithCount(ctx);
    return;
  }
  const key = toKey(args[1]);
  const entry = readSet(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    reply.nullBulk();
    return;
  }
  const set = entry.value;
  const member = set.randomKey();
  set.delete(member);
  deleteOrTouch(ctx, key, set.size);
  reply.bulk(fromKey(member));
}

function spopWithCount(ctx: CommandContext): void {
  const reply = ctx.reply;
  const count = parsePositiveLong(reply, ctx.args[2]);
  if (count === null) return;
  const key = toKey(ctx.args[1]);
  const entry = readSet(ctx, key);
  if (entry === null) return;
  if (entry === undefined || count === 0) {
    reply.setHeader(0);
    return;
  }
  const set = entry.value;
  const size = set.size;
  if (count >= size) {
    writeMembers(ctx, orderedMembers(set), size);
    ctx.db.delete(key);
    return;
  }
  // Members first: each delete moves another member into the freed position.
  const picked = sampleIndexes(size, count).map((index) => set.keyAt(index));
  // Random order, like Redis's hash table extraction.
  for (let i = picked.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  reply.setHeader(count);
  for (const member of picked) {
    set.delete(member);
    reply.bulk(fromKey(member));
  }
  ctx.db.touch(key);
}

function srandmember(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length > 3) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  if (args.length === 2) {
    const entry = readSet(ctx, toKey(args[1]));
    if (entry === null) return;
    if (entry === undefined) reply.nullBulk();
    else reply.bulk(fromKey(entry.value.randomKey()));
    return;
  }
  const value = parseRangeLong(reply, args[2], -LONG_MAX, LONG_MAX);
  if (value === null) return;
  const unique = value >= 0;
  const count = unique ? value : -value;
  const entry = readSet(ctx, toKey(args[1]));
  if (entry === null) return;
  if (entry === undefined || count === 0) {
    reply.arrayHeader(0);
    return;
  }
  const set = entry.value;
  const size = set.size;
  if (!unique || count === 1) {
    reply.arrayHeader(count);
    for (let i = 0; i < count; i++) reply.bulk(fromKey(set.randomKey()));
    return;
  }
  if (count >= size) {
    reply.arrayHeader(size);
    for (const member of orderedMembers(set)) reply.bulk(fromKey(member));
    return;
  }
  reply.arrayHeader(count);
  for (const index of sampleIndexes(size, count)) reply.bulk(fromKey(set.keyAt(index)));
}

function smove(ctx: CommandContext): void {
  const sourceKey = toKey(ctx.args[1]);
  const destinationKey = toKey(ctx.args[2]);
  const source = ctx.db.get(sourceKey);
  const destination = ctx.db.get(destinationKey);
  if (source === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (source.type !== "set" || (destination !== undefined && destination.type !== "set")) {
    ctx.reply.error(WRONGTYPE);
    return;
  }
  const member = toKey(ctx.args[3]);
  if (source === destination) {
    ctx.reply.integer(source.value.has(member) ? 1 : 0);
    return;
  }
  if (!source.value.delete(member)) {
    ctx.reply.integer(0);
    return;
  }
  deleteOrTouch(ctx, sourceKey, source.value.size);
  if (destination === undefined) {
    const created = setEntry();
    created.value.add(member);
    ctx.db.set(destinationKey, created);
  } else if (!destination.value.has(member)) {
    destination.value.add(member);
    ctx.db.touch(destinationKey);
  }
  ctx.reply.integer(1);
}

/**
 * Looks up every set of `keyArgs`; `undefined` entries for missing keys.
 * Returns `null` after replying WRONGTYPE.
 */
function lookupSets(
  ctx: CommandContext,
  keyArgs: readonly Uint8Array[],
): (Set<string> | undefined)[] | null {
  const sets: (Set<string> | undefined)[] = [];
  for (const keyArg of keyArgs) {
    const entry = ctx.db.get(toKey(keyArg));
    if (entry === undefined) {
      sets.push(undefined);
      continue;
    }
    if (entry.type !== "set") {
      ctx.reply.error(WRONGTYPE);
      return null;
    }
    sets.push(entry.value);
  }
  return sets;
}

/** SINTER, SINTERSTORE and SINTERCARD. */
function sinterGeneric(
  ctx: CommandContext,
  keyArgs: readonly Uint8Array[],
  destination: string | null,
  cardinalityOnly: boolean,
  limit: number,
): void {
  const found = lookupSets(ctx, keyArgs);
  if (found === null) return;
  const reply = ctx.reply;
  if (found.includes(undefined)) {
    if (destination !== null) {
      ctx.db.delete(destination);
      reply.integer(0);
    } else if (cardinalityOnly) {
      reply.integer(0);
    } else {
      reply.setHeader(0);
    }
    return;
  }
  const sets = (found as Set<string>[]).slice().sort((a, b) => a.size - b.size);
  const [smallest, ...others] = sets;
  let cardinality = 0;
  const result: string[] = [];
  for (const member of orderedMembers(smallest)) {
    let everywhere = true;
    for (const other of others) {
      if (other !== smallest && !other.has(member)) {
        everywhere = false;
        break;
      }
    }
    if (!everywhere) continue;
    if (cardinalityOnly) {
      cardinality++;
      if (limit !== 0 && cardinality >= limit) break;
    } else {
      result.push(member);
    }
  }
  if (cardinalityOnly) reply.integer(cardinality);
  else if (destination !== null) storeResult(ctx, destination, setEntry(new RandomSet(result)));
  else writeMembers(ctx, result, result.length);
}

const UNION = 0;
const DIFF = 1;

/** SUNION, SDIFF and their STORE forms. */
function sunionDiffGeneric(
  ctx: CommandContext,
  keyArgs: readonly Uint8Array[],
  destination: string | null,
  op: number,
): void {
  const sets = lookupSets(ctx, keyArgs);
  if (sets === null) return;
  let result: RandomSet;
  if (op === UNION) {
    result = new RandomSet();
    for (const set of sets) if (set !== undefined) { for (const member of set) result.add(member); }
  } else {
    result = new RandomSet();
    const first = sets[0];
    if (first !== undefined) {
      for (const member of first) {
        let keep = true;
        for (let i = 1; i < sets.length; i++) {
          const other = sets[i];
          if (other !== undefined && other.has(member)) {
            keep = false;
            break;
          }
        }
        if (keep) result.add(member);
      }
    }
  }
  if (destination !== null) storeResult(ctx, destination, setEntry(result));
  else writeMembers(ctx, orderedMembers(result), result.size);
}

function sintercard(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  const numkeys = parseRangeLong(
    reply,
    args[1],
    1n,
    LONG_MAX,
    "ERR numkeys should be greater than 0",
  );
  if (numkeys === null) return;
  if (numkeys > args.length - 2) {
    reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  let limit = 0;
  for (let j = 2 + numkeys; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (more >= 1 && isOpt(args[j], "limit")) {
      j++;
      const parsed = parsePositiveLong(reply, args[j], "ERR LIMIT can't be negative");
      if (parsed === null) return;
      limit = parsed;
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  sinterGeneric(ctx, args.slice(2, 2 + numkeys), null, true, limit);
}

function sscan(ctx: CommandContext): void {
  const scan = startScan(ctx, "set");
  if (scan === null) return;
  const { cursor, options } = scan;
  const reply = ctx.reply;
  const set = scan.entry.value;
  let next = 0;
  let members = orderedMembers(set);
  if (members === set) [next, members] = scanContainer(set, cursor, options.count);
  const out: string[] = [];
  for (const member of members) if (matches(options.pattern, member)) out.push(member);
  scanReplyHeader(reply, next, out.length);
  for (const member of out) reply.bulk(fromKey(member));
}

const WRITE_FAST: CommandSpec["flags"] = ["write", "denyoom", "fast"];
const READ_FAST: CommandSpec["flags"] = ["readonly", "fast"];
const READ: CommandSpec["flags"] = ["readonly"];
const WRITE: CommandSpec["flags"] = ["write", "denyoom"];

/** The set commands. */
export const setCommands: readonly CommandSpec[] = [
  command("sadd", -3, WRITE_FAST, ONE_KEY, sadd),
  command("srem", -3, ["write", "fast"], ONE_KEY, (ctx) => removeMembers(ctx, "set")),
  command("smembers", 2, READ, ONE_KEY, smembers),
  command("sismember", 3, READ_FAST, ONE_KEY, sismember),
  command("smismember", -3, READ_FAST, ONE_KEY, smismember),
  command("scard", 2, READ_FAST, ONE_KEY, scard),
  command("spop", -2, ["write", "fast"], ONE_KEY, spop),
  command("srandmember", -2, READ, ONE_KEY, srandmember),
  command("smove", 4, ["write", "fast"], [1, 2, 1], smove),
  command(
    "sinter",
    -2,
    READ,
    ALL_KEYS,
    (ctx) => sinterGeneric(ctx, ctx.args.slice(1), null, false, 0),
  ),
  command("sintercard", -3, READ, NO_KEYS, sintercard),
  command(
    "sinterstore",
    -3,
    WRITE,
    ALL_KEYS,
    (ctx) => sinterGeneric(ctx, ctx.args.slice(2), toKey(ctx.args[1]), false, 0),
  ),
  command(
    "sunion",
    -2,
    READ,
    ALL_KEYS,
    (ctx) => sunionDiffGeneric(ctx, ctx.args.slice(1), null, UNION),
  ),
  command(
    "sunionstore",
    -3,
    WRITE,
    ALL_KEYS,
    (ctx) => sunionDiffGeneric(ctx, ctx.args.slice(2), toKey(ctx.args[1]), UNION),
  ),
  command(
    "sdiff",
    -2,
    READ,
    ALL_KEYS,
    (ctx) => sunionDiffGeneric(ctx, ctx.args.slice(1), null, DIFF),
  ),
  command(
    "sdiffstore",
    -3,
    WRITE,
    ALL_KEYS,
    (ctx) => sunionDiffGeneric(ctx, ctx.args.slice(2), toKey(ctx.args[1]), DIFF),
  ),
  command("sscan", -3, READ, ONE_KEY, sscan),
];
