/**
 * The list value of the embedded server: byte strings packed into chunks,
 * like Redis's quicklist of listpacks.
 *
 * A `Uint8Array` per element costs 70-110 bytes before its contents (10M
 * empty RPUSH elements: 1.07 GB; Redis: 24M in 96 MB). Here each chunk keeps
 * up to {@linkcode CHUNK_ELEMENTS} elements as one byte buffer plus one
 * `Int32Array` of boundaries, so a small element costs its bytes plus about
 * five. Elements longer than {@linkcode SHARED_MAX} bytes are kept as the
 * arrays they came in (no copy of large values; their own overhead is small
 * next to them).
 *
 * Every chunk but the first and the last is full, so the element at an index
 * is found by arithmetic: O(1) `at`, as with the ring buffer this replaces.
 * Pushes and pops at both ends are amortized O(1) (a chunk keeps slack on the
 * side it grows towards). Reads return fresh copies (carved from the shared
 * slab, see `../protocol/_slab.ts`) or the stored large array; stored bytes
 * are never handed out for writing.
 *
 * Measured (10M empty RPUSH elements, server process RSS): Deno 1357 MB with
 * an array per element, 227 MB now; Bun 1008 MB -> 120 MB (redis-server:
 * 41 MB); live heap per element 113 -> 8 bytes (Deno), 73 -> 7 (Bun).
 * LRANGE writes a chunk's elements in one framed copy (`writeBulks`), about
 * twice as fast as one array per element; pushes and pops kept their speed
 * (in-process, best of three).
 *
 * @module
 */

import { copy } from "../protocol/_slab.ts";
import { Deque } from "./deque.ts";

/** Elements per chunk (Redis's listpacks default to 8 KB, about 128 small elements). */
export const CHUNK_ELEMENTS = 128;
/**
 * Longer elements are stored as they are, not copied into a chunk: a chunk
 * then holds at most 32 KiB, so its boundaries fit 16 bits even with slack.
 */
export const SHARED_MAX = 256;
/** The largest byte buffer of a chunk (boundaries are `Uint16Array`). */
const MAX_CAPACITY = 65535;

/** The end a push goes to: where a chunk that makes room puts its slack. */
const BACK = 1;
const FRONT = 2;

/** Up to CHUNK_ELEMENTS elements: slots `lo..hi-1`, slot `s` holds `data[bound[s], bound[s+1])`. */
class Chunk {
  data: Uint8Array;
  bound: Uint16Array = new Uint16Array(CHUNK_ELEMENTS + 1);
  /** Large elements by slot (their byte range is empty); `null` while there are none. */
  large: (Uint8Array | undefined)[] | null = null;
  lo: number;
  hi: number;

  /** @param side The end the chunk is created for: its slack goes there. */
  constructor(side: number) {
    this.data = new Uint8Array(32);
    this.lo = this.hi = side === FRONT ? CHUNK_ELEMENTS : 0;
    this.bound[this.lo] = side === FRONT ? this.data.length : 0;
  }

  get count(): number {
    return this.hi - this.lo;
  }

  /** The element at position `k` (0 = first): a copy, or the stored large array. */
  get(k: number): Uint8Array {
    const slot = this.lo + k;
    const large = this.large?.[slot];
    if (large !== undefined) return large;
    const start = this.bound[slot];
    return copy(this.data, start, this.bound[slot + 1] - start);
  }

  /** Empties the chunk for reuse at `side`, keeping its buffers. */
  reset(side: number): void {
    this.large = null;
    this.lo = this.hi = side === FRONT ? CHUNK_ELEMENTS : 0;
    this.bound[this.lo] = side === FRONT ? this.data.length : 0;
  }

  /** True when the element at position `k` equals `bytes` (no copy). */
  equals(k: number, bytes: Uint8Array): boolean {
    const slot = this.lo + k;
    const large = this.large?.[slot];
    if (large !== undefined) return sameBytes(large, bytes);
    const start = this.bound[slot];
    const n = this.bound[slot + 1] - start;
    if (n !== bytes.length) return false;
    const data = this.data;
    for (let i = 0; i < n; i++) if (data[start + i] !== bytes[i]) return false;
    return true;
  }

