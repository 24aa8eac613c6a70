/**
 * The list commands of the embedded server: pushes and pops at both ends,
 * ranges, LPOS, LMOVE, LMPOP and the blocking BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH and BLMPOP, with Redis 7.0 replies and errors.
 *
 * Blocking commands follow Redis 7.0: a woken client is served from the key
 * that became ready (when the server names it) and stays blocked when that
 * key holds another type; BLMOVE checks its destination type only when it
 * is served.
 *
 * @module
 */

import { INDEX_OUT_OF_RANGE, NO_SUCH_KEY, SYNTAX_ERROR, toKey, WRONGTYPE } from "../args.ts";
import type { ByteList } from "../byte_list.ts";
import { listEntry } from "../keyspace.ts";
import { command, NO_KEYS, ONE_KEY } from "../define.ts";
import type { CommandContext, CommandSpec, ListEntry } from "../types.ts";
import {
  deleteOrTouch,
  isOpt,
  parseLong,
  parseMpop,
  parsePositiveLong,
  parseTimeout,
  readEntry,
} from "./_collections.ts";

// The ends of a list, in the order `parseMpop` numbers LEFT and RIGHT.
const HEAD = 0;
const TAIL = 1;
const LEFT_RIGHT = ["left", "right"] as const;

/** The list under `key`: the entry, `undefined` when missing, `null` after WRONGTYPE. */
function readList(ctx: CommandContext, key: string): ListEntry | undefined | null {
  return readEntry(ctx, key, "list");
}

function push(ctx: CommandContext, where: number, onlyExisting: boolean): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  const entry = ctx.db.get(key);
  let list: ByteList;
  if (entry === undefined) {
    if (onlyExisting) {
      ctx.reply.integer(0);
      return;
    }
    const created = listEntry();
    list = created.value;
    fill(list, args, where);
    ctx.db.set(key, created);
  } else if (entry.type !== "list") {
    ctx.reply.error(WRONGTYPE);
    return;
  } else {
    list = entry.value;
    fill(list, args, where);
    ctx.db.touch(key);
  }
  ctx.reply.integer(list.length);
}

function fill(list: ByteList, args: Uint8Array[], where: number): void {
  if (where === HEAD) { for (let i = 2; i < args.length; i++) list.pushFront(args[i]); }
  else for (let i = 2; i < args.length; i++) list.pushBack(args[i]);
}

function pop(ctx: CommandContext, where: number): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length > 3) {
    reply.error(`ERR wrong number of arguments for '${where === HEAD ? "lpop" : "rpop"}' command`);
    return;
  }
  let count = -1;
  if (args.length === 3) {
    const parsed = parsePositiveLong(reply, args[2]);
    if (parsed === null) return;
    count = parsed;
  }
  const key = toKey(args[1]);
  const entry = readList(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    if (count === -1) reply.nullBulk();
    else reply.nullArray();
    return;
  }
  const list = entry.value;
  if (count === -1) {
    reply.bulk((where === HEAD ? list.popFront() : list.popBack())!);
  } else if (count === 0) {
    reply.arrayHeader(0);
    return;
  } else {
    const n = Math.min(count, list.length);
    reply.arrayHeader(n);
    for (let i = 0; i < n; i++) reply.bulk((where === HEAD ? list.popFront() : list.popBack())!);
  }
  deleteOrTouch(ctx, key, list.length);
}

function llen(ctx: CommandContext): void {
  const entry = readList(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.length ?? 0);
}

