/**
 * String commands: GET/SET and friends, counters, ranges, bits, and the
 * PULSAR.CAD / PULSAR.CAPEXPIRE compare-and-act commands for locks.
 *
 * @module
 */

import {
  fromKey,
  isWord,
  NOT_FLOAT,
  NOT_INTEGER,
  parseInteger,
  parseSafeInteger,
  parseSetExpire,
  SYNTAX_ERROR,
  toKey,
  WRONGTYPE,
} from "../args.ts";
import { ALL_KEYS, command, ONE_KEY } from "../define.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  isInfinite,
  longDoubleFromInteger,
  parseLongDoubleExact,
} from "./_long_double.ts";
import { stringEntry } from "../keyspace.ts";
import { writableBytes } from "../string_buffer.ts";
import { countBits, findBit } from "../bits.ts";
import { lcsLength, lcsTable, lcsTooBig } from "../lcs.ts";
import type { CommandContext, CommandSpec, StringEntry } from "../types.ts";

const EMPTY = new Uint8Array(0);
/** Redis's default `proto-max-bulk-len`: the longest string a command may make. */
const MAX_STRING = 512 * 1024 * 1024;
const TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;
const encoder = new TextEncoder();

/**
 * The string under `key`: bytes, `null` when missing, or `undefined` after
 * replying WRONGTYPE.
 */
function readString(ctx: CommandContext, key: string): Uint8Array | null | undefined {
  const entry = ctx.db.get(key);
  if (entry === undefined) return null;
  if (entry.type !== "string") {
    ctx.reply.error(WRONGTYPE);
    return undefined;
  }
  return entry.value;
}

/** Stores `value` under `key`, keeping the TTL when `keepTtl`. */
function writeString(ctx: CommandContext, key: string, value: Uint8Array, keepTtl: boolean): void {
  const old = keepTtl ? ctx.db.get(key) : undefined;
  const entry = stringEntry(value);
  if (old !== undefined) entry.expiresAt = old.expiresAt;
  ctx.db.set(key, entry);
}

function get(ctx: CommandContext): void {
  const value = readString(ctx, toKey(ctx.args[1]));
  if (value === null) ctx.reply.nullBulk();
  else if (value !== undefined) ctx.reply.bulk(value);
}

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const EXPIRE = 16;

function set(ctx: CommandContext): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  const value = args[2];
  if (args.length === 3) {
    ctx.db.set(key, stringEntry(value));
    ctx.reply.simple("OK");
    return;
  }
  let flags = 0;
  let expireArg: Uint8Array | null = null;
  let unit = 1000;
  let absolute = false;
  for (let i = 3; i < args.length; i++) {
    const opt = args[i];
    const hasNext = i + 1 < args.length;
    if (isWord(opt, "nx") && !(flags & XX)) flags |= NX;
    else if (isWord(opt, "xx") && !(flags & NX)) flags |= XX;
    else if (isWord(opt, "get")) flags |= GET;
    else if (isWord(opt, "keepttl") && !(flags & EXPIRE)) flags |= KEEPTTL;
    else if (!(flags & (KEEPTTL | EXPIRE)) && hasNext && isWord(opt, "ex")) {
      flags |= EXPIRE;
      expireArg = args[++i];
    } else if (!(flags & (KEEPTTL | EXPIRE)) && hasNext && isWord(opt, "px")) {
      flags |= EXPIRE;
      unit = 1;
      expireArg = args[++i];
    } else if (!(flags & (KEEPTTL | EXPIRE)) && hasNext && isWord(opt, "exat")) {
      flags |= EXPIRE;
      absolute = true;
      expireArg = args[++i];
    } else if (!(flags & (KEEPTTL | EXPIRE)) && hasNext && isWord(opt, "pxat")) {
      flags |= EXPIRE;
      unit = 1;
      absolute = true;
      expireArg = args[++i];
    } else {
      ctx.reply.error(SYNTAX_ERROR);
      return;
    }
  }
  let expiresAt = 0;
  if (expireArg !== null) {
    const when = parseSetExpire(expireArg, unit, absolute, Date.now());
    if (when === null) return ctx.reply.error(NOT_INTEGER);
    if (when === -1) return ctx.reply.error("ERR invalid expire time in 'set' command");
    expiresAt = when;
  }
  const existing = ctx.db.get(key);
  if (flags & GET) {
    if (existing === undefined) ctx.reply.nullBulk();
    else if (existing.type !== "string") return ctx.reply.error(WRONGTYPE);
    else ctx.reply.bulk(existing.value);
  }
  if ((flags & NX && existing !== undefined) || (flags & XX && existing === undefined)) {
    if (!(flags & GET)) ctx.reply.nullBulk();
    return;
  }
  const entry = stringEntry(value);
  if (flags & KEEPTTL && existing !== undefined) entry.expiresAt = existing.expiresAt;
  else entry.expiresAt = expiresAt;
  ctx.db.set(key, entry);
  if (!(flags & GET)) ctx.reply.simple("OK");
}