  /** Appends `item`; `lone` when this chunk is the only one (it may grow both ways). */
  pushBack(item: Uint8Array, lone: boolean): void {
    const n = item.length > SHARED_MAX ? 0 : item.length;
    if (this.hi === CHUNK_ELEMENTS || this.bound[this.hi] + n > this.data.length) {
      this.#relayout(BACK, lone, n);
    }
    const slot = this.hi;
    const start = this.bound[slot];
    if (n !== item.length) this.#setLarge(slot, item);
    else this.#write(start, item);
    this.bound[slot + 1] = start + n;
    this.hi++;
  }

  /** Prepends `item`; `lone` as for {@linkcode Chunk.pushBack}. */
  pushFront(item: Uint8Array, lone: boolean): void {
    const n = item.length > SHARED_MAX ? 0 : item.length;
    if (this.lo === 0 || this.bound[this.lo] - n < 0) this.#relayout(FRONT, lone, n);
    const slot = this.lo - 1;
    const start = this.bound[this.lo] - n;
    this.bound[slot] = start;
    if (n !== item.length) this.#setLarge(slot, item);
    else this.#write(start, item);
    this.lo--;
  }

  popFront(): Uint8Array {
    const item = this.get(0);
    if (this.large !== null) this.large[this.lo] = undefined;
    this.lo++;
    return item;
  }

  popBack(): Uint8Array {
    const item = this.get(this.count - 1);
    this.hi--;
    if (this.large !== null) this.large[this.hi] = undefined;
    return item;
  }

  /** Drops the byte slack of a chunk that is full and no longer grows. */
  shrink(): void {
    if (this.bound[this.hi] - this.bound[this.lo] < this.data.length) {
      this.#relayout(BACK, false, 0, true);
    }
  }

  #write(start: number, item: Uint8Array): void {
    const n = item.length;
    if (n <= 16) { for (let i = 0; i < n; i++) this.data[start + i] = item[i]; }
    else this.data.set(item, start);
  }

  #setLarge(slot: number, item: Uint8Array): void {
    this.large ??= [];
    // A view of a shared buffer (the parser's slabs) would keep all of it alive.
    this.large[slot] = item.byteLength === item.buffer.byteLength ? item : item.slice();
  }

  /**
   * Moves the elements so that `extra` more bytes and one more slot fit at
   * `side`: all the slack goes there, or half to each end for a `lone`
   * chunk (pushed at both ends); the byte buffer doubles what is needed
   * when it is short. `exact` shrinks the buffer to the bytes held.
   */
  #relayout(side: number, lone: boolean, extra: number, exact = false): void {
    const count = this.count;
    const first = this.bound[this.lo];
    const used = this.bound[this.hi] - first;
    let capacity = exact ? used : this.data.length;
    if (used + extra > (lone ? capacity / 2 : capacity)) {
      capacity = Math.min(MAX_CAPACITY, Math.max(32, 2 * (used + extra)));
    }
    const slack = CHUNK_ELEMENTS - count;
    const free = capacity - used;
    // A lone chunk splits its slack, rounding towards `side` (which needs >= 1 slot).
    const lo = lone
      ? (side === FRONT ? (slack + 1) >> 1 : slack >> 1)
      : (side === BACK ? 0 : slack);
    const byteStart = lone
      ? (side === FRONT ? (free + 1) >> 1 : free >> 1)
      : (side === BACK ? 0 : free);
    const data = capacity === this.data.length && byteStart === first
      ? this.data
      : new Uint8Array(capacity);
    data.set(this.data.subarray(first, first + used), byteStart);
    const bound = this.bound;
    const shift = byteStart - first;
    if (lo <= this.lo) {
      for (let i = 0; i <= count; i++) bound[lo + i] = bound[this.lo + i] + shift;
    } else {
      for (let i = count; i >= 0; i--) bound[lo + i] = bound[this.lo + i] + shift;
    }
    if (this.large !== null) {
      const large: (Uint8Array | undefined)[] = [];
      for (let i = 0; i < count; i++) large[lo + i] = this.large[this.lo + i];
      this.large = large;
    }
    this.data = data;
    this.lo = lo;
    this.hi = lo + count;
  }
}

