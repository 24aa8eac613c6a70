/**
 * The storage behind the client's FIFOs: records of a fixed number of slots,
 * first in, first out, in segments of {@linkcode SEGMENT_RECORDS} records.
 *
 * Segments rather than one growing ring: a burst of 100,000 entries costs
 * new segments only, never a copy of everything queued into an array twice
 * the size, and the memory goes back once the burst is answered (a ring
 * keeps its largest size for good).
 *
 * @module
 */

/** Records per segment (a power of two). */
export const SEGMENT_RECORDS = 1024;
const SEGMENT_SHIFT = 10;
const RECORD_MASK = SEGMENT_RECORDS - 1;
/** Emptied segments kept for reuse, so a queue that hovers at a segment boundary does not churn. */
const SPARE_SEGMENTS = 2;

/**
 * A FIFO of records of `stride` slots. Callers write and read slots
 * directly: {@linkcode RecordQueue.append} returns where the new record
 * starts in {@linkcode RecordQueue.last}, {@linkcode RecordQueue.segment}
 * and {@linkcode RecordQueue.base} locate any record.
 */
export class RecordQueue {
  readonly #stride: number;
  #segments: unknown[][] = [];
  /** Index of the first record in `#segments[0]`. */
  #head = 0;
  #length = 0;
  #spare: unknown[][] = [];

  /** @param stride Slots per record. */
  constructor(stride: number) {
    this.#stride = stride;
  }

  /** Number of records. */
  get length(): number {
    return this.#length;
  }

  /** The segment that holds the last record. */
  get last(): unknown[] {
    return this.#segments[this.#segments.length - 1];
  }

  /**
   * Adds a record at the end; its slots are undefined until written.
   *
   * @returns Where its first slot is in {@linkcode RecordQueue.last}.
   */
  append(): number {
    const end = this.#head + this.#length;
    if (end >> SEGMENT_SHIFT === this.#segments.length) {
      this.#segments.push(this.#spare.pop() ?? new Array(SEGMENT_RECORDS * this.#stride));
    }
    this.#length++;
    return (end & RECORD_MASK) * this.#stride;
  }

  /**
   * The segment holding record `index` (0 is the first); valid for
   * 0 <= index < length.
   *
   * @param index The record's position.
   * @returns The segment.
   */
  segment(index: number): unknown[] {
    return this.#segments[(this.#head + index) >> SEGMENT_SHIFT];
  }

  /**
   * Where record `index` starts in its {@linkcode RecordQueue.segment}.
   *
   * @param index The record's position.
   * @returns The index of its first slot.
   */
  base(index: number): number {
    return ((this.#head + index) & RECORD_MASK) * this.#stride;
  }

  /** Removes the first record (its slots are cleared, so nothing it held is kept alive). */
  dropFirst(): void {
    if (this.#length === 0) return;
    const segment = this.#segments[0];
    const base = this.#head * this.#stride;
    for (let i = 0; i < this.#stride; i++) segment[base + i] = undefined;
    this.#length--;
    if (++this.#head === SEGMENT_RECORDS) {
      this.#segments.shift();
      if (this.#spare.length < SPARE_SEGMENTS) this.#spare.push(segment);
      this.#head = 0;
    } else if (this.#length === 0) {
      // Empty: start over at the front of the segment, dropping any others.
      this.#head = 0;
      this.#segments.length = 1;
    }
  }

  /** Removes every record. */
  clear(): void {
    for (let i = 0; i < this.#length; i++) {
      const segment = this.segment(i);
      const base = this.base(i);
      for (let j = 0; j < this.#stride; j++) segment[base + j] = undefined;
    }
    this.#segments = [];
    this.#head = 0;
    this.#length = 0;
  }
}
