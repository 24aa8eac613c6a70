/**
 * Generic key commands: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, MOVE, COPY,
 * the EXPIRE family, TTL, OBJECT, DUMP/RESTORE, SORT.
 *
 * @module
 */

import {
  DB_OUT_OF_RANGE,
  fromKey,
  isWord,
  lowerWord,
  NO_SUCH_KEY,
  NOT_INTEGER,
  parseExpireArg,
  parseFloatArg,
  parseInteger,
  parseSafeInteger,
  SYNTAX_ERROR,
  toKey,
  WRONGTYPE,
} from "../args.ts";
import type { Client } from "../client.ts";
import { ALL_KEYS, command, NO_KEYS, ONE_KEY } from "../define.ts";
import { globMatch } from "../glob.ts";
import { cloneEntry, type Database, listEntry } from "../keyspace.ts";
import { dumpEntry, restoreEntry } from "../persistence.ts";
import { ownedBytes } from "../string_buffer.ts";
import type { CommandContext, CommandSpec, Entry } from "../types.ts";
import { ByteList } from "../byte_list.ts";

function server(ctx: CommandContext) {
  return (ctx as Client).server;
}

function del(ctx: CommandContext): void {
  let count = 0;
  for (let i = 1; i < ctx.args.length; i++) if (ctx.db.delete(toKey(ctx.args[i]))) count++;
  ctx.reply.integer(count);
}

function exists(ctx: CommandContext): void {
  let count = 0;
  for (let i = 1; i < ctx.args.length; i++) {
    if (ctx.db.peek(toKey(ctx.args[i])) !== undefined) count++;
  }
  ctx.reply.integer(count);
}

function type(ctx: CommandContext): void {
  ctx.reply.simple(ctx.db.peek(toKey(ctx.args[1]))?.type ?? "none");
}

function keys(ctx: CommandContext): void {
  const pattern = toKey(ctx.args[1]);
  const out: string[] = [];
  for (const key of ctx.db.keys()) if (globMatch(pattern, key)) out.push(key);
  ctx.reply.arrayHeader(out.length);
  for (const key of out) ctx.reply.bulk(fromKey(key));
}

