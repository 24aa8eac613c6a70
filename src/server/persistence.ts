/**
 * Snapshots of the embedded server in a format of our own, and the DUMP /
 * RESTORE payload codec.
 *
 * File layout: `PULSARDS` magic (8 bytes), format version (1 byte), then
 * records: `0xFE dbIndex` selects a database, `0xFD expiresAt(f64)` gives the
 * TTL of the next entry, a type byte (0 string, 1 list, 2 set, 3 zset, 4 hash)
 * followed by the key and the value, `0xFF` ends; a CRC-32 (little-endian) of
 * everything before it closes the file. Lengths are LEB128 varints. Saving
 * writes a temporary file and renames it over the old one, so a crash never
 * leaves a torn snapshot; loading checks the magic, version and checksum and
 * fills the databases only when the whole file parsed.
 *
 * Consistency: entries are encoded in chunks with yields between them, so the
 * snapshot is consistent per key, not a single point in time. Each value is
 * encoded in one synchronous step, never across a yield: a string edited in
 * place (SETBIT, SETRANGE and APPEND write into its buffer, see
 * `string_buffer.ts`) is saved as it was before or after an edit, never half.
 *
 * @module
 */

import { ByteList } from "./byte_list.ts";
import { BytesMap, valueBytes } from "./bytes_map.ts";
import { RandomSet } from "./random_access.ts";
import type { Database } from "./keyspace.ts";
import { SortedSet } from "./sorted_set.ts";
import type { Entry } from "./types.ts";

import type { FileSystem } from "../transport/types.ts";
export type { FileSystem };

/** What the last save wrote. */
export interface SnapshotStats {
  /** Keys written. */
  keys: number;
  /** File size in bytes. */
  bytes: number;
}

const MAGIC = [0x50, 0x55, 0x4c, 0x53, 0x41, 0x52, 0x44, 0x53]; // "PULSARDS"
const VERSION = 1;
const OP_SELECT = 0xfe;
const OP_EXPIRE = 0xfd;
const OP_EOF = 0xff;
const TYPE_CODES: Record<Entry["type"], number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4 };
/** DUMP payload format version. */
const DUMP_VERSION = 1;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Updates a CRC-32 (IEEE) with `bytes`; start with `crc32(bytes)`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A growable byte buffer for encoding. */
class Writer {
  buf = new Uint8Array(1024);
  pos = 0;
  #view = new DataView(this.buf.buffer);

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // Double, or exactly what one big value needs (a 512 MB string: not a 1 GB buffer).
    const size = Math.max(this.buf.length * 2, this.pos + n);
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.#view = new DataView(grown.buffer);
  }

  u8(n: number): void {
    this.ensure(1);
    this.buf[this.pos++] = n;
  }

  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  f64(n: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  str(s: string): void {
    this.varint(s.length);
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

class CorruptError extends Error {}

/**
 * A cursor over bytes for decoding; throws on truncation. With `share`,
 * byte strings are views of `buf` rather than copies (RESTORE: the payload is
 * a request argument nobody reuses, so a big string is restored without a
 * copy); a snapshot file copies, so no value pins the whole file.
 */
class Reader {
  pos = 0;
  readonly #view: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly end: number = buf.length,
    readonly share = false,
  ) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /**
   * A container's element count, checked against the bytes left before
   * anything is allocated: each element takes at least `minBytes`, so a
   * payload cannot declare more elements than it can hold. Zero is refused:
   * Redis never stores an empty container.
   */
  count(minBytes: number): number {
    const n = this.varint();
    if (n === 0) throw new CorruptError("empty container");
    if (n > (this.end - this.pos) / minBytes) {
      throw new CorruptError(`${n} elements cannot fit in ${this.end - this.pos} bytes`);
    }
    return n;
  }

  u8(): number {
    if (this.pos >= this.end) throw new CorruptError("truncated");
    return this.buf[this.pos++];
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 0x80;
    }
    throw new CorruptError("bad length");
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new CorruptError("truncated");
    const n = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return n;
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.end) throw new CorruptError("truncated");
    const out = this.share
      ? this.buf.subarray(this.pos, this.pos + n)
      : this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.varint();
    if (this.pos + n > this.end) throw new CorruptError("truncated");
    let s = "";
    for (let i = this.pos; i < this.pos + n; i += 8192) {
      s += String.fromCharCode.apply(
        null,
        this.buf.subarray(i, Math.min(this.pos + n, i + 8192)) as unknown as number[],
      );
    }
    this.pos += n;
    return s;
  }
}