function setnx(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  if (ctx.db.get(key) !== undefined) return ctx.reply.integer(0);
  ctx.db.set(key, stringEntry(ctx.args[2]));
  ctx.reply.integer(1);
}

function setexLike(name: string, unit: number) {
  return (ctx: CommandContext): void => {
    const when = parseSetExpire(ctx.args[2], unit, false, Date.now());
    if (when === null) return ctx.reply.error(NOT_INTEGER);
    if (when === -1) return ctx.reply.error(`ERR invalid expire time in '${name}' command`);
    const entry = stringEntry(ctx.args[3]);
    entry.expiresAt = when;
    ctx.db.set(toKey(ctx.args[1]), entry);
    ctx.reply.simple("OK");
  };
}

function getex(ctx: CommandContext): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  let persist = false;
  let expireArg: Uint8Array | null = null;
  let unit = 1000;
  let absolute = false;
  for (let i = 2; i < args.length; i++) {
    const opt = args[i];
    const hasNext = i + 1 < args.length;
    const free = expireArg === null && !persist;
    if (free && hasNext && isWord(opt, "ex")) expireArg = args[++i];
    else if (free && hasNext && isWord(opt, "px")) {
      unit = 1;
      expireArg = args[++i];
    } else if (free && hasNext && isWord(opt, "exat")) {
      absolute = true;
      expireArg = args[++i];
    } else if (free && hasNext && isWord(opt, "pxat")) {
      unit = 1;
      absolute = true;
      expireArg = args[++i];
    } else if (free && isWord(opt, "persist")) persist = true;
    else return ctx.reply.error(SYNTAX_ERROR);
  }
  let when = 0;
  if (expireArg !== null) {
    const parsed = parseSetExpire(expireArg, unit, absolute, Date.now());
    if (parsed === null) return ctx.reply.error(NOT_INTEGER);
    if (parsed === -1) return ctx.reply.error("ERR invalid expire time in 'getex' command");
    when = parsed;
  }
  const entry = ctx.db.get(key);
  if (entry === undefined) return ctx.reply.nullBulk();
  if (entry.type !== "string") return ctx.reply.error(WRONGTYPE);
  ctx.reply.bulk(entry.value);
  if (expireArg !== null) {
    if (when <= Date.now()) ctx.db.delete(key);
    else {
      ctx.db.setExpiry(key, when);
      ctx.db.touch(key);
    }
  } else if (persist && entry.expiresAt !== 0) {
    ctx.db.setExpiry(key, 0);
    ctx.db.touch(key);
  }
}

function getdel(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const value = readString(ctx, key);
  if (value === undefined) return;
  if (value === null) return ctx.reply.nullBulk();
  ctx.reply.bulk(value);
  ctx.db.delete(key);
}

function getset(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const value = readString(ctx, key);
  if (value === undefined) return;
  if (value === null) ctx.reply.nullBulk();
  else ctx.reply.bulk(value);
  ctx.db.set(key, stringEntry(ctx.args[2]));
}

/** A new string entry that owns `bytes` (nobody else holds them), so later edits are in place. */
function ownedEntry(bytes: Uint8Array): StringEntry {
  const entry = stringEntry(bytes);
  entry.room = bytes;
  return entry;
}