function lindex(ctx: CommandContext): void {
  const entry = readList(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const index = parseLong(ctx.reply, ctx.args[2]);
  if (index === null) return;
  const value = entry.value.at(index);
  if (value === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
}

function lset(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = readList(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.error(NO_SUCH_KEY);
    return;
  }
  const index = parseLong(ctx.reply, ctx.args[2]);
  if (index === null) return;
  const list = entry.value;
  const position = index < 0 ? list.length + index : index;
  if (position < 0 || position >= list.length) {
    ctx.reply.error(INDEX_OUT_OF_RANGE);
    return;
  }
  list.set(position, ctx.args[3]);
  ctx.db.touch(key);
  ctx.reply.simple("OK");
}

/** Normalizes a Redis range; returns `[start, end]` or `null` when empty. */
function normalizeRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  if (end >= length) end = length - 1;
  return [start, end];
}

function lrange(ctx: CommandContext): void {
  const reply = ctx.reply;
  const start = parseLong(reply, ctx.args[2]);
  if (start === null) return;
  const end = parseLong(reply, ctx.args[3]);
  if (end === null) return;
  const entry = readList(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  if (entry === undefined) {
    reply.arrayHeader(0);
    return;
  }
  const list = entry.value;
  const range = normalizeRange(start, end, list.length);
  if (range === null) {
    reply.arrayHeader(0);
    return;
  }
  reply.arrayHeader(range[1] - range[0] + 1);
  list.writeBulks(range[0], range[1], (bytes) => reply.raw(bytes));
}

function ltrim(ctx: CommandContext): void {
  const reply = ctx.reply;
  const start = parseLong(reply, ctx.args[2]);
  if (start === null) return;
  const end = parseLong(reply, ctx.args[3]);
  if (end === null) return;
  const key = toKey(ctx.args[1]);
  const entry = readList(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    reply.simple("OK");
    return;
  }
  const list = entry.value;
  const length = list.length;
  const range = normalizeRange(start, end, length);
  if (range === null) {
    ctx.db.delete(key);
  } else {
    const left = range[0];
    const right = length - range[1] - 1;
    if (left + right > (length >> 1)) {
      list.trim(left, range[1]);
    } else {
      for (let i = 0; i < left; i++) list.popFront();
      for (let i = 0; i < right; i++) list.popBack();
    }
    deleteOrTouch(ctx, key, list.length);
  }
  reply.simple("OK");
}

function lrem(ctx: CommandContext): void {
  const count = parseLong(ctx.reply, ctx.args[2]);
  if (count === null) return;
  const key = toKey(ctx.args[1]);
  const entry = readList(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const list = entry.value;
  const element = ctx.args[3];
  const length = list.length;
  // The matches to remove are the first |count| from the head (count > 0),
  // from the tail (count < 0), or all: those at or after `first`, up to `limit`.
  const limit = count === 0 ? length : Math.abs(count);
  let first = 0;
  let matches = 0;
  if (count >= 0) {
    for (let i = 0; i < length && matches === 0; i++) if (list.equalsAt(i, element)) matches++;
  } else {
    for (let i = length - 1; i >= 0 && matches < limit; i--) {
      if (list.equalsAt(i, element)) {
        matches++;
        first = i;
      }
    }
  }
  // One rebuild, and only when something goes.
  const removed = matches === 0 ? 0 : list.removeEqual(element, first, limit);
  if (removed !== 0) deleteOrTouch(ctx, key, list.length);
  ctx.reply.integer(removed);
}

function linsert(ctx: CommandContext): void {
  const args = ctx.args;
  let after: boolean;
  if (isOpt(args[2], "after")) after = true;
  else if (isOpt(args[2], "before")) after = false;
  else {
    ctx.reply.error(SYNTAX_ERROR);
    return;
  }
  const key = toKey(args[1]);
  const entry = readList(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const list = entry.value;
  const pivot = args[3];
  const length = list.length;
  let found = -1;
  for (let i = 0; i < length; i++) {
    if (list.equalsAt(i, pivot)) {
      found = i;
      break;
    }
  }
  if (found === -1) {
    ctx.reply.integer(-1);
    return;
  }
  const position = after ? found + 1 : found;
  list.insert(position, args[4]);
  ctx.db.touch(key);
  ctx.reply.integer(list.length);
}

function lpos(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  const element = args[2];
  let rank = 1;
  let rankIsMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (more >= 1 && isOpt(args[j], "rank")) {
      j++;
      const parsed = parseLong(reply, args[j]);
      if (parsed === null) return;
      if (parsed === 0) {
        reply.error(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
        return;
      }
      rank = parsed;
      // -LONG_MIN overflows in C and stays negative: every match qualifies.
      rankIsMin = toKey(args[j]) === "-9223372036854775808";
    } else if (more >= 1 && isOpt(args[j], "count")) {
      j++;
      const parsed = parsePositiveLong(reply, args[j], "ERR COUNT can't be negative");
      if (parsed === null) return;
      count = parsed;
    } else if (more >= 1 && isOpt(args[j], "maxlen")) {
      j++;
      const parsed = parsePositiveLong(reply, args[j], "ERR MAXLEN can't be negative");
      if (parsed === null) return;
      maxlen = parsed;
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  let fromTail = false;
  if (rank < 0) {
    rank = rankIsMin ? 1 : -rank;
    fromTail = true;
  }
  const entry = readList(ctx, toKey(args[1]));
  if (entry === null) return;
  if (entry === undefined) {
    if (count !== -1) reply.arrayHeader(0);
    else reply.nullBulk();
    return;
  }
  const list = entry.value;
  const length = list.length;
  const found: number[] = [];
  let matchesSeen = 0;
  for (let index = 0; index < length && (maxlen === 0 || index < maxlen); index++) {
    const position = fromTail ? length - 1 - index : index;
    if (!list.equalsAt(position, element)) continue;
    matchesSeen++;
    if (matchesSeen < rank) continue;
    found.push(position);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count !== -1) {
    reply.arrayHeader(found.length);
    for (const position of found) reply.integer(position);
  } else if (found.length !== 0) {
    reply.integer(found[0]);
  } else {
    reply.nullBulk();
  }
}

/** Parses LEFT/RIGHT; `-1` after replying a syntax error. */
function parseWhere(ctx: CommandContext, bytes: Uint8Array): number {
  if (isOpt(bytes, "left")) return HEAD;
  if (isOpt(bytes, "right")) return TAIL;
  ctx.reply.error(SYNTAX_ERROR);
  return -1;
}

/**
 * Moves one element from the non-empty list `source` to `destination` and
 * replies with it. Checks the destination type first (WRONGTYPE reply).
 */
function moveElement(
  ctx: CommandContext,
  sourceKey: string,
  source: ListEntry,
  destinationKey: string,
  from: number,
  to: number,
): void {
  const destination = ctx.db.get(destinationKey);
  if (destination !== undefined && destination.type !== "list") {
    ctx.reply.error(WRONGTYPE);
    return;
  }
  const list = source.value;
  const value = (from === HEAD ? list.popFront() : list.popBack())!;
  if (destination === undefined) {
    const created = listEntry();
    created.value.pushBack(value);
    ctx.db.set(destinationKey, created);
  } else {
    if (to === HEAD) destination.value.pushFront(value);
    else destination.value.pushBack(value);
    ctx.db.touch(destinationKey);
  }
  if (list.length === 0) ctx.db.delete(sourceKey);
  else ctx.db.touch(sourceKey);
  ctx.reply.bulk(value);
}

function lmove(ctx: CommandContext, from: number, to: number): void {
  const sourceKey = toKey(ctx.args[1]);
  const source = readList(ctx, sourceKey);
  if (source === null) return;
  if (source === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  moveElement(ctx, sourceKey, source, toKey(ctx.args[2]), from, to);
}

function lmoveCommand(ctx: CommandContext): void {
  const from = parseWhere(ctx, ctx.args[3]);
  if (from === -1) return;
  const to = parseWhere(ctx, ctx.args[4]);
  if (to === -1) return;
  lmove(ctx, from, to);
}

/** Pops up to `count` elements from `key` and replies `[key, [elements]]`. */
function popRangeWithKey(
  ctx: CommandContext,
  key: string,
  keyBytes: Uint8Array,
  entry: ListEntry,
  where: number,
  count: number,
): void {
  const reply = ctx.reply;
  const list = entry.value;
  const n = Math.min(count, list.length);
  reply.arrayHeader(2);
  reply.bulk(keyBytes);
  reply.arrayHeader(n);
  for (let i = 0; i < n; i++) reply.bulk((where === HEAD ? list.popFront() : list.popBack())!);
  deleteOrTouch(ctx, key, list.length);
}

/** Pops one element from `key` and replies `[key, element]`. */
function popOneWithKey(
  ctx: CommandContext,
  key: string,
  keyBytes: Uint8Array,
  entry: ListEntry,
  where: number,
): void {
  const list = entry.value;
  const value = (where === HEAD ? list.popFront() : list.popBack())!;
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(keyBytes);
  ctx.reply.bulk(value);
  deleteOrTouch(ctx, key, list.length);
}

/**
 * Serves a (blocking) pop from the first non-empty list among `keys`.
 * `count` -1 means BLPOP/BRPOP (`[key, element]`), otherwise LMPOP's
 * `[key, [elements]]`. Returns true when it replied (served or WRONGTYPE).
 */
function servePop(
  ctx: CommandContext,
  keys: readonly string[],
  keyArgs: readonly Uint8Array[],
  where: number,
  count: number,
): boolean {
  for (let i = 0; i < keys.length; i++) {
    const entry = ctx.db.get(keys[i]);
    if (entry === undefined) continue;
    if (entry.type !== "list") {
      ctx.reply.error(WRONGTYPE);
      return true;
    }
    if (count === -1) popOneWithKey(ctx, keys[i], keyArgs[i], entry, where);
    else popRangeWithKey(ctx, keys[i], keyArgs[i], entry, where, count);
    return true;
  }
  return false;
}

/**
 * The `retry` of a blocked pop: like Redis 7.0, only the ready key is looked
 * at (every key when the server does not say which), and a key holding
 * another type keeps the client blocked.
 */
function retryPop(
  keys: readonly string[],
  keyArgs: readonly Uint8Array[],
  where: number,
  count: number,
): (ctx: CommandContext, readyKey?: string) => boolean {
  return (ctx, readyKey) => {
    for (let i = 0; i < keys.length; i++) {
      if (readyKey !== undefined && keys[i] !== readyKey) continue;
      const entry = ctx.db.get(keys[i]);
      if (entry === undefined || entry.type !== "list") continue;
      if (count === -1) popOneWithKey(ctx, keys[i], keyArgs[i], entry, where);
      else popRangeWithKey(ctx, keys[i], keyArgs[i], entry, where, count);
      return true;
    }
    return false;
  };
}

function blockingPop(
  ctx: CommandContext,
  keyArgs: Uint8Array[],
  where: number,
  count: number,
  timeoutMs: number,
): void {
  const keys = keyArgs.map(toKey);
  if (servePop(ctx, keys, keyArgs, where, count)) return;
  ctx.block({ keys, timeoutMs, retry: retryPop(keys, keyArgs, where, count) });
}

function bpop(ctx: CommandContext, where: number): void {
  const args = ctx.args;
  const timeout = parseTimeout(ctx.reply, args[args.length - 1]);
  if (timeout === null) return;
  blockingPop(ctx, args.slice(1, args.length - 1), where, -1, timeout);
}

function blmoveGeneric(ctx: CommandContext, from: number, to: number, timeoutMs: number): void {
  const sourceKey = toKey(ctx.args[1]);
  const source = readList(ctx, sourceKey);
  if (source === null) return;
  if (source !== undefined) {
    moveElement(ctx, sourceKey, source, toKey(ctx.args[2]), from, to);
    return;
  }
  if (ctx.client.inTransaction) {
    // Inside MULTI, Redis replies a null bulk (a timeout replies a null array).
    ctx.reply.nullBulk();
    return;
  }
  const destinationKey = toKey(ctx.args[2]);
  ctx.block({
    keys: [sourceKey],
    timeoutMs,
    retry: (rctx, readyKey) => {
      if (readyKey !== undefined && readyKey !== sourceKey) return false;
      const entry = rctx.db.get(sourceKey);
      if (entry === undefined || entry.type !== "list") return false;
      moveElement(rctx, sourceKey, entry, destinationKey, from, to);
      return true;
    },
  });
}

function blmove(ctx: CommandContext): void {
  const from = parseWhere(ctx, ctx.args[3]);
  if (from === -1) return;
  const to = parseWhere(ctx, ctx.args[4]);
  if (to === -1) return;
  const timeout = parseTimeout(ctx.reply, ctx.args[5]);
  if (timeout === null) return;
  blmoveGeneric(ctx, from, to, timeout);
}

function brpoplpush(ctx: CommandContext): void {
  const timeout = parseTimeout(ctx.reply, ctx.args[3]);
  if (timeout === null) return;
  blmoveGeneric(ctx, TAIL, HEAD, timeout);
}

/** LMPOP (`numkeysIndex` 1) and BLMPOP (`numkeysIndex` 2). */
function lmpop(ctx: CommandContext, numkeysIndex: number, blocking: boolean): void {
  const reply = ctx.reply;
  const parsed = parseMpop(reply, ctx.args, numkeysIndex, LEFT_RIGHT);
  if (parsed === null) return;
  const { keyArgs, where, count } = parsed;
  if (blocking) {
    const timeout = parseTimeout(reply, ctx.args[1]);
    if (timeout === null) return;
    blockingPop(ctx, keyArgs, where, count, timeout);
    return;
  }
  const keys = keyArgs.map(toKey);
  if (!servePop(ctx, keys, keyArgs, where, count)) reply.nullArray();
}

const WRITE_FAST: CommandSpec["flags"] = ["write", "denyoom", "fast"];
const WRITE: CommandSpec["flags"] = ["write"];
const READ_FAST: CommandSpec["flags"] = ["readonly", "fast"];
const READ: CommandSpec["flags"] = ["readonly"];
const BLOCKING: CommandSpec["flags"] = ["write", "noscript", "blocking"];

/** The list commands. */
export const listCommands: readonly CommandSpec[] = [
  command("lpush", -3, WRITE_FAST, ONE_KEY, (ctx) => push(ctx, HEAD, false)),
  command("rpush", -3, WRITE_FAST, ONE_KEY, (ctx) => push(ctx, TAIL, false)),
  command("lpushx", -3, WRITE_FAST, ONE_KEY, (ctx) => push(ctx, HEAD, true)),
  command("rpushx", -3, WRITE_FAST, ONE_KEY, (ctx) => push(ctx, TAIL, true)),
  command("lpop", -2, ["write", "fast"], ONE_KEY, (ctx) => pop(ctx, HEAD)),
  command("rpop", -2, ["write", "fast"], ONE_KEY, (ctx) => pop(ctx, TAIL)),
  command("llen", 2, READ_FAST, ONE_KEY, llen),
  command("lindex", 3, READ, ONE_KEY, lindex),
  command("lset", 4, ["write", "denyoom"], ONE_KEY, lset),
  command("lrange", 4, READ, ONE_KEY, lrange),
  command("ltrim", 4, WRITE, ONE_KEY, ltrim),
  command("lrem", 4, WRITE, ONE_KEY, lrem),
  command("linsert", 5, ["write", "denyoom"], ONE_KEY, linsert),
  command("lpos", -3, READ, ONE_KEY, lpos),
  command("lmove", 5, ["write", "denyoom"], [1, 2, 1], lmoveCommand),
  command("rpoplpush", 3, ["write", "denyoom"], [1, 2, 1], (ctx) => lmove(ctx, TAIL, HEAD)),
  command("lmpop", -4, WRITE, NO_KEYS, (ctx) => lmpop(ctx, 1, false)),
  command("blpop", -3, BLOCKING, [1, -2, 1], (ctx) => bpop(ctx, HEAD)),
  command("brpop", -3, BLOCKING, [1, -2, 1], (ctx) => bpop(ctx, TAIL)),
  command("blmove", 6, ["write", "denyoom", "noscript", "blocking"], [1, 2, 1], blmove),
  command("brpoplpush", 4, ["write", "denyoom", "noscript", "blocking"], [1, 2, 1], brpoplpush),
  command("blmpop", -5, ["write", "blocking"], NO_KEYS, (ctx) => lmpop(ctx, 2, true)),
];