/** Parses a SCAN cursor like Redis (unsigned 64-bit decimal). */
export function parseCursor(bytes: Uint8Array): number | null {
  if (bytes.length === 0 || bytes.length > 21) return null;
  let value = 0;
  let i = 0;
  // strtoul: an optional sign; a negative cursor wraps to a huge one.
  if (bytes[0] === 43 || bytes[0] === 45) i = 1;
  if (i === bytes.length) return null;
  if (bytes[0] === 45) {
    for (let j = 1; j < bytes.length; j++) if (bytes[j] < 48 || bytes[j] > 57) return null;
    return Number.MAX_SAFE_INTEGER;
  }
  for (; i < bytes.length; i++) {
    const digit = bytes[i] - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
}

/** Options shared by SCAN, HSCAN, SSCAN, ZSCAN: MATCH and COUNT (and TYPE for SCAN). */
export interface ScanOptions {
  /** MATCH pattern, or null. */
  match: string | null;
  /** COUNT. */
  count: number;
  /** TYPE filter (SCAN only), or null. */
  type: string | null;
}

/**
 * Parses `[MATCH pattern] [COUNT n] [TYPE t]` from `ctx.args[from..]`,
 * replying the Redis error and returning null when invalid.
 */
export function parseScanOptions(
  ctx: CommandContext,
  from: number,
  allowType: boolean,
): ScanOptions | null {
  const args = ctx.args;
  const options: ScanOptions = { match: null, count: 10, type: null };
  for (let i = from; i < args.length; i++) {
    const remaining = args.length - i - 1;
    if (isWord(args[i], "count") && remaining >= 1) {
      const count = parseInteger(args[++i]);
      if (count === null) {
        ctx.reply.error(NOT_INTEGER);
        return null;
      }
      if (count < 1) {
        ctx.reply.error(SYNTAX_ERROR);
        return null;
      }
      options.count = Number(count);
    } else if (isWord(args[i], "match") && remaining >= 1) {
      options.match = toKey(args[++i]);
    } else if (allowType && isWord(args[i], "type") && remaining >= 1) {
      options.type = lowerWord(args[++i]);
    } else {
      ctx.reply.error(SYNTAX_ERROR);
      return null;
    }
  }
  return options;
}

function scan(ctx: CommandContext): void {
  const cursor = parseCursor(ctx.args[1]);
  if (cursor === null) return ctx.reply.error("ERR invalid cursor");
  const options = parseScanOptions(ctx, 2, true);
  if (options === null) return;
  const [next, found] = ctx.db.scan(cursor, options.count);
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(String(next));
  const out: string[] = [];
  for (const key of found) {
    if (options.match !== null && !globMatch(options.match, key)) continue;
    if (options.type !== null && ctx.db.peek(key)?.type !== options.type) continue;
    out.push(key);
  }
  ctx.reply.arrayHeader(out.length);
  for (const key of out) ctx.reply.bulk(fromKey(key));
}

function randomkey(ctx: CommandContext): void {
  const key = ctx.db.randomKey();
  if (key === undefined) ctx.reply.nullBulk();
  else ctx.reply.bulk(fromKey(key));
}

function rename(nx: boolean) {
  return (ctx: CommandContext): void => {
    const from = toKey(ctx.args[1]);
    const to = toKey(ctx.args[2]);
    const entry = ctx.db.get(from);
    if (entry === undefined) return ctx.reply.error(NO_SUCH_KEY);
    if (from === to) return nx ? ctx.reply.integer(0) : ctx.reply.simple("OK");
    if (nx && ctx.db.get(to) !== undefined) return ctx.reply.integer(0);
    ctx.db.rename(from, to);
    if (nx) ctx.reply.integer(1);
    else ctx.reply.simple("OK");
  };
}

function parseDb(ctx: CommandContext, bytes: Uint8Array): Database | null {
  const index = parseInteger(bytes);
  if (index === null || typeof index === "bigint") {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  const db = ctx.server.databases[index];
  if (index < 0 || db === undefined) {
    ctx.reply.error(DB_OUT_OF_RANGE);
    return null;
  }
  return db;
}

function move(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const target = parseDb(ctx, ctx.args[2]);
  if (target === null) return;
  if (target === ctx.db) {
    return ctx.reply.error("ERR source and destination objects are the same");
  }
  const entry = ctx.db.get(key);
  if (entry === undefined || target.get(key) !== undefined) return ctx.reply.integer(0);
  ctx.db.delete(key);
  target.set(key, entry);
  ctx.reply.integer(1);
}

function copy(ctx: CommandContext): void {
  const args = ctx.args;
  const from = toKey(args[1]);
  const to = toKey(args[2]);
  let target = ctx.db;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (isWord(args[i], "replace")) replace = true;
    else if (isWord(args[i], "db") && i + 1 < args.length) {
      const db = parseDb(ctx, args[++i]);
      if (db === null) return;
      target = db;
    } else return ctx.reply.error(SYNTAX_ERROR);
  }
  if (from === to && target === ctx.db) {
    return ctx.reply.error("ERR source and destination objects are the same");
  }
  const entry = ctx.db.get(from);
  if (entry === undefined) return ctx.reply.integer(0);
  if (target.get(to) !== undefined) {
    if (!replace) return ctx.reply.integer(0);
    target.delete(to);
  }
  target.set(to, cloneEntry(entry));
  ctx.reply.integer(1);
}

const EX_NX = 1;
const EX_XX = 2;
const EX_GT = 4;
const EX_LT = 8;

function expireCommand(name: string, unitMs: number, absolute: boolean) {
  return (ctx: CommandContext): void => {
    const args = ctx.args;
    let flags = 0;
    for (let i = 3; i < args.length; i++) {
      if (isWord(args[i], "nx")) flags |= EX_NX;
      else if (isWord(args[i], "xx")) flags |= EX_XX;
      else if (isWord(args[i], "gt")) flags |= EX_GT;
      else if (isWord(args[i], "lt")) flags |= EX_LT;
      else return ctx.reply.error(`ERR Unsupported option ${toKey(args[i])}`);
    }
    if (flags & EX_NX && flags & (EX_XX | EX_GT | EX_LT)) {
      return ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (flags & EX_GT && flags & EX_LT) {
      return ctx.reply.error("ERR GT and LT options at the same time are not compatible");
    }
    const now = Date.now();
    const when = parseExpireArg(args[2], unitMs, absolute ? 0 : now);
    if (when === null) return ctx.reply.error(NOT_INTEGER);
    if (when === undefined) return ctx.reply.error(`ERR invalid expire time in '${name}' command`);
    const key = toKey(args[1]);
    const entry = ctx.db.get(key);
    if (entry === undefined) return ctx.reply.integer(0);
    const current = entry.expiresAt === 0 ? -1 : entry.expiresAt;
    if (flags & EX_NX && current !== -1) return ctx.reply.integer(0);
    if (flags & EX_XX && current === -1) return ctx.reply.integer(0);
    if (flags & EX_GT && (current === -1 || when <= current)) return ctx.reply.integer(0);
    if (flags & EX_LT && current !== -1 && when >= current) return ctx.reply.integer(0);
    if (when <= now) {
      ctx.db.delete(key);
    } else {
      ctx.db.setExpiry(key, when);
      ctx.db.touch(key);
    }
    ctx.reply.integer(1);
  };
}

function ttlCommand(kind: "ttl" | "pttl" | "expiretime" | "pexpiretime") {
  return (ctx: CommandContext): void => {
    const entry = ctx.db.peek(toKey(ctx.args[1]));
    if (entry === undefined) return ctx.reply.integer(-2);
    if (entry.expiresAt === 0) return ctx.reply.integer(-1);
    const at = entry.expiresAt;
    switch (kind) {
      case "ttl":
        return ctx.reply.integer(Math.floor((Math.max(0, at - Date.now()) + 500) / 1000));
      case "pttl":
        return ctx.reply.integer(Math.max(0, at - Date.now()));
      case "expiretime":
        return ctx.reply.integer(Math.floor(at / 1000));
      case "pexpiretime":
        return ctx.reply.integer(at);
    }
  };
}

function persist(ctx: CommandContext): void {
  const key = toKey(ctx.args[1]);
  const entry = ctx.db.get(key);
  if (entry === undefined || entry.expiresAt === 0) return ctx.reply.integer(0);
  ctx.db.setExpiry(key, 0);
  ctx.db.touch(key);
  ctx.reply.integer(1);
}

const INT_RE = /^-?[1-9][0-9]{0,18}$|^0$/;

/** The encoding Redis 7.0 would report for a value of this shape. */
export function encodingOf(entry: Entry): string {
  switch (entry.type) {
    case "string": {
      // Edited by offset (SETRANGE, SETBIT, APPEND): RAW in Redis too. Only a
      // short value is looked at (a 512 MB one made this O(n) and threw).
      if (entry.room !== undefined) return "raw";
      if (entry.value.length > 20) return entry.value.length <= 44 ? "embstr" : "raw";
      const text = toKey(entry.value);
      if (INT_RE.test(text) && parseInteger(entry.value) !== null) return "int"; // the int64 range
      return "embstr";
    }
    case "list":
      return "quicklist";
    case "set": {
      if (entry.value.size > 512) return "hashtable";
      for (const member of entry.value) if (!INT_RE.test(member)) return "hashtable";
      return "intset";
    }
    case "hash": {
      if (entry.value.size > 128) return "hashtable";
      for (const [field, value] of entry.value) {
        if (field.length > 64 || value.length > 64) return "hashtable";
      }
      return "listpack";
    }
    case "zset": {
      if (entry.value.size > 128) return "skiplist";
      for (const [member] of entry.value) if (member.length > 64) return "skiplist";
      return "listpack";
    }
  }
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Print this help.",
];

/** Writes a HELP reply (array of status lines), as Redis's addReplyHelp does. */
export function replyHelp(ctx: CommandContext, lines: readonly string[]): void {
  ctx.reply.arrayHeader(lines.length);
  for (const line of lines) ctx.reply.simple(line);
}

function objectSub(name: string, run: (ctx: CommandContext, entry: Entry) => void): CommandSpec {
  return command(name, 3, ["readonly"], [2, 2, 1], (ctx) => {
    const entry = ctx.db.peek(toKey(ctx.args[2]));
    if (entry === undefined) return ctx.reply.nullBulk();
    run(ctx, entry);
  });
}

const objectCommand = command("object", -2, [], NO_KEYS, () => {}, [
  objectSub("encoding", (ctx, entry) => ctx.reply.bulk(encodingOf(entry))),
  objectSub("freq", (ctx, entry) => {
    if (ctx.db.lfu === null) {
      return ctx.reply.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
      );
    }
    ctx.reply.integer(ctx.db.lfuCounter(entry));
  }),
  objectSub("idletime", (ctx) => {
    if (ctx.db.lfu !== null) {
      return ctx.reply.error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
      );
    }
    ctx.reply.integer(0);
  }),
  objectSub(
    "refcount",
    (ctx, entry) =>
      ctx.reply.integer(entry.type === "string" && encodingOf(entry) === "int" ? 2147483647 : 1),
  ),
  command("help", 2, ["loading", "stale"], NO_KEYS, (ctx) => replyHelp(ctx, OBJECT_HELP)),
]);