function setrange(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const offset = parseSafeInteger(ctx.args[2]);
  if (offset === null) return ctx.reply.error(NOT_INTEGER);
  if (offset < 0) return ctx.reply.error("ERR offset is out of range");
  const patch = ctx.args[3];
  const entry = ctx.db.get(key);
  if (entry !== undefined && entry.type !== "string") return ctx.reply.error(WRONGTYPE);
  if (patch.length === 0) return ctx.reply.integer(entry?.value.length ?? 0);
  if (offset + patch.length > MAX_STRING) return ctx.reply.error(TOO_BIG);
  if (entry === undefined) {
    // Exact size for a new key, like Redis (sdsnewlen); growth later is greedy.
    const bytes = new Uint8Array(offset + patch.length);
    bytes.set(patch, offset);
    ctx.db.set(key, ownedEntry(bytes));
    return ctx.reply.integer(bytes.length);
  }
  const bytes = writableBytes(entry, offset + patch.length, MAX_STRING);
  bytes.set(patch, offset);
  ctx.db.touch(key);
  ctx.reply.integer(bytes.length);
}

function getrange(ctx: CommandContext): void {
  const startArg = parseSafeInteger(ctx.args[2]);
  const endArg = parseSafeInteger(ctx.args[3]);
  if (startArg === null || endArg === null) return ctx.reply.error(NOT_INTEGER);
  const value = readString(ctx, toKey(ctx.args[1]));
  if (value === undefined) return;
  const bytes = value ?? EMPTY;
  let start = startArg;
  let end = endArg;
  const length = bytes.length;
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk(EMPTY);
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return ctx.reply.bulk(EMPTY);
  ctx.reply.bulk(bytes.subarray(start, end + 1));
}

function append(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = ctx.db.get(key);
  const tail = ctx.args[2];
  if (entry === undefined) {
    ctx.db.set(key, stringEntry(tail));
    return ctx.reply.integer(tail.length);
  }
  if (entry.type !== "string") return ctx.reply.error(WRONGTYPE);
  const start = entry.value.length;
  if (start + tail.length > MAX_STRING) return ctx.reply.error(TOO_BIG);
  // Even an empty tail unshares the value, as Redis's APPEND does (OBJECT ENCODING says raw).
  writableBytes(entry, start + tail.length, MAX_STRING).set(tail, start);
  ctx.db.touch(key);
  ctx.reply.integer(entry.value.length);
}

