/**
 * The sorted set commands of the embedded server: ZADD and friends, the
 * ZRANGE family (by rank, score and lex, reversed, limited, stored), pops
 * (ZPOPMIN, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP), the set
 * algebra (ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD), ZRANDMEMBER
 * and ZSCAN, with Redis 7.0 replies and errors. ZRANK/ZREVRANK also accept
 * Redis 7.2's WITHSCORE.
 *
 * Members are latin1 binary strings; equal scores order by member bytes.
 *
 * @module
 */

import { formatDouble17g, type ReplyWriter } from "../../protocol/reply_writer.ts";
import { fromKey, NOT_FLOAT, SYNTAX_ERROR, toKey, WRONGTYPE } from "../args.ts";
import { command, NO_KEYS, ONE_KEY } from "../define.ts";
import { zsetEntry } from "../keyspace.ts";
import { SortedSet } from "../sorted_set.ts";
import type { CommandContext, CommandSpec, ZSetEntry } from "../types.ts";
import {
  deleteOrTouch,
  isOpt,
  matches,
  parseDouble,
  parseLong,
  parseMpop,
  parsePositiveLong,
  parseRandomCount,
  parseTimeout,
  randomIndex,
  readEntry,
  removeMembers,
  sampleIndexes,
  scanContainer,
  scanReplyHeader,
  startScan,
  storeResult,
  strtod,
} from "./_collections.ts";
import { orderedMembers } from "./sets.ts";

// The ends of a zset, in the order `parseMpop` numbers MIN and MAX.
const MIN = 0;
const MAX = 1;
const MIN_MAX = ["min", "max"] as const;