function dump(ctx: CommandContext): void {
  const entry = ctx.db.get(toKey(ctx.args[1]));
  if (entry === undefined) return ctx.reply.nullBulk();
  ctx.reply.bulk(dumpEntry(entry));
}

function restore(ctx: CommandContext): void {
  const args = ctx.args;
  const key = toKey(args[1]);
  let replace = false;
  let absolute = false;
  for (let i = 4; i < args.length; i++) {
    if (isWord(args[i], "replace")) replace = true;
    else if (isWord(args[i], "absttl")) absolute = true;
    else if ((isWord(args[i], "idletime") || isWord(args[i], "freq")) && i + 1 < args.length) {
      const n = parseInteger(args[++i]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      if (n < 0) {
        return ctx.reply.error(
          isWord(args[i - 1], "idletime")
            ? "ERR Invalid IDLETIME value, must be >= 0"
            : "ERR Invalid FREQ value, must be >= 0 and <= 255",
        );
      }
    } else return ctx.reply.error(SYNTAX_ERROR);
  }
  const ttl = parseInteger(args[2]);
  if (ttl === null) return ctx.reply.error(NOT_INTEGER);
  if (ttl < 0) return ctx.reply.error("ERR Invalid TTL value, must be >= 0");
  if (!replace && ctx.db.get(key) !== undefined) {
    return ctx.reply.error("BUSYKEY Target key name already exists.");
  }
  const entry = restoreEntry(args[3]);
  if (typeof entry === "string") return ctx.reply.error(entry);
  const ttlMs = Number(ttl);
  const now = Date.now();
  if (ttlMs !== 0) entry.expiresAt = absolute ? ttlMs : now + ttlMs;
  if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
    ctx.db.delete(key);
    return ctx.reply.simple("OK");
  }
  ctx.db.set(key, entry);
  ctx.reply.simple("OK");
}