function incrementBy(ctx: CommandContext, delta: number | bigint): void {
  const key = toKey(ctx.args[1]);
  const entry = ctx.db.get(key);
  let current: number | bigint = 0;
  if (entry !== undefined) {
    if (entry.type !== "string") return ctx.reply.error(WRONGTYPE);
    const parsed = parseInteger(entry.value);
    if (parsed === null) return ctx.reply.error(NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === "number" && typeof delta === "number") {
    result = current + delta;
    if (!Number.isSafeInteger(result)) {
      result = BigInt(current) + BigInt(delta);
    }
  } else {
    result = BigInt(current) + BigInt(delta);
  }
  if (typeof result === "bigint") {
    if (result > MAX_I64 || result < MIN_I64) {
      return ctx.reply.error("ERR increment or decrement would overflow");
    }
    if (result >= -9007199254740991n && result <= 9007199254740991n) result = Number(result);
  }
  const text = fromKey(String(result));
  if (entry !== undefined) {
    const string = entry as StringEntry;
    string.value = text;
    string.room = undefined;
    ctx.db.touch(key);
  } else {
    ctx.db.set(key, stringEntry(text));
  }
  ctx.reply.integer(result);
}

function incrbyCommand(sign: 1 | -1) {
  return (ctx: CommandContext): void => {
    const delta = parseInteger(ctx.args[2]);
    if (delta === null) return ctx.reply.error(NOT_INTEGER);
    if (sign === -1) {
      if (delta === MIN_I64) return ctx.reply.error("ERR decrement would overflow");
      incrementBy(ctx, typeof delta === "bigint" ? -delta : -delta);
    } else {
      incrementBy(ctx, delta);
    }
  };
}

function incrbyfloat(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = ctx.db.get(key);
  let current = longDoubleFromInteger(0);
  if (entry !== undefined) {
    if (entry.type !== "string") return ctx.reply.error(WRONGTYPE);
    const parsed = parseLongDoubleExact(entry.value);
    if (parsed === null) return ctx.reply.error(NOT_FLOAT);
    current = parsed;
  }
  const delta = parseLongDoubleExact(ctx.args[2]);
  if (delta === null) return ctx.reply.error(NOT_FLOAT);
  // Redis adds in x87 long double and prints %.17Lf: emulate it exactly.
  const result = addLongDouble(current, delta);
  if (isInfinite(result) || isInfinite(current) || isInfinite(delta)) {
    return ctx.reply.error("ERR increment would produce NaN or Infinity");
  }
  const text = encoder.encode(formatLongDoubleHuman(result));
  writeString(ctx, key, text, true);
  ctx.reply.bulk(text);
}

function mset(ctx: CommandContext): void {
  const args = ctx.args;
  if (args.length % 2 === 0) {
    return ctx.reply.error(
      `ERR wrong number of arguments for '${toKey(args[0]).toLowerCase()}' command`,
    );
  }
  for (let i = 1; i < args.length; i += 2) ctx.db.set(toKey(args[i]), stringEntry(args[i + 1]));
  ctx.reply.simple("OK");
}

function msetnx(ctx: CommandContext): void {
  const args = ctx.args;
  if (args.length % 2 === 0) {
    return ctx.reply.error("ERR wrong number of arguments for 'msetnx' command");
  }
  for (let i = 1; i < args.length; i += 2) {
    if (ctx.db.get(toKey(args[i])) !== undefined) return ctx.reply.integer(0);
  }
  for (let i = 1; i < args.length; i += 2) ctx.db.set(toKey(args[i]), stringEntry(args[i + 1]));
  ctx.reply.integer(1);
}

function mget(ctx: CommandContext): void {
  const args = ctx.args;
  ctx.reply.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const entry = ctx.db.get(toKey(args[i]));
    if (entry === undefined || entry.type !== "string") ctx.reply.nullBulk();
    else ctx.reply.bulk(entry.value);
  }
}

function strlen(ctx: CommandContext): void {
  const value = readString(ctx, toKey(ctx.args[1]));
  if (value === undefined) return;
  ctx.reply.integer(value === null ? 0 : value.length);
}

const BIT_OFFSET_ERROR = "ERR bit offset is not an integer or out of range";

function parseBitOffset(bytes: Uint8Array): number | null {
  const offset = parseInteger(bytes);
  if (offset === null || typeof offset === "bigint" || offset < 0 || offset >= MAX_STRING * 8) {
    return null;
  }
  return offset;
}

function setbit(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const offset = parseBitOffset(ctx.args[2]);
  if (offset === null) return ctx.reply.error(BIT_OFFSET_ERROR);
  const bitArg = ctx.args[3];
  if (bitArg.length !== 1 || (bitArg[0] !== 48 && bitArg[0] !== 49)) {
    return ctx.reply.error("ERR bit is not an integer or out of range");
  }
  const entry = ctx.db.get(key);
  if (entry !== undefined && entry.type !== "string") return ctx.reply.error(WRONGTYPE);
  // Offsets reach 2^32 - 1: divide, never `>> 3` (int32 wraps at 2^31).
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const on = bitArg[0] === 49 ? 1 : 0;
  const grows = entry === undefined || byte >= entry.value.length;
  // Like Redis, the value is unshared (made RAW) even when the bit is already set.
  const bytes = entry === undefined
    ? new Uint8Array(byte + 1)
    : writableBytes(entry, byte + 1, MAX_STRING);
  const old = (bytes[byte] & mask) !== 0 ? 1 : 0;
  if (on) bytes[byte] |= mask;
  else bytes[byte] &= ~mask;
  if (entry === undefined) ctx.db.set(key, ownedEntry(bytes));
  else if (grows || old !== on) ctx.db.touch(key); // Redis 7.0 signals only a real change
  ctx.reply.integer(old);
}