/** Where {@linkcode ByteList.writeBulks} frames replies before handing them out. */
const scratch = new Uint8Array(16 * 1024);

/** Writes `$<n>\r\n` at `p` of `scratch`; returns the next position. */
function bulkHeader(p: number, n: number): number {
  scratch[p++] = 36; // $
  if (n >= 10) {
    const digits = String(n);
    for (let i = 0; i < digits.length; i++) scratch[p++] = digits.charCodeAt(i);
  } else {
    scratch[p++] = 48 + n;
  }
  scratch[p++] = 13;
  scratch[p++] = 10;
  return p;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A list of byte strings with O(1) pushes and pops at both ends and O(1)
 * access by index, stored compactly. Whole-list edits (LTRIM, LREM,
 * LINSERT) are methods that rebuild the chunks in one pass, never an array
 * of every element.
 *
 * @example Push, index and pop
 * ```ts
 * import { ByteList } from "./byte_list.ts";
 *
 * const list = new ByteList();
 * list.pushBack(new Uint8Array([2]));
 * list.pushFront(new Uint8Array([1]));
 * console.log(list.at(-1), list.popFront(), list.length); // Uint8Array [2] Uint8Array [1] 1
 * ```
 */
export class ByteList {
  #chunks = new Deque<Chunk>();
  #length = 0;
  // The last chunk emptied by a pop, reused by the next push that needs a
  // chunk: a push/pop pair at a chunk boundary allocates nothing.
  #spare: Chunk | null = null;
  // #locate's results (no tuple per lookup).
  #chunk: Chunk | null = null;
  #k = 0;
  // What the list holds, kept on every edit so memory accounting reads it in
  // O(1) (see ./memory.ts): chunks (the spare included), their byte buffers'
  // capacity, and the large elements kept as arrays of their own.
  #chunkCount = 0;
  #chunkBytes = 0;
  #largeCount = 0;
  #largeBytes = 0;

  /** Builds a list holding `items`, first item at the head. */
  static from(items: Iterable<Uint8Array>): ByteList {
    const list = new ByteList();
    for (const item of items) list.pushBack(item);
    return list;
  }

  /** The number of elements. */
  get length(): number {
    return this.#length;
  }

  /** The number of chunks allocated (a spare one kept for reuse included). */
  get chunkCount(): number {
    return this.#chunkCount;
  }

  /** The summed capacity of the chunks' byte buffers, in bytes. */
  get chunkBytes(): number {
    return this.#chunkBytes;
  }

  /** The number of elements longer than {@linkcode SHARED_MAX}, kept as arrays of their own. */
  get largeCount(): number {
    return this.#largeCount;
  }

  /** The summed length of the large elements, in bytes. */
  get largeBytes(): number {
    return this.#largeBytes;
  }

  // Counts an element entering (sign 1) or leaving (-1) the list.
  #count(item: Uint8Array, sign: number): void {
    if (item.length > SHARED_MAX) {
      this.#largeCount += sign;
      this.#largeBytes += sign * item.length;
    }
  }

  /** Appends at the tail. */
  pushBack(item: Uint8Array): void {
    const chunks = this.#chunks;
    let tail = chunks.at(-1);
    if (tail === undefined || tail.count === CHUNK_ELEMENTS) {
      if (tail !== undefined) this.#shrink(tail);
      tail = this.#newChunk(BACK);
      chunks.pushBack(tail);
    }
    const capacity = tail.data.length;
    tail.pushBack(item, chunks.length === 1);
    this.#chunkBytes += tail.data.length - capacity;
    this.#count(item, 1);
    this.#length++;
  }

  /** Prepends at the head. */
  pushFront(item: Uint8Array): void {
    const chunks = this.#chunks;
    let head = chunks.at(0);
    if (head === undefined || head.count === CHUNK_ELEMENTS) {
      if (head !== undefined) this.#shrink(head);
      head = this.#newChunk(FRONT);
      chunks.pushFront(head);
    }
    const capacity = head.data.length;
    head.pushFront(item, chunks.length === 1);
    this.#chunkBytes += head.data.length - capacity;
    this.#count(item, 1);
    this.#length++;
  }

  /** Removes and returns the head, or `undefined` when empty. */
  popFront(): Uint8Array | undefined {
    const head = this.#chunks.at(0);
    if (head === undefined) return undefined;
    const item = head.popFront();
    if (head.count === 0) this.#keepSpare(this.#chunks.popFront()!);
    this.#count(item, -1);
    this.#length--;
    return item;
  }

  /** Removes and returns the tail, or `undefined` when empty. */
  popBack(): Uint8Array | undefined {
    const tail = this.#chunks.at(-1);
    if (tail === undefined) return undefined;
    const item = tail.popBack();
    if (tail.count === 0) this.#keepSpare(this.#chunks.popBack()!);
    this.#count(item, -1);
    this.#length--;
    return item;
  }

  // Keeps an emptied chunk for reuse, dropping the previous spare.
  #keepSpare(chunk: Chunk): void {
    const old = this.#spare;
    if (old !== null) {
      this.#chunkCount--;
      this.#chunkBytes -= old.data.length;
    }
    this.#spare = chunk;
  }

  #shrink(chunk: Chunk): void {
    const capacity = chunk.data.length;
    chunk.shrink();
    this.#chunkBytes += chunk.data.length - capacity;
  }

  #newChunk(side: number): Chunk {
    const spare = this.#spare;
    if (spare === null) {
      const chunk = new Chunk(side);
      this.#chunkCount++;
      this.#chunkBytes += chunk.data.length;
      return chunk;
    }
    this.#spare = null;
    spare.reset(side);
    return spare;
  }

  // Finds the chunk holding `index` (0 <= index < length) and the position
  // in it: sets #chunk and #k.
  #locate(index: number): void {
    const head = this.#chunks.at(0)!;
    if (index < head.count) {
      this.#chunk = head;
      this.#k = index;
      return;
    }
    const rest = index - head.count;
    this.#chunk = this.#chunks.at(1 + Math.floor(rest / CHUNK_ELEMENTS))!;
    this.#k = rest % CHUNK_ELEMENTS;
  }

  /** The element at `index` (0 = head; negative counts from the tail), or `undefined`. */
  at(index: number): Uint8Array | undefined {
    if (index < 0) index += this.#length;
    if (index < 0 || index >= this.#length) return undefined;
    this.#locate(index);
    return this.#chunk!.get(this.#k);
  }

  /** True when the element at `index` (0 <= index < length) equals `bytes`; copies nothing. */
  equalsAt(index: number, bytes: Uint8Array): boolean {
    this.#locate(index);
    return this.#chunk!.equals(this.#k, bytes);
  }

  /** Replaces the element at `index` (0 <= index < length). */
  set(index: number, item: Uint8Array): void {
    if (index < 0 || index >= this.#length) {
      throw new RangeError("Cannot set element: index out of range");
    }
    // Rewrite the chunk holding it: O(one chunk).
    this.#locate(index);
    const chunk = this.#chunk!;
    const k = this.#k;
    const items: Uint8Array[] = [];
    for (let i = 0; i < chunk.count; i++) items.push(i === k ? item : chunk.get(i));
    this.#count(chunk.get(k), -1);
    this.#count(item, 1);
    const capacity = chunk.data.length;
    chunk.hi = chunk.lo;
    if (chunk.large !== null) chunk.large = null;
    for (const each of items) chunk.pushBack(each, true);
    this.#chunkBytes += chunk.data.length - capacity;
  }

  /**
   * Writes the elements `start..end` (inclusive, within bounds) as RESP
   * bulk strings (`$<n>\r\n<bytes>\r\n`, the same in RESP2 and RESP3):
   * framed a chunk at a time into a shared scratch buffer that `out` must
   * copy at once (`ReplyWriter.raw`). LRANGE costs no object per element,
   * as it did when elements were stored as arrays.
   */
  writeBulks(start: number, end: number, out: (bytes: Uint8Array) => void): void {
    if (start > end) return;
    this.#locate(start);
    let chunk = this.#chunk!;
    let k = this.#k;
    const head = this.#chunks.at(0)!;
    let chunkIndex = start < head.count ? 0 : 1 + Math.floor((start - head.count) / CHUNK_ELEMENTS);
    let p = 0;
    // Room for one packed element and its framing.
    const limit = scratch.length - SHARED_MAX - 16;
    for (let i = start; i <= end; i++) {
      if (k === chunk.count) {
        chunk = this.#chunks.at(++chunkIndex)!;
        k = 0;
      }
      const slot = chunk.lo + k++;
      const large = chunk.large?.[slot];
      if (large !== undefined) {
        p = bulkHeader(p, large.length);
        out(scratch.subarray(0, p));
        out(large);
        scratch[0] = 13;
        scratch[1] = 10;
        p = 2;
        continue;
      }
      const from = chunk.bound[slot];
      const n = chunk.bound[slot + 1] - from;
      p = bulkHeader(p, n);
      const data = chunk.data;
      for (let j = 0; j < n; j++) scratch[p + j] = data[from + j];
      p += n;
      scratch[p++] = 13;
      scratch[p++] = 10;
      if (p > limit) {
        out(scratch.subarray(0, p));
        p = 0;
      }
    }
    if (p !== 0) out(scratch.subarray(0, p));
  }

  // Rebuilds the list from the elements `keep(chunk, k, index)` accepts
  // (called head to tail, once each); returns how many were dropped.
  #rebuild(keep: (chunk: Chunk, k: number, index: number) => boolean): number {
    const old = this.#chunks;
    const length = this.#length;
    this.#chunks = new Deque<Chunk>();
    this.#length = 0;
    this.#recount();
    let index = 0;
    for (const chunk of old) {
      for (let k = 0; k < chunk.count; k++) {
        if (keep(chunk, k, index++)) this.pushBack(chunk.get(k));
      }
    }
    return length - this.#length;
  }

  // Restarts the counts for a rebuild into new chunks: the old ones are dropped.
  #recount(): void {
    const spare = this.#spare;
    this.#chunkCount = spare === null ? 0 : 1;
    this.#chunkBytes = spare === null ? 0 : spare.data.length;
    this.#largeCount = 0;
    this.#largeBytes = 0;
  }

  /** Keeps only the elements `start..end` (inclusive, within bounds); O(n), LTRIM. */
  trim(start: number, end: number): void {
    this.#rebuild((_chunk, _k, index) => index >= start && index <= end);
  }

  /**
   * Removes up to `limit` elements equal to `bytes`, head to tail, starting
   * at index `from` (LREM); O(n). Returns how many were removed.
   */
  removeEqual(bytes: Uint8Array, from: number, limit: number): number {
    let removed = 0;
    return this.#rebuild((chunk, k, index) => {
      if (index < from || removed >= limit || !chunk.equals(k, bytes)) return true;
      removed++;
      return false;
    });
  }

  /** Inserts `item` before the element at `position` (0 <= position <= length); O(n). */
  insert(position: number, item: Uint8Array): void {
    if (position === 0) return this.pushFront(item);
    if (position === this.#length) return this.pushBack(item);
    const old = this.#chunks;
    this.#chunks = new Deque<Chunk>();
    this.#length = 0;
    this.#recount();
    for (const chunk of old) {
      for (let k = 0; k < chunk.count; k++) {
        if (this.#length === position) this.pushBack(item);
        this.pushBack(chunk.get(k));
      }
    }
  }

  /** Iterates head to tail. */
  *[Symbol.iterator](): IterableIterator<Uint8Array> {
    for (const chunk of this.#chunks) {
      for (let k = 0; k < chunk.count; k++) yield chunk.get(k);
    }
  }
}