function touch(ctx: CommandContext): void {
  exists(ctx);
}

// --- SORT -----------------------------------------------------------------

function lookupPattern(ctx: CommandContext, pattern: Uint8Array, subst: string): Uint8Array | null {
  const text = toKey(pattern);
  if (text === "#") return fromKey(subst);
  const star = text.indexOf("*");
  if (star === -1) return null;
  const arrow = text.indexOf("->", star);
  const keyName = text.slice(0, star) + subst +
    text.slice(star + 1, arrow === -1 ? undefined : arrow);
  const entry = ctx.db.get(keyName);
  if (entry === undefined) return null;
  if (arrow !== -1 && arrow + 2 < text.length) {
    if (entry.type !== "hash") return null;
    return entry.value.get(text.slice(arrow + 2)) ?? null;
  }
  if (entry.type !== "string") return null;
  return ownedBytes(entry); // SORT ... STORE keeps it; a later SETBIT must not change it
}

function sortCommand(readonly: boolean) {
  return (ctx: CommandContext): void => {
    const args = ctx.args;
    const key = toKey(args[1]);
    let desc = false;
    let alpha = false;
    let offset = 0;
    let limit = -1;
    let by: Uint8Array | null = null;
    const gets: Uint8Array[] = [];
    let store: string | null = null;
    for (let i = 2; i < args.length; i++) {
      const left = args.length - i - 1;
      if (isWord(args[i], "asc")) desc = false;
      else if (isWord(args[i], "desc")) desc = true;
      else if (isWord(args[i], "alpha")) alpha = true;
      else if (isWord(args[i], "limit") && left >= 2) {
        const o = parseSafeInteger(args[i + 1]);
        const c = parseSafeInteger(args[i + 2]);
        if (o === null || c === null) return ctx.reply.error(NOT_INTEGER);
        offset = o;
        limit = c;
        i += 2;
      } else if (!readonly && isWord(args[i], "store") && left >= 1) {
        store = toKey(args[++i]);
      } else if (isWord(args[i], "by") && left >= 1) {
        by = args[++i];
      } else if (isWord(args[i], "get") && left >= 1) {
        gets.push(args[++i]);
      } else return ctx.reply.error(SYNTAX_ERROR);
    }
    const entry = ctx.db.get(key);
    let items: Uint8Array[] = [];
    if (entry !== undefined) {
      if (entry.type === "list") items = [...entry.value];
      else if (entry.type === "set") items = [...entry.value].map(fromKey);
      else if (entry.type === "zset") items = [...entry.value].map(([m]) => fromKey(m));
      else return ctx.reply.error(WRONGTYPE);
    }
    const dontSort = by !== null && !toKey(by).includes("*");
    if (!dontSort) {
      const weights = items.map((item) => {
        const source = by === null ? item : lookupPattern(ctx, by, toKey(item));
        if (alpha) return { item, text: source === null ? "" : toKey(source), num: 0 };
        if (source === null) return { item, text: "", num: 0 };
        const num = parseFloatArg(source);
        return { item, text: "", num: num ?? NaN };
      });
      if (!alpha && weights.some((w) => Number.isNaN(w.num))) {
        return ctx.reply.error("ERR One or more scores can't be converted into double");
      }
      weights.sort((a, b) => {
        let cmp = alpha
          ? (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
          : (a.num < b.num ? -1 : a.num > b.num ? 1 : 0);
        if (cmp === 0) {
          const x = toKey(a.item);
          const y = toKey(b.item);
          cmp = x < y ? -1 : x > y ? 1 : 0;
        }
        return desc ? -cmp : cmp;
      });
      items = weights.map((w) => w.item);
    }
    let start = Math.max(0, offset);
    let count = limit < 0 ? items.length : limit;
    if (start > items.length) start = items.length;
    if (start + count > items.length) count = items.length - start;
    items = items.slice(start, start + count);
    const out: (Uint8Array | null)[] = [];
    if (gets.length === 0) out.push(...items);
    else {
      for (const item of items) {
        for (const pattern of gets) out.push(lookupPattern(ctx, pattern, toKey(item)));
      }
    }
    if (store !== null) {
      if (out.length === 0) ctx.db.delete(store);
      else {
        ctx.db.set(store, listEntry(ByteList.from(out.map((v) => v ?? new Uint8Array(0)))));
      }
      return ctx.reply.integer(out.length);
    }
    ctx.reply.arrayHeader(out.length);
    for (const value of out) {
      if (value === null) ctx.reply.nullBulk();
      else ctx.reply.bulk(value);
    }
  };
}

/** The generic key family. */
export const keyCommands: readonly CommandSpec[] = [
  command("del", -2, ["write"], ALL_KEYS, del),
  command("unlink", -2, ["write", "fast"], ALL_KEYS, del),
  command("exists", -2, ["readonly", "fast"], ALL_KEYS, exists),
  command("type", 2, ["readonly", "fast"], ONE_KEY, type),
  command("keys", 2, ["readonly"], NO_KEYS, keys),
  command("scan", -2, ["readonly"], NO_KEYS, scan),
  command("randomkey", 1, ["readonly"], NO_KEYS, randomkey),
  command("rename", 3, ["write"], [1, 2, 1], rename(false)),
  command("renamenx", 3, ["write", "fast"], [1, 2, 1], rename(true)),
  command("move", 3, ["write", "fast"], ONE_KEY, move),
  command("copy", -3, ["write", "denyoom"], [1, 2, 1], copy),
  command("expire", -3, ["write", "fast"], ONE_KEY, expireCommand("expire", 1000, false)),
  command("pexpire", -3, ["write", "fast"], ONE_KEY, expireCommand("pexpire", 1, false)),
  command("expireat", -3, ["write", "fast"], ONE_KEY, expireCommand("expireat", 1000, true)),
  command("pexpireat", -3, ["write", "fast"], ONE_KEY, expireCommand("pexpireat", 1, true)),
  command("ttl", 2, ["readonly", "fast"], ONE_KEY, ttlCommand("ttl")),
  command("pttl", 2, ["readonly", "fast"], ONE_KEY, ttlCommand("pttl")),
  command("expiretime", 2, ["readonly", "fast"], ONE_KEY, ttlCommand("expiretime")),
  command("pexpiretime", 2, ["readonly", "fast"], ONE_KEY, ttlCommand("pexpiretime")),
  command("persist", 2, ["write", "fast"], ONE_KEY, persist),
  command("touch", -2, ["readonly", "fast"], ALL_KEYS, touch),
  objectCommand,
  command("dump", 2, ["readonly"], ONE_KEY, dump),
  command("restore", -4, ["write", "denyoom"], ONE_KEY, restore),
  command("sort", -2, ["write", "denyoom"], ONE_KEY, sortCommand(false)),
  command("sort_ro", -2, ["readonly"], ONE_KEY, sortCommand(true)),
];

/** For other families: the server behind a context. */
export { server as serverOf };