function getbit(ctx: CommandContext): void {
  const offset = parseBitOffset(ctx.args[2]);
  if (offset === null) return ctx.reply.error(BIT_OFFSET_ERROR);
  const value = readString(ctx, toKey(ctx.args[1]));
  if (value === undefined) return;
  const byte = Math.floor(offset / 8);
  if (value === null || byte >= value.length) return ctx.reply.integer(0);
  ctx.reply.integer((value[byte] >> (7 - (offset % 8))) & 1);
}

/** Normalizes a Redis start/end pair over `length` units; null = empty range. */
function normalizeRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end) return null;
  return [start, end];
}

function bitcount(ctx: CommandContext): void {
  const args = ctx.args;
  // Redis looks the key up first: a missing key is 0 whatever the arguments.
  const value = readString(ctx, toKey(args[1]));
  if (value === undefined) return;
  if (value === null) return ctx.reply.integer(0);
  let isBit = false;
  let start = 0;
  let end = -1;
  if (args.length === 4 || args.length === 5) {
    const s = parseSafeInteger(args[2]);
    const e = parseSafeInteger(args[3]);
    if (s === null || e === null) return ctx.reply.error(NOT_INTEGER);
    start = s;
    end = e;
    if (start < 0 && end < 0 && start > end) return ctx.reply.integer(0);
    if (args.length === 5) {
      if (isWord(args[4], "bit")) isBit = true;
      else if (!isWord(args[4], "byte")) return ctx.reply.error(SYNTAX_ERROR);
    }
  } else if (args.length !== 2) {
    return ctx.reply.error(SYNTAX_ERROR);
  }
  const total = isBit ? value.length * 8 : value.length;
  const range = normalizeRange(start, end, total);
  if (range === null || total === 0) return ctx.reply.integer(0);
  const firstBit = isBit ? range[0] : range[0] * 8;
  const lastBit = isBit ? range[1] : range[1] * 8 + 7;
  ctx.reply.integer(countBits(value, firstBit, lastBit));
}

function bitpos(ctx: CommandContext): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  const bitArg = parseSafeInteger(args[2]);
  if (bitArg === null) return ctx.reply.error(NOT_INTEGER);
  if (bitArg !== 0 && bitArg !== 1) return ctx.reply.error("ERR The bit argument must be 1 or 0.");
  // Redis looks the key up before parsing the range.
  const value = readString(ctx, key);
  if (value === undefined) return;
  if (value === null) return ctx.reply.integer(bitArg === 1 ? -1 : 0);
  let start = 0;
  let end = -1;
  let endGiven = false;
  let isBit = false;
  if (args.length > 6) return ctx.reply.error(SYNTAX_ERROR);
  if (args.length >= 4) {
    const s = parseSafeInteger(args[3]);
    if (s === null) return ctx.reply.error(NOT_INTEGER);
    start = s;
    if (args.length === 6) {
      if (isWord(args[5], "bit")) isBit = true;
      else if (!isWord(args[5], "byte")) return ctx.reply.error(SYNTAX_ERROR);
    }
    if (args.length >= 5) {
      const e = parseSafeInteger(args[4]);
      if (e === null) return ctx.reply.error(NOT_INTEGER);
      end = e;
      endGiven = true;
    }
  }
  const total = isBit ? value.length * 8 : value.length;
  const range = normalizeRange(start, end, total);
  if (range === null || total === 0) return ctx.reply.integer(-1);
  const firstBit = isBit ? range[0] : range[0] * 8;
  const lastBit = isBit ? range[1] : range[1] * 8 + 7;
  const found = findBit(value, bitArg, firstBit, lastBit);
  if (found !== -1) return ctx.reply.integer(found);
  // Looking for 0 with no explicit end: the string is padded with zeros on the right.
  if (bitArg === 0 && !endGiven) return ctx.reply.integer(lastBit + 1);
  ctx.reply.integer(-1);
}