/** The zset under `key`: the entry, `undefined` when missing, `null` after WRONGTYPE. */
function readZset(ctx: CommandContext, key: string): ZSetEntry | undefined | null {
  return readEntry(ctx, key, "zset");
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY

const IN_NX = 1;
const IN_XX = 2;
const IN_GT = 4;
const IN_LT = 8;
const IN_INCR = 16;

function zadd(ctx: CommandContext, baseFlags: number): void {
  const args = ctx.args;
  const reply = ctx.reply;
  let flags = baseFlags;
  let ch = false;
  let scoreIndex = 2;
  while (scoreIndex < args.length) {
    const opt = args[scoreIndex];
    if (isOpt(opt, "nx")) flags |= IN_NX;
    else if (isOpt(opt, "xx")) flags |= IN_XX;
    else if (isOpt(opt, "ch")) ch = true;
    else if (isOpt(opt, "incr")) flags |= IN_INCR;
    else if (isOpt(opt, "gt")) flags |= IN_GT;
    else if (isOpt(opt, "lt")) flags |= IN_LT;
    else break;
    scoreIndex++;
  }
  const incr = (flags & IN_INCR) !== 0;
  const nx = (flags & IN_NX) !== 0;
  const xx = (flags & IN_XX) !== 0;
  const gt = (flags & IN_GT) !== 0;
  const lt = (flags & IN_LT) !== 0;
  let elements = args.length - scoreIndex;
  if (elements % 2 !== 0 || elements === 0) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  elements /= 2;
  if (nx && xx) {
    reply.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && elements > 1) {
    reply.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  let firstScore = 0;
  let scores: number[] | null = null;
  for (let j = 0; j < elements; j++) {
    let score = parseDouble(args[scoreIndex + j * 2]);
    if (score === null) {
      reply.error(NOT_FLOAT);
      return;
    }
    score += 0; // -0 is stored as 0 (Redis's listpack keeps it as an integer)
    if (j === 0) firstScore = score;
    else (scores ??= [firstScore]).push(score);
  }
  const key = toKey(args[1]);
  const entry = ctx.db.get(key);
  let zset: SortedSet;
  let created = false;
  if (entry === undefined) {
    if (xx) {
      if (incr) reply.nullBulk();
      else reply.integer(0);
      return;
    }
    zset = new SortedSet();
    created = true;
  } else if (entry.type !== "zset") {
    reply.error(WRONGTYPE);
    return;
  } else {
    zset = entry.value;
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  let failed = false;
  for (let j = 0; j < elements; j++) {
    let score = scores === null ? firstScore : scores[j];
    const member = toKey(args[scoreIndex + 1 + j * 2]);
    const current = zset.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (incr) {
        score += current;
        if (Number.isNaN(score)) {
          failed = true;
          break;
        }
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      result = score;
      processed++;
      if (score !== current) {
        zset.add(member, score);
        updated++;
      }
    } else if (!xx) {
      zset.add(member, score);
      result = score;
      added++;
      processed++;
    }
  }
  if (added !== 0 || updated !== 0) {
    if (created) ctx.db.set(key, zsetEntry(zset));
    else ctx.db.touch(key);
  }
  if (failed) {
    reply.error("ERR resulting score is not a number (NaN)");
    return;
  }
  if (incr) {
    if (processed !== 0) reply.double(result);
    else reply.nullBulk();
  } else {
    reply.integer(ch ? added + updated : added);
  }
}

// ---------------------------------------------------------------------------
// Simple reads and removals

function zscore(ctx: CommandContext): void {
  const entry = readZset(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const score = entry?.value.score(toKey(ctx.args[2]));
  if (score === undefined) ctx.reply.nullBulk();
  else ctx.reply.double(score);
}

function zmscore(ctx: CommandContext): void {
  const entry = readZset(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const args = ctx.args;
  ctx.reply.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const score = entry?.value.score(toKey(args[i]));
    if (score === undefined) ctx.reply.nullBulk();
    else ctx.reply.double(score);
  }
}

function zcard(ctx: CommandContext): void {
  const entry = readZset(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  ctx.reply.integer(entry?.value.size ?? 0);
}

function zrank(ctx: CommandContext, reverse: boolean): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length > 4) {
    reply.error(`ERR wrong number of arguments for '${reverse ? "zrevrank" : "zrank"}' command`);
    return;
  }
  let withScore = false;
  if (args.length === 4) {
    if (!isOpt(args[3], "withscore")) {
      reply.error(SYNTAX_ERROR);
      return;
    }
    withScore = true;
  }
  const entry = readZset(ctx, toKey(args[1]));
  if (entry === null) return;
  const zset = entry?.value;
  const member = toKey(args[2]);
  const rank = zset?.rank(member);
  if (zset === undefined || rank === undefined) {
    if (withScore) reply.nullArray();
    else reply.nullBulk();
    return;
  }
  if (withScore) reply.arrayHeader(2);
  reply.integer(reverse ? zset.size - 1 - rank : rank);
  if (withScore) reply.double(zset.score(member)!);
}

// ---------------------------------------------------------------------------
// Ranges

/** A score range bound. */
interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseScoreBound(bytes: Uint8Array): { value: number; ex: boolean } | null {
  const ex = bytes.length > 0 && bytes[0] === 40;
  const value = strtod(ex ? bytes.subarray(1) : bytes);
  if (value === null || Number.isNaN(value)) return null;
  return { value, ex };
}

/** Redis's `zslParseRange`; `null` when either bound is not a float. */
function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange | null {
  const a = parseScoreBound(min);
  if (a === null) return null;
  const b = parseScoreBound(max);
  if (b === null) return null;
  return { min: a.value, minex: a.ex, max: b.value, maxex: b.ex };
}

/** Ascending ranks `[first, last]` of the members in a score range, or `null`. */
function scoreRankRange(zset: SortedSet, range: ScoreRange): [number, number] | null {
  if (range.min > range.max || (range.min === range.max && (range.minex || range.maxex))) {
    return null;
  }
  const first = zset.countScoreBelow(range.min, range.minex);
  const last = zset.countScoreBelow(range.max, !range.maxex) - 1;
  return first <= last ? [first, last] : null;
}

/** A lex range bound: `kind` -1 for `-`, 1 for `+`, 0 for a member. */
interface LexBound {
  kind: number;
  value: string;
  ex: boolean;
}

function parseLexBound(bytes: Uint8Array): LexBound | null {
  if (bytes.length === 0) return null;
  switch (bytes[0]) {
    case 43: // '+'
      return bytes.length === 1 ? { kind: 1, value: "", ex: true } : null;
    case 45: // '-'
      return bytes.length === 1 ? { kind: -1, value: "", ex: true } : null;
    case 40: // '('
      return { kind: 0, value: toKey(bytes.subarray(1)), ex: true };
    case 91: // '['
      return { kind: 0, value: toKey(bytes.subarray(1)), ex: false };
    default:
      return null;
  }
}

function compareLex(a: LexBound, b: LexBound): number {
  if (a.kind !== 0 || b.kind !== 0) {
    if (a.kind === b.kind) return 0;
    if (a.kind === -1 || b.kind === 1) return -1;
    return 1;
  }
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** Ascending ranks `[first, last]` of the members in a lex range, or `null`. */
function lexRankRange(zset: SortedSet, min: LexBound, max: LexBound): [number, number] | null {
  const cmp = compareLex(min, max);
  if (cmp > 0 || (cmp === 0 && (min.ex || max.ex))) return null;
  const size = zset.size;
  const first = min.kind === -1 ? 0 : min.kind === 1 ? size : zset.countLexBelow(min.value, min.ex);
  const end = max.kind === -1 ? 0 : max.kind === 1 ? size : zset.countLexBelow(max.value, !max.ex);
  return first < end ? [first, end - 1] : null;
}

const RANK = 0;
const SCORE = 1;
const LEX = 2;
const AUTO = -1;

/** The bounds of a range by rank, score or lex; only the fields of its type are set. */
interface RangeBounds {
  /** RANK: the start index as given. */
  start: number;
  /** RANK: the end index as given. */
  end: number;
  score: ScoreRange | null;
  lexMin: LexBound | null;
  lexMax: LexBound | null;
}

/** Parses the `min` and `max` arguments of a `type` range; `null` after replying an error. */
function parseRangeBounds(
  reply: ReplyWriter,
  type: number,
  min: Uint8Array,
  max: Uint8Array,
): RangeBounds | null {
  const bounds: RangeBounds = { start: 0, end: 0, score: null, lexMin: null, lexMax: null };
  if (type === RANK) {
    const start = parseLong(reply, min);
    if (start === null) return null;
    const end = parseLong(reply, max);
    if (end === null) return null;
    bounds.start = start;
    bounds.end = end;
  } else if (type === SCORE) {
    bounds.score = parseScoreRange(min, max);
    if (bounds.score === null) {
      reply.error("ERR min or max is not a float");
      return null;
    }
  } else {
    bounds.lexMin = parseLexBound(min);
    bounds.lexMax = bounds.lexMin === null ? null : parseLexBound(max);
    if (bounds.lexMin === null || bounds.lexMax === null) {
      reply.error("ERR min or max not valid string range item");
      return null;
    }
  }
  return bounds;
}

/** Ascending ranks `[first, last]` of a `type` range in `zset`, or `null` when it is empty. */
function rangeRanks(zset: SortedSet, type: number, bounds: RangeBounds): [number, number] | null {
  if (type === SCORE) return scoreRankRange(zset, bounds.score!);
  if (type === LEX) return lexRankRange(zset, bounds.lexMin!, bounds.lexMax!);
  // By rank: negative indexes count from the end, then clamp like Redis.
  const size = zset.size;
  let { start, end } = bounds;
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  return [start, Math.min(end, size - 1)];
}

/** Where a range result goes: the client, or a destination zset. */
interface RangeTarget {
  /** Destination key for ZRANGESTORE, `null` to reply. */
  destination: string | null;
}

/** Writes `[member, score]` pairs as a range reply (or stores them). */
function emitRange(
  ctx: CommandContext,
  target: RangeTarget,
  items: readonly [string, number][],
  withScores: boolean,
): void {
  if (target.destination !== null) {
    const zset = new SortedSet();
    for (const [member, score] of items) zset.add(member, score);
    storeResult(ctx, target.destination, zsetEntry(zset));
    return;
  }
  writePairs(ctx, items, withScores);
}

/** Replies `items` as members, with scores flat (RESP2) or as pairs (RESP3). */
function writePairs(
  ctx: CommandContext,
  items: Iterable<[string, number]> & { length?: number },
  withScores: boolean,
  count: number = (items as readonly unknown[]).length,
): void {
  const reply = ctx.reply;
  const resp3 = reply.protocol === 3;
  reply.arrayHeader(withScores && !resp3 ? count * 2 : count);
  for (const [member, score] of items) {
    if (withScores && resp3) reply.arrayHeader(2);
    reply.bulk(fromKey(member));
    if (withScores) reply.double(score);
  }
}

/** Redis's `zrangeGenericCommand`. */
function zrangeGeneric(
  ctx: CommandContext,
  argStart: number,
  store: boolean,
  initialType: number,
  initialReverse: boolean | null,
): void {
  const args = ctx.args;
  const reply = ctx.reply;
  let rangeType = initialType;
  let reverse = initialReverse;
  let minIndex = argStart + 1;
  let maxIndex = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const opt = args[j];
    if (!store && isOpt(opt, "withscores")) {
      withScores = true;
    } else if (isOpt(opt, "limit") && left >= 2) {
      const o = parseLong(reply, args[j + 1]);
      if (o === null) return;
      const l = parseLong(reply, args[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && isOpt(opt, "rev")) {
      reverse = true;
    } else if (rangeType === AUTO && isOpt(opt, "bylex")) {
      rangeType = LEX;
    } else if (rangeType === AUTO && isOpt(opt, "byscore")) {
      rangeType = SCORE;
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  if (reverse === null) reverse = false;
  if (rangeType === AUTO) rangeType = RANK;
  if (limit !== -1 && rangeType === RANK) {
    reply.error(
      "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    );
    return;
  }
  if (withScores && rangeType === LEX) {
    reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  if (reverse && rangeType !== RANK) [minIndex, maxIndex] = [maxIndex, minIndex];
  const bounds = parseRangeBounds(reply, rangeType, args[minIndex], args[maxIndex]);
  if (bounds === null) return;
  const target: RangeTarget = { destination: store ? toKey(args[1]) : null };
  const entry = readZset(ctx, toKey(args[argStart]));
  if (entry === null) return;
  if (entry === undefined) {
    if (store) emitRange(ctx, target, [], false);
    else reply.arrayHeader(0);
    return;
  }
  const zset = entry.value;
  const ranks = rangeRanks(zset, rangeType, bounds);
  let items: [string, number][];
  if (rangeType !== RANK) {
    items = limitedRange(zset, ranks, offset, limit, reverse);
  } else if (ranks === null) {
    items = [];
  } else {
    // A reversed rank range counts from the highest rank.
    const last = zset.size - 1;
    items = reverse
      ? zset.range(last - ranks[1], last - ranks[0], true)
      : zset.range(ranks[0], ranks[1], false);
  }
  emitRange(ctx, target, items, withScores);
}

/** The members of ascending ranks `ranks`, walked in `reverse` if asked, after LIMIT. */
function limitedRange(
  zset: SortedSet,
  ranks: [number, number] | null,
  offset: number,
  limit: number,
  reverse: boolean,
): [string, number][] {
  if (ranks === null || offset < 0) return [];
  let [first, last] = ranks;
  const available = last - first + 1;
  if (offset >= available) return [];
  const count = limit < 0 ? available - offset : Math.min(limit, available - offset);
  if (count <= 0) return [];
  if (reverse) {
    last -= offset;
    first = last - count + 1;
  } else {
    first += offset;
    last = first + count - 1;
  }
  return zset.range(first, last, reverse);
}

/** ZCOUNT (`type` SCORE) and ZLEXCOUNT (`type` LEX). */
function zcount(ctx: CommandContext, type: number): void {
  const bounds = parseRangeBounds(ctx.reply, type, ctx.args[2], ctx.args[3]);
  if (bounds === null) return;
  const entry = readZset(ctx, toKey(ctx.args[1]));
  if (entry === null) return;
  const ranks = entry === undefined ? null : rangeRanks(entry.value, type, bounds);
  ctx.reply.integer(ranks === null ? 0 : ranks[1] - ranks[0] + 1);
}

function zremrange(ctx: CommandContext, type: number): void {
  const args = ctx.args;
  const reply = ctx.reply;
  const bounds = parseRangeBounds(reply, type, args[2], args[3]);
  if (bounds === null) return;
  const key = toKey(args[1]);
  const entry = readZset(ctx, key);
  if (entry === null) return;
  if (entry === undefined) {
    reply.integer(0);
    return;
  }
  const zset = entry.value;
  const ranks = rangeRanks(zset, type, bounds);
  if (ranks === null) {
    reply.integer(0);
    return;
  }
  const items = zset.range(ranks[0], ranks[1]);
  for (const [member] of items) zset.delete(member);
  if (items.length !== 0) deleteOrTouch(ctx, key, zset.size);
  reply.integer(items.length);
}

// ---------------------------------------------------------------------------
// Pops

/**
 * Redis's `genericZpopCommand` for one key holding a non-empty zset.
 * `count` -1 pops one. `nested`: pairs as arrays; `emitKey`: key first.
 */
function zpopFrom(
  ctx: CommandContext,
  key: string,
  keyBytes: Uint8Array,
  zset: SortedSet,
  where: number,
  count: number,
  nested: boolean,
  emitKey: boolean,
): void {
  const reply = ctx.reply;
  const n = Math.min(count === -1 ? 1 : count, zset.size);
  if (!nested && !emitKey) {
    reply.arrayHeader(n * 2);
  } else if (nested && !emitKey) {
    reply.arrayHeader(n);
  } else if (!nested && emitKey) {
    reply.arrayHeader(n * 2 + 1);
    reply.bulk(keyBytes);
  } else {
    reply.arrayHeader(2);
    reply.bulk(keyBytes);
    reply.arrayHeader(n);
  }
  for (let i = 0; i < n; i++) {
    const [member, score] = (where === MIN ? zset.first() : zset.last())!;
    zset.delete(member);
    if (nested) reply.arrayHeader(2);
    reply.bulk(fromKey(member));
    reply.double(score);
  }
  deleteOrTouch(ctx, key, zset.size);
}

function zpop(ctx: CommandContext, where: number): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length > 3) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  let count = -1;
  if (args.length === 3) {
    const parsed = parsePositiveLong(reply, args[2]);
    if (parsed === null) return;
    count = parsed;
  }
  const nested = reply.protocol === 3 && count !== -1;
  const key = toKey(args[1]);
  const entry = readZset(ctx, key);
  if (entry === null) return;
  if (entry === undefined || count === 0) {
    reply.arrayHeader(0);
    return;
  }
  zpopFrom(ctx, key, args[1], entry.value, where, count, nested, false);
}

/**
 * Pops from the first non-empty zset among `keys` (BZPOPMIN's and ZMPOP's
 * immediate path). Returns true when it replied (served or WRONGTYPE).
 */
function serveZpop(
  ctx: CommandContext,
  keys: readonly string[],
  keyArgs: readonly Uint8Array[],
  where: number,
  count: number,
  nested: boolean,
): boolean {
  for (let i = 0; i < keys.length; i++) {
    const entry = ctx.db.get(keys[i]);
    if (entry === undefined) continue;
    if (entry.type !== "zset") {
      ctx.reply.error(WRONGTYPE);
      return true;
    }
    zpopFrom(ctx, keys[i], keyArgs[i], entry.value, where, count, nested, true);
    return true;
  }
  return false;
}

function blockingZpop(
  ctx: CommandContext,
  keyArgs: Uint8Array[],
  where: number,
  count: number,
  nested: boolean,
  timeoutMs: number,
): void {
  const keys = keyArgs.map(toKey);
  if (serveZpop(ctx, keys, keyArgs, where, count, nested)) return;
  ctx.block({
    keys,
    timeoutMs,
    retry: (rctx: CommandContext, readyKey?: string): boolean => {
      for (let i = 0; i < keys.length; i++) {
        if (readyKey !== undefined && keys[i] !== readyKey) continue;
        const entry = rctx.db.get(keys[i]);
        if (entry === undefined || entry.type !== "zset") continue;
        zpopFrom(rctx, keys[i], keyArgs[i], entry.value, where, count, nested, true);
        return true;
      }
      return false;
    },
  });
}

function bzpop(ctx: CommandContext, where: number): void {
  const args = ctx.args;
  const timeout = parseTimeout(ctx.reply, args[args.length - 1]);
  if (timeout === null) return;
  blockingZpop(ctx, args.slice(1, args.length - 1), where, -1, false, timeout);
}

/** ZMPOP (`numkeysIndex` 1) and BZMPOP (`numkeysIndex` 2). */
function zmpop(ctx: CommandContext, numkeysIndex: number, blocking: boolean): void {
  const reply = ctx.reply;
  const parsed = parseMpop(reply, ctx.args, numkeysIndex, MIN_MAX);
  if (parsed === null) return;
  const { keyArgs, where, count } = parsed;
  if (blocking) {
    const timeout = parseTimeout(reply, ctx.args[1]);
    if (timeout === null) return;
    blockingZpop(ctx, keyArgs, where, count, true, timeout);
    return;
  }
  if (!serveZpop(ctx, keyArgs.map(toKey), keyArgs, where, count, true)) reply.nullArray();
}

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

/** One input of a set operation: a zset, a plain set (scores 1) or nothing. */
interface OpSource {
  zset: SortedSet | null;
  set: Set<string> | null;
  weight: number;
}

function sourceSize(source: OpSource): number {
  return source.zset?.size ?? source.set?.size ?? 0;
}

function sourceScore(source: OpSource, member: string): number | undefined {
  if (source.zset !== null) return source.zset.score(member);
  if (source.set !== null) return source.set.has(member) ? 1 : undefined;
  return undefined;
}

function* sourceItems(source: OpSource): Generator<[string, number]> {
  if (source.zset !== null) yield* source.zset;
  else if (source.set !== null) {
    for (const member of orderedMembers(source.set)) {
      yield [member, 1];
    }
  }
}

function aggregate(target: number, value: number, how: number): number {
  if (how === AGG_SUM) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === AGG_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

function zsetOp(
  ctx: CommandContext,
  destination: string | null,
  numkeysIndex: number,
  op: number,
  cardinalityOnly: boolean,
  name: string,
): void {
  const args = ctx.args;
  const reply = ctx.reply;
  const setnum = parseLong(reply, args[numkeysIndex]);
  if (setnum === null) return;
  if (setnum < 1) {
    reply.error(`ERR at least 1 input key is needed for '${name}' command`);
    return;
  }
  if (setnum > args.length - (numkeysIndex + 1)) {
    reply.error(SYNTAX_ERROR);
    return;
  }
  const sources: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const entry = ctx.db.get(toKey(args[j]));
    if (entry === undefined) {
      sources.push({ zset: null, set: null, weight: 1 });
    } else if (entry.type === "zset") {
      sources.push({ zset: entry.value, set: null, weight: 1 });
    } else if (entry.type === "set") {
      sources.push({ zset: null, set: entry.value, weight: 1 });
    } else {
      reply.error(WRONGTYPE);
      return;
    }
  }
  let how = AGG_SUM;
  let withScores = false;
  let limit = 0;
  let remaining = args.length - j;
  while (remaining > 0) {
    const opt = args[j];
    if (op !== OP_DIFF && !cardinalityOnly && remaining >= setnum + 1 && isOpt(opt, "weights")) {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const weight = parseDouble(args[j]);
        if (weight === null) {
          reply.error("ERR weight value is not a float");
          return;
        }
        sources[i].weight = weight;
      }
    } else if (op !== OP_DIFF && !cardinalityOnly && remaining >= 2 && isOpt(opt, "aggregate")) {
      j++;
      remaining--;
      if (isOpt(args[j], "sum")) how = AGG_SUM;
      else if (isOpt(args[j], "min")) how = AGG_MIN;
      else if (isOpt(args[j], "max")) how = AGG_MAX;
      else {
        reply.error(SYNTAX_ERROR);
        return;
      }
      j++;
      remaining--;
    } else if (
      remaining >= 1 && destination === null && !cardinalityOnly && isOpt(opt, "withscores")
    ) {
      j++;
      remaining--;
      withScores = true;
    } else if (cardinalityOnly && remaining >= 2 && isOpt(opt, "limit")) {
      j++;
      remaining--;
      const parsed = parsePositiveLong(reply, args[j], "ERR LIMIT can't be negative");
      if (parsed === null) return;
      limit = parsed;
      j++;
      remaining--;
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  // Redis sorts inputs by size (glibc's qsort is a stable merge sort here).
  const ordered = op === OP_DIFF
    ? sources
    : sources.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
  const result = new SortedSet();
  let cardinality = 0;
  if (op === OP_INTER) {
    const first = ordered[0];
    if (sourceSize(first) > 0) {
      for (const [member, value] of sourceItems(first)) {
        let score = first.weight * value;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < ordered.length; k++) {
          const other = ordered[k];
          const found = sourceScore(other, member);
          if (found === undefined) break;
          score = aggregate(score, found * other.weight, how);
        }
        if (k !== ordered.length) continue;
        if (cardinalityOnly) {
          cardinality++;
          if (limit !== 0 && cardinality >= limit) break;
        } else {
          result.add(member, score + 0); // -0 is stored as 0, like Redis's listpack
        }
      }
    }
  } else if (op === OP_UNION) {
    const accumulator = new Map<string, number>();
    for (const source of ordered) {
      if (sourceSize(source) === 0) continue;
      for (const [member, value] of sourceItems(source)) {
        let score = source.weight * value;
        if (Number.isNaN(score)) score = 0;
        const existing = accumulator.get(member);
        accumulator.set(member, existing === undefined ? score : aggregate(existing, score, how));
      }
    }
    for (const [member, score] of accumulator) result.add(member, score + 0);
  } else {
    const first = ordered[0];
    for (const [member, score] of sourceItems(first)) {
      let keep = true;
      for (let k = 1; k < ordered.length; k++) {
        if (sourceScore(ordered[k], member) !== undefined) {
          keep = false;
          break;
        }
      }
      if (keep) result.add(member, score);
    }
  }
  if (destination !== null) {
    storeResult(ctx, destination, zsetEntry(result));
  } else if (cardinalityOnly) {
    reply.integer(cardinality);
  } else {
    writePairs(ctx, result, withScores, result.size);
  }
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

function zrandmember(ctx: CommandContext): void {
  const args = ctx.args;
  const reply = ctx.reply;
  if (args.length === 2) {
    const entry = readZset(ctx, toKey(args[1]));
    if (entry === null) return;
    if (entry === undefined) reply.nullBulk();
    else reply.bulk(fromKey(entry.value.at(randomIndex(entry.value.size))![0]));
    return;
  }
  const parsed = parseRandomCount(reply, args, "withscores");
  if (parsed === null) return;
  const { count, withValues: withScores } = parsed;
  const entry = readZset(ctx, toKey(args[1]));
  if (entry === null) return;
  if (entry === undefined || count === 0) {
    reply.arrayHeader(0);
    return;
  }
  const zset = entry.value;
  const size = zset.size;
  if (count < 0 || count === 1) {
    const n = count < 0 ? -count : 1;
    // A pick by rank is O(log n); listing every member pays only when the reply is longer.
    const items = n < size ? null : zset.range(0, size - 1);
    const picks: [string, number][] = [];
    for (let i = 0; i < n; i++) {
      picks.push(items === null ? zset.at(randomIndex(size))! : items[randomIndex(size)]);
    }
    writePairs(ctx, picks, withScores);
    return;
  }
  if (count >= size) {
    // Redis 7.0 replies the whole zset from the highest rank down.
    writePairs(ctx, zset.range(0, size - 1, true), withScores);
    return;
  }
  // sampleIndexes is O(n) only when count > size/2: list the members then, else pick by rank.
  const items = count * 2 > size ? zset.range(0, size - 1) : null;
  const picked = sampleIndexes(size, count);
  writePairs(ctx, picked.map((i) => items === null ? zset.at(i)! : items[i]), withScores);
}

/**
 * A score as Redis 7.0 stores it in a listpack (`d2string`): integers within
 * ±2^62 in plain digits, anything else `%.17g`. ZSCAN replies this text.
 */
function listpackScore(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= 4611686018427387904) {
    return Math.abs(score) <= Number.MAX_SAFE_INTEGER ? String(score) : BigInt(score).toString();
  }
  return formatDouble17g(score);
}

function zscan(ctx: CommandContext): void {
  const scan = startScan(ctx, "zset");
  if (scan === null) return;
  const { cursor, options } = scan;
  const reply = ctx.reply;
  const zset = scan.entry.value;
  let next = 0;
  let members: Iterable<string>;
  if (zset.size <= 128) {
    members = zset.range(0, zset.size - 1).map(([member]) => member);
  } else {
    [next, members] = scanContainer(zset.scores, cursor, options.count);
  }
  const out: string[] = [];
  for (const member of members) {
    if (matches(options.pattern, member) && zset.score(member) !== undefined) out.push(member);
  }
  scanReplyHeader(reply, next, out.length * 2);
  for (const member of out) {
    reply.bulk(fromKey(member));
    reply.bulk(listpackScore(zset.score(member)!));
  }
}

// ---------------------------------------------------------------------------

const WRITE_FAST: CommandSpec["flags"] = ["write", "denyoom", "fast"];
const READ_FAST: CommandSpec["flags"] = ["readonly", "fast"];
const READ: CommandSpec["flags"] = ["readonly"];
const WRITE: CommandSpec["flags"] = ["write"];
const WRITE_DENYOOM: CommandSpec["flags"] = ["write", "denyoom"];
const BLOCKING: CommandSpec["flags"] = ["write", "noscript", "fast", "blocking"];

/** The sorted set commands. */
export const sortedSetCommands: readonly CommandSpec[] = [
  command("zadd", -4, WRITE_FAST, ONE_KEY, (ctx) => zadd(ctx, 0)),
  command("zincrby", 4, WRITE_FAST, ONE_KEY, (ctx) => zadd(ctx, IN_INCR)),
  command("zscore", 3, READ_FAST, ONE_KEY, zscore),
  command("zmscore", -3, READ_FAST, ONE_KEY, zmscore),
  command("zcard", 2, READ_FAST, ONE_KEY, zcard),
  command("zcount", 4, READ_FAST, ONE_KEY, (ctx) => zcount(ctx, SCORE)),
  command("zlexcount", 4, READ_FAST, ONE_KEY, (ctx) => zcount(ctx, LEX)),
  command("zrem", -3, ["write", "fast"], ONE_KEY, (ctx) => removeMembers(ctx, "zset")),
  command("zrank", -3, READ_FAST, ONE_KEY, (ctx) => zrank(ctx, false)),
  command("zrevrank", -3, READ_FAST, ONE_KEY, (ctx) => zrank(ctx, true)),
  command("zrange", -4, READ, ONE_KEY, (ctx) => zrangeGeneric(ctx, 1, false, AUTO, null)),
  command(
    "zrangestore",
    -5,
    WRITE_DENYOOM,
    [1, 2, 1],
    (ctx) => zrangeGeneric(ctx, 2, true, AUTO, null),
  ),
  command("zrangebyscore", -4, READ, ONE_KEY, (ctx) => zrangeGeneric(ctx, 1, false, SCORE, false)),
  command(
    "zrevrangebyscore",
    -4,
    READ,
    ONE_KEY,
    (ctx) => zrangeGeneric(ctx, 1, false, SCORE, true),
  ),
  command("zrangebylex", -4, READ, ONE_KEY, (ctx) => zrangeGeneric(ctx, 1, false, LEX, false)),
  command("zrevrangebylex", -4, READ, ONE_KEY, (ctx) => zrangeGeneric(ctx, 1, false, LEX, true)),
  command("zrevrange", -4, READ, ONE_KEY, (ctx) => zrangeGeneric(ctx, 1, false, RANK, true)),
  command("zremrangebyrank", 4, WRITE, ONE_KEY, (ctx) => zremrange(ctx, RANK)),
  command("zremrangebyscore", 4, WRITE, ONE_KEY, (ctx) => zremrange(ctx, SCORE)),
  command("zremrangebylex", 4, WRITE, ONE_KEY, (ctx) => zremrange(ctx, LEX)),
  command("zpopmin", -2, ["write", "fast"], ONE_KEY, (ctx) => zpop(ctx, MIN)),
  command("zpopmax", -2, ["write", "fast"], ONE_KEY, (ctx) => zpop(ctx, MAX)),
  command("bzpopmin", -3, BLOCKING, [1, -2, 1], (ctx) => bzpop(ctx, MIN)),
  command("bzpopmax", -3, BLOCKING, [1, -2, 1], (ctx) => bzpop(ctx, MAX)),
  command("zmpop", -4, WRITE, NO_KEYS, (ctx) => zmpop(ctx, 1, false)),
  command("bzmpop", -5, ["write", "blocking"], NO_KEYS, (ctx) => zmpop(ctx, 2, true)),
  command("zunion", -3, READ, NO_KEYS, (ctx) => zsetOp(ctx, null, 1, OP_UNION, false, "zunion")),
  command("zinter", -3, READ, NO_KEYS, (ctx) => zsetOp(ctx, null, 1, OP_INTER, false, "zinter")),
  command("zdiff", -3, READ, NO_KEYS, (ctx) => zsetOp(ctx, null, 1, OP_DIFF, false, "zdiff")),
  command(
    "zintercard",
    -3,
    READ,
    NO_KEYS,
    (ctx) => zsetOp(ctx, null, 1, OP_INTER, true, "zintercard"),
  ),
  command(
    "zunionstore",
    -4,
    WRITE_DENYOOM,
    ONE_KEY,
    (ctx) => zsetOp(ctx, toKey(ctx.args[1]), 2, OP_UNION, false, "zunionstore"),
  ),
  command(
    "zinterstore",
    -4,
    WRITE_DENYOOM,
    ONE_KEY,
    (ctx) => zsetOp(ctx, toKey(ctx.args[1]), 2, OP_INTER, false, "zinterstore"),
  ),
  command(
    "zdiffstore",
    -4,
    WRITE_DENYOOM,
    ONE_KEY,
    (ctx) => zsetOp(ctx, toKey(ctx.args[1]), 2, OP_DIFF, false, "zdiffstore"),
  ),
  command("zrandmember", -2, READ, ONE_KEY, zrandmember),
  command("zscan", -3, READ, ONE_KEY, zscan),
];
