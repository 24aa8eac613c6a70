/**
 * The sorted set value: a map member -> node plus a skip list ordered by
 * (score, member) with spans, so rank lookups and rank ranges are O(log n),
 * like Redis's zset.
 *
 * Members are latin1 binary strings; JavaScript's `<` on them compares bytes.
 *
 * Memory: three nodes in four have one level, so a node keeps level 0's
 * link and span in fields of its own and only higher levels in one array
 * (`upper`, link and span interleaved). Two arrays per node (`next[]`,
 * `span[]`) made a member cost about 250 bytes; this layout about 150.
 *
 * @module
 */

const MAX_LEVEL = 32;

class Node {
  member: string;
  score: number;
  prev: Node | null = null;
  /** Level 0's successor and span. */
  next0: Node | null = null;
  span0 = 0;
  /** Levels 1 and up: `[next1, span1, next2, span2, ...]`; `null` for one level. */
  upper: (Node | number | null)[] | null;

  constructor(level: number, member: string, score: number) {
    this.member = member;
    this.score = score;
    if (level === 1) {
      this.upper = null;
    } else {
      this.upper = new Array<Node | number | null>(2 * (level - 1));
      for (let i = 0; i < this.upper.length; i += 2) {
        this.upper[i] = null;
        this.upper[i + 1] = 0;
      }
    }
  }
}

/** The successor of `node` at `level`. */
function next(node: Node, level: number): Node | null {
  return level === 0 ? node.next0 : node.upper![2 * level - 2] as Node | null;
}

/** The span of `node`'s link at `level`. */
function span(node: Node, level: number): number {
  return level === 0 ? node.span0 : node.upper![2 * level - 1] as number;
}

function setNext(node: Node, level: number, to: Node | null): void {
  if (level === 0) node.next0 = to;
  else node.upper![2 * level - 2] = to;
}

function setSpan(node: Node, level: number, value: number): void {
  if (level === 0) node.span0 = value;
  else node.upper![2 * level - 1] = value;
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < 0.25) level++;
  return level;
}

/** True when (score, member) of `node` sorts before (score, member). */
function before(node: Node, score: number, member: string): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

/**
 * A sorted set.
 *
 * @example Ranks and ranges
 * ```ts
 * import { SortedSet } from "./sorted_set.ts";
 *
 * const zset = new SortedSet();
 * zset.add("b", 2);
 * zset.add("a", 1);
 * console.log(zset.rank("b"), zset.range(0, 1)); // 1 [["a", 1], ["b", 2]]
 * ```
 */
export class SortedSet {
  /** member -> score. */
  readonly scores: Map<string, number> = new Map();
  #head: Node = new Node(MAX_LEVEL, "", -Infinity);
  #tail: Node | null = null;
  #level = 1;

  /** The number of members. */
  get size(): number {
    return this.scores.size;
  }