function writeValue(w: Writer, entry: Entry): void {
  switch (entry.type) {
    case "string":
      w.bytes(entry.value);
      return;
    case "list":
      w.varint(entry.value.length);
      for (const item of entry.value) w.bytes(item);
      return;
    case "set":
      w.varint(entry.value.size);
      for (const member of entry.value) w.str(member);
      return;
    case "zset":
      w.varint(entry.value.size);
      for (const [member, score] of entry.value) {
        w.str(member);
        w.f64(score);
      }
      return;
    case "hash":
      w.varint(entry.value.size);
      for (const [field, value] of entry.value) {
        w.str(field);
        w.bytes(valueBytes(value));
      }
      return;
  }
}

function readValue(r: Reader, type: number, expiresAt: number): Entry {
  switch (type) {
    case 0:
      return { type: "string", value: r.bytes(), expiresAt };
    case 1: {
      const n = r.count(1); // a length varint per element
      const list = new ByteList();
      for (let i = 0; i < n; i++) list.pushBack(r.bytes());
      return { type: "list", value: list, expiresAt };
    }
    case 2: {
      const n = r.count(1);
      const set = new RandomSet();
      for (let i = 0; i < n; i++) {
        set.add(r.str());
        if (set.size !== i + 1) throw new CorruptError("duplicate set member");
      }
      return { type: "set", value: set, expiresAt };
    }
    case 3: {
      const n = r.count(9); // length varint + f64 score
      const zset = new SortedSet();
      for (let i = 0; i < n; i++) {
        const member = r.str();
        const score = r.f64();
        if (Number.isNaN(score)) throw new CorruptError("NaN score");
        zset.add(member, score);
        if (zset.size !== i + 1) throw new CorruptError("duplicate sorted set member");
      }
      return { type: "zset", value: zset, expiresAt };
    }
    case 4: {
      const n = r.count(2); // two length varints
      const hash = new BytesMap();
      for (let i = 0; i < n; i++) {
        const field = r.str();
        hash.set(field, r.bytes());
        if (hash.size !== i + 1) throw new CorruptError("duplicate hash field");
      }
      return { type: "hash", value: hash, expiresAt };
    }
    default:
      throw new CorruptError(`unknown type ${type}`);
  }
}

/**
 * Serializes a value for DUMP: type byte, value, format version (u16 LE) and
 * CRC-32 (u32 LE). TTL is not included, as in Redis.
 */
export function dumpEntry(entry: Entry): Uint8Array {
  const w = new Writer();
  if (entry.type === "string") w.ensure(entry.value.length + 24); // one buffer, no regrowth
  w.u8(TYPE_CODES[entry.type]);
  writeValue(w, entry);
  w.u8(DUMP_VERSION & 0xff);
  w.u8(DUMP_VERSION >> 8);
  const crc = crc32(w.buf.subarray(0, w.pos));
  w.ensure(4);
  new DataView(w.buf.buffer).setUint32(w.pos, crc, true);
  w.pos += 4;
  return w.buf.subarray(0, w.pos); // the writer is ours alone: no copy
}

/** RESTORE's refusal when the trailer (version, checksum) does not match, in Redis's words. */
export const BAD_DUMP_TRAILER = "ERR DUMP payload version or checksum are wrong";
/** RESTORE's refusal when the checksum matches but the value is malformed, in Redis's words. */
export const BAD_DUMP_DATA = "ERR Bad data format";

/**
 * Parses a DUMP payload. Counts are checked against the payload's size
 * before anything is allocated, duplicates and empty containers are refused
 * (as Redis's RESTORE does), and a string is restored as a view of the
 * payload rather than a copy.
 *
 * @param payload The payload (not reused by the caller afterwards).
 * @returns the entry (no TTL), or Redis's error text:
 *   {@linkcode BAD_DUMP_TRAILER} or {@linkcode BAD_DUMP_DATA}.
 */