function bitop(ctx: CommandContext): void {
  const args = ctx.args;
  const op = args[1];
  let kind: "and" | "or" | "xor" | "not";
  if (isWord(op, "and")) kind = "and";
  else if (isWord(op, "or")) kind = "or";
  else if (isWord(op, "xor")) kind = "xor";
  else if (isWord(op, "not")) kind = "not";
  else return ctx.reply.error(SYNTAX_ERROR);
  if (kind === "not" && args.length !== 4) {
    return ctx.reply.error("ERR BITOP NOT must be called with a single source key.");
  }
  const sources: Uint8Array[] = [];
  let maxLength = 0;
  for (let i = 3; i < args.length; i++) {
    const entry = ctx.db.get(toKey(args[i]));
    if (entry === undefined) {
      sources.push(EMPTY);
      continue;
    }
    if (entry.type !== "string") return ctx.reply.error(WRONGTYPE);
    sources.push(entry.value);
    if (entry.value.length > maxLength) maxLength = entry.value.length;
  }
  const dest = toKey(args[2]);
  if (maxLength === 0) {
    ctx.db.delete(dest);
    return ctx.reply.integer(0);
  }
  const out = new Uint8Array(maxLength);
  if (kind === "not") {
    const src = sources[0];
    for (let i = 0; i < maxLength; i++) out[i] = ~src[i] & 0xff;
  } else {
    out.set(sources[0]);
    // One tight loop per operator (no per-byte branch); a shorter source is zero-padded.
    for (let s = 1; s < sources.length; s++) {
      const src = sources[s];
      const n = src.length;
      if (kind === "and") {
        for (let i = 0; i < n; i++) out[i] &= src[i];
        out.fill(0, n);
      } else if (kind === "or") {
        for (let i = 0; i < n; i++) out[i] |= src[i];
      } else {
        for (let i = 0; i < n; i++) out[i] ^= src[i];
      }
    }
  }
  ctx.db.set(dest, ownedEntry(out));
  ctx.reply.integer(maxLength);
}

function lcs(ctx: CommandContext): void {
  const args = ctx.args;
  // Redis reads both keys before it parses the options.
  const values: Uint8Array[] = [];
  for (const arg of [args[1], args[2]]) {
    const entry = ctx.db.get(toKey(arg));
    if (entry === undefined) values.push(EMPTY);
    else if (entry.type !== "string") {
      return ctx.reply.error("ERR The specified keys must contain string values");
    } else values.push(entry.value);
  }
  let wantLen = false;
  let wantIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let i = 3; i < args.length; i++) {
    if (isWord(args[i], "len")) wantLen = true;
    else if (isWord(args[i], "idx")) wantIdx = true;
    else if (isWord(args[i], "withmatchlen")) withMatchLen = true;
    else if (isWord(args[i], "minmatchlen") && i + 1 < args.length) {
      const n = parseSafeInteger(args[++i]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      minMatchLen = Math.max(0, n);
    } else return ctx.reply.error(SYNTAX_ERROR);
  }
  if (wantLen && wantIdx) {
    return ctx.reply.error(
      "ERR If you want both the length and indexes, please just use IDX.",
    );
  }
  const [a, b] = values;
  if (lcsTooBig(a.length, b.length, MAX_STRING)) {
    return ctx.reply.error(
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    );
  }
  if (wantLen) return ctx.reply.integer(lcsLength(a, b));
  const width = b.length + 1;
  const table = lcsTable(a, b);
  const length = table[a.length * width + b.length];
  const out = new Uint8Array(length);
  const matches: [[number, number], [number, number], number][] = [];
  let i = a.length;
  let j = b.length;
  let k = length;
  let rangeA: [number, number] | null = null;
  let rangeB: [number, number] | null = null;
  const emit = () => {
    if (rangeA !== null && rangeB !== null) {
      const matchLen = rangeA[1] - rangeA[0] + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) matches.push([rangeA, rangeB, matchLen]);
    }
    rangeA = rangeB = null;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] === b[j - 1]) {
      out[--k] = a[i - 1];
      if (rangeA !== null && rangeA[0] === i && rangeB![0] === j) {
        rangeA[0]--;
        rangeB![0]--;
      } else {
        emit();
        rangeA = [i - 1, i - 1];
        rangeB = [j - 1, j - 1];
      }
      i--;
      j--;
    } else if (table[(i - 1) * width + j] > table[i * width + j - 1]) {
      i--;
    } else {
      j--;
    }
  }
  emit();
  if (!wantIdx) return ctx.reply.bulk(out);
  const reply = ctx.reply;
  reply.mapHeader(2);
  reply.bulk("matches");
  reply.arrayHeader(matches.length);
  for (const [ra, rb, len] of matches) {
    reply.arrayHeader(withMatchLen ? 3 : 2);
    reply.arrayHeader(2);
    reply.integer(ra[0]);
    reply.integer(ra[1]);
    reply.arrayHeader(2);
    reply.integer(rb[0]);
    reply.integer(rb[1]);
    if (withMatchLen) reply.integer(len);
  }
  reply.bulk("len");
  reply.integer(length);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PULSAR.CAD key token: deletes the key when its string value equals token. */