  /** The score of `member`, or `undefined`. */
  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /**
   * Adds `member` or updates its score.
   * @returns true when the member is new.
   */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.#remove(member, old);
      this.#insert(member, score);
      this.scores.set(member, score);
      return false;
    }
    this.#insert(member, score);
    this.scores.set(member, score);
    return true;
  }

  /**
   * Removes `member`.
   * @returns true when it was there.
   */
  delete(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.#remove(member, score);
    this.scores.delete(member);
    return true;
  }

  #insert(member: string, score: number): void {
    const update = new Array<Node>(MAX_LEVEL);
    const rank = new Array<number>(MAX_LEVEL);
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1];
      for (let n = next(x, i); n !== null && before(n, score, member); n = next(x, i)) {
        rank[i] += span(x, i);
        x = n;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.#head;
        setSpan(update[i], i, this.size);
      }
      this.#level = level;
    }
    const node = new Node(level, member, score);
    for (let i = 0; i < level; i++) {
      setNext(node, i, next(update[i], i));
      setNext(update[i], i, node);
      setSpan(node, i, span(update[i], i) - (rank[0] - rank[i]));
      setSpan(update[i], i, rank[0] - rank[i] + 1);
    }
    for (let i = level; i < this.#level; i++) setSpan(update[i], i, span(update[i], i) + 1);
    node.prev = update[0] === this.#head ? null : update[0];
    if (node.next0 !== null) node.next0.prev = node;
    else this.#tail = node;
  }

  #remove(member: string, score: number): void {
    const update = new Array<Node>(MAX_LEVEL);
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = next(x, i); n !== null && before(n, score, member); n = next(x, i)) x = n;
      update[i] = x;
    }
    const node = x.next0;
    if (node === null || node.member !== member) return;
    for (let i = 0; i < this.#level; i++) {
      if (next(update[i], i) === node) {
        setSpan(update[i], i, span(update[i], i) + span(node, i) - 1);
        setNext(update[i], i, next(node, i));
      } else {
        setSpan(update[i], i, span(update[i], i) - 1);
      }
    }
    if (node.next0 !== null) node.next0.prev = node.prev;
    else this.#tail = node.prev;
    while (this.#level > 1 && next(this.#head, this.#level - 1) === null) this.#level--;
  }

  /** The 0-based rank of `member` in ascending order, or `undefined`. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    let rank = 0;
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (
        let n = next(x, i);
        n !== null && (before(n, score, member) || n.member === member);
        n = next(x, i)
      ) {
        rank += span(x, i);
        x = n;
      }
      if (x.member === member && x !== this.#head) return rank - 1;
    }
    return undefined;
  }

  #nodeAt(rank: number): Node | null {
    if (rank < 0 || rank >= this.size) return null;
    let traversed = 0;
    let x = this.#head;
    const target = rank + 1;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = next(x, i); n !== null && traversed + span(x, i) <= target; n = next(x, i)) {
        traversed += span(x, i);
        x = n;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** The `[member, score]` at ascending rank `rank`, or `undefined`. */
  at(rank: number): [string, number] | undefined {
    const node = this.#nodeAt(rank);
    return node === null ? undefined : [node.member, node.score];
  }

  /**
   * Members with ascending ranks `start..stop` (inclusive, already clamped to
   * `0..size-1` by the caller), as `[member, score]` pairs; `reverse` walks
   * from `stop` down to `start`.
   */
  range(start: number, stop: number, reverse = false): [string, number][] {
    const out: [string, number][] = [];
    if (start > stop || start >= this.size || stop < 0) return out;
    if (!reverse) {
      let node = this.#nodeAt(start);
      for (let r = start; r <= stop && node !== null; r++) {
        out.push([node.member, node.score]);
        node = node.next0;
      }
    } else {
      let node = this.#nodeAt(stop);
      for (let r = stop; r >= start && node !== null; r--) {
        out.push([node.member, node.score]);
        node = node.prev;
      }
    }
    return out;
  }

  /**
   * How many members have a score below `score` (or `<=` when `inclusive`):
   * the rank of the first member of a score range.
   */
  countScoreBelow(score: number, inclusive: boolean): number {
    let rank = 0;
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (
        let n = next(x, i);
        n !== null && (inclusive ? n.score <= score : n.score < score);
        n = next(x, i)
      ) {
        rank += span(x, i);
        x = n;
      }
    }
    return rank;
  }

  /**
   * How many members sort before `member` (or `<=` when `inclusive`) by member
   * bytes alone: the rank of the first member of a lex range (ZRANGEBYLEX
   * assumes equal scores, as in Redis).
   */
  countLexBelow(member: string, inclusive: boolean): number {
    let rank = 0;
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (
        let n = next(x, i);
        n !== null && (inclusive ? n.member <= member : n.member < member);
        n = next(x, i)
      ) {
        rank += span(x, i);
        x = n;
      }
    }
    return rank;
  }

  /** The first (lowest) `[member, score]`, or `undefined`. */
  first(): [string, number] | undefined {
    const node = this.#head.next0;
    return node === null ? undefined : [node.member, node.score];
  }

  /** The last (highest) `[member, score]`, or `undefined`. */
  last(): [string, number] | undefined {
    const node = this.#tail;
    return node === null ? undefined : [node.member, node.score];
  }

  /** Iterates `[member, score]` in ascending order. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    let node = this.#head.next0;
    while (node !== null) {
      yield [node.member, node.score];
      node = node.next0;
    }
  }

  /** A deep copy. */
  clone(): SortedSet {
    const copy = new SortedSet();
    for (const [member, score] of this) copy.add(member, score);
    return copy;
  }
}