export function restoreEntry(
  payload: Uint8Array,
): Entry | typeof BAD_DUMP_TRAILER | typeof BAD_DUMP_DATA {
  if (payload.length < 7) return BAD_DUMP_TRAILER;
  const bodyEnd = payload.length - 4;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint32(bodyEnd, true) !== crc32(payload.subarray(0, bodyEnd))) {
    return BAD_DUMP_TRAILER;
  }
  if (
    payload[bodyEnd - 2] !== (DUMP_VERSION & 0xff) || payload[bodyEnd - 1] !== DUMP_VERSION >> 8
  ) {
    return BAD_DUMP_TRAILER;
  }
  try {
    const r = new Reader(payload, bodyEnd - 2, true);
    const entry = readValue(r, r.u8(), 0);
    return r.pos === bodyEnd - 2 ? entry : BAD_DUMP_DATA;
  } catch (error) {
    if (error instanceof CorruptError) return BAD_DUMP_DATA;
    throw error;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Writes a snapshot of `databases` to `path` (temp file + rename). Encodes in
 * chunks of about 1 MiB and yields to the event loop between them.
 */
export async function saveSnapshot(
  fs: FileSystem,
  path: string,
  databases: readonly Database[],
): Promise<SnapshotStats> {
  const parts: Uint8Array[] = [];
  const w = new Writer();
  for (const b of MAGIC) w.u8(b);
  w.u8(VERSION);
  let keys = 0;
  for (const db of databases) {
    if (db.size === 0) continue;
    // Keep references now; values are encoded as they are when their chunk comes.
    const entries = [...db.rawEntries()];
    w.u8(OP_SELECT);
    w.varint(db.index);
    const now = Date.now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt !== 0) {
        if (entry.expiresAt <= now) continue;
        w.u8(OP_EXPIRE);
        w.f64(entry.expiresAt);
      }
      w.u8(TYPE_CODES[entry.type]);
      w.str(key);
      writeValue(w, entry);
      keys++;
      if (w.pos >= 1 << 20) {
        parts.push(w.take());
        await yieldToEventLoop();
      }
    }
  }
  w.u8(OP_EOF);
  parts.push(w.take());
  let size = 4;
  for (const part of parts) size += part.length;
  const file = new Uint8Array(size);
  let offset = 0;
  let crc = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.length;
    crc = crc32(part, crc);
  }
  new DataView(file.buffer).setUint32(offset, crc, true);
  const temp = `${path}.tmp-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  try {
    await fs.writeFile(temp, file);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.remove?.(temp).catch(() => {});
    throw new Error(`Cannot save snapshot "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { keys, bytes: file.length };
}

/**
 * Loads the snapshot at `path` into `databases` (a missing file loads
 * nothing). The databases are filled only when the whole file is valid.
 *
 * @returns the number of keys loaded.
 * @throws {Error} `Cannot load snapshot "<path>": ...` when the file is corrupt or truncated.
 */
export async function loadSnapshot(
  fs: FileSystem,
  path: string,
  databases: readonly Database[],
): Promise<number> {
  const bytes = await fs.readFile(path);
  if (bytes === null) return 0;
  const fail = (state: string, cause?: unknown): never => {
    throw new Error(`Cannot load snapshot "${path}": ${state}`, { cause });
  };
  if (bytes.length < MAGIC.length + 1 + 1 + 4) fail("the file is truncated");
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail("not a pulsards snapshot (bad magic)");
  }
  if (bytes[MAGIC.length] !== VERSION) fail(`unsupported format version ${bytes[MAGIC.length]}`);
  const bodyEnd = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bodyEnd,
    true,
  );
  if (stored !== crc32(bytes.subarray(0, bodyEnd))) {
    fail("checksum mismatch (the file is corrupt or truncated)");
  }
  const loaded: [number, string, Entry][] = [];
  try {
    const r = new Reader(bytes, bodyEnd);
    r.pos = MAGIC.length + 1;
    let db = -1;
    let expiresAt = 0;
    while (true) {
      const op = r.u8();
      if (op === OP_EOF) break;
      if (op === OP_SELECT) {
        db = r.varint();
        if (db >= databases.length) {
          fail(`database ${db} is out of range (the server has ${databases.length})`);
        }
        continue;
      }
      if (op === OP_EXPIRE) {
        expiresAt = r.f64();
        continue;
      }
      if (db < 0) throw new CorruptError("entry before any database");
      const key = r.str();
      loaded.push([db, key, readValue(r, op, expiresAt)]);
      expiresAt = 0;
    }
    if (r.pos !== bodyEnd) throw new CorruptError("trailing bytes");
  } catch (error) {
    if (error instanceof CorruptError) fail(`the file is corrupt (${error.message})`, error);
    throw error;
  }
  const now = Date.now();
  let count = 0;
  for (const [db, key, entry] of loaded) {
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) continue;
    databases[db].set(key, entry);
    count++;
  }
  for (const db of databases) db.changes = 0;
  return count;
}