function compareAndDelete(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = ctx.db.get(key);
  if (entry === undefined || entry.type !== "string" || !equalBytes(entry.value, ctx.args[2])) {
    return ctx.reply.integer(0);
  }
  ctx.db.delete(key);
  ctx.reply.integer(1);
}

/** PULSAR.CAPEXPIRE key token ms: sets a TTL when the key's value equals token. */
function compareAndPexpire(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const ms = parseInteger(ctx.args[3]);
  if (ms === null || typeof ms === "bigint") return ctx.reply.error(NOT_INTEGER);
  if (ms <= 0) return ctx.reply.error("ERR invalid expire time in 'pulsar.capexpire' command");
  const entry = ctx.db.get(key);
  if (entry === undefined || entry.type !== "string" || !equalBytes(entry.value, ctx.args[2])) {
    return ctx.reply.integer(0);
  }
  ctx.db.setExpiry(key, Date.now() + ms);
  ctx.db.touch(key);
  ctx.reply.integer(1);
}

const W = ["write", "denyoom"] as const;
const WF = ["write", "denyoom", "fast"] as const;
const RF = ["readonly", "fast"] as const;

/** The string family. */
export const stringCommands: readonly CommandSpec[] = [
  command("get", 2, RF, ONE_KEY, get),
  command("set", -3, W, ONE_KEY, set),
  command("setnx", 3, WF, ONE_KEY, setnx),
  command("setex", 4, W, ONE_KEY, setexLike("setex", 1000)),
  command("psetex", 4, W, ONE_KEY, setexLike("psetex", 1)),
  command("getex", -2, ["write", "fast"], ONE_KEY, getex),
  command("getdel", 2, ["write", "fast"], ONE_KEY, getdel),
  command("getset", 3, WF, ONE_KEY, getset),
  command("setrange", 4, W, ONE_KEY, setrange),
  command("getrange", 4, ["readonly"], ONE_KEY, getrange),
  command("substr", 4, ["readonly"], ONE_KEY, getrange),
  command("append", 3, WF, ONE_KEY, append),
  command("incr", 2, WF, ONE_KEY, (ctx) => incrementBy(ctx, 1)),
  command("decr", 2, WF, ONE_KEY, (ctx) => incrementBy(ctx, -1)),
  command("incrby", 3, WF, ONE_KEY, incrbyCommand(1)),
  command("decrby", 3, WF, ONE_KEY, incrbyCommand(-1)),
  command("incrbyfloat", 3, WF, ONE_KEY, incrbyfloat),
  command("mset", -3, W, [1, -1, 2], mset),
  command("msetnx", -3, W, [1, -1, 2], msetnx),
  command("mget", -2, RF, ALL_KEYS, mget),
  command("strlen", 2, RF, ONE_KEY, strlen),
  command("setbit", 4, W, ONE_KEY, setbit),
  command("getbit", 3, RF, ONE_KEY, getbit),
  command("bitcount", -2, ["readonly"], ONE_KEY, bitcount),
  command("bitpos", -3, ["readonly"], ONE_KEY, bitpos),
  command("bitop", -4, W, [2, -1, 1], bitop),
  command("lcs", -3, ["readonly"], [1, 2, 1], lcs),
  command("pulsar.cad", 3, ["write", "fast"], ONE_KEY, compareAndDelete),
  command("pulsar.capexpire", 4, ["write", "fast"], ONE_KEY, compareAndPexpire),
];
