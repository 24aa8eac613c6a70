/**
 * Redis glob-style matching (`KEYS`, `SCAN MATCH`, `PSUBSCRIBE`, `PUBSUB
 * CHANNELS`, `CONFIG GET`): Redis 7.0's `stringmatchlen`, on latin1 binary
 * strings (one char per byte).
 *
 * The naive backtracking matcher is exponential: `a*a*a*...*b` against
 * `aaa...a` tries every way to split the text between the stars. Redis 7.0.9+
 * (and this port) stops that with two rules:
 *
 * - **Skip longer matches.** When the rest of the pattern after a `*` fails
 *   at every later position of the text, no earlier `*` can help by eating
 *   more (that would only start the rest later still), so the whole match
 *   fails at once. Each `*` then scans the text once: O(pattern x text).
 * - **Nesting limit.** More than 1000 nested `*` never match (and bound the
 *   recursion depth).
 *
 * The semantics are Redis's, quirks included: the empty text matches only the
 * empty pattern (`"*"` does not match `""`; KEYS and SCAN special-case a lone
 * `*`, see {@linkcode globMatch}); an unterminated `[` class ends with the
 * pattern; `[z-a]` is `[a-z]`; range bounds compare as C's signed `char`
 * (bytes 0x80-0xff sort below 0x00), as on x86 builds.
 *
 * @module
 */

const STAR = 42; // '*'
const QUESTION = 63; // '?'
const OPEN = 91; // '['
const CLOSE = 93; // ']'
const CARET = 94; // '^'
const DASH = 45; // '-'
const BACKSLASH = 92; // '\\'

/** Redis gives up (no match) beyond this many nested `*`. */
const MAX_NESTING = 1000;

/** Set when a `*` proved that the rest of the pattern matches nowhere later. */
let skipLongerMatches = false;

/** A byte as C's signed `char` (how Redis compares range bounds). */
function signed(c: number): number {
  return c > 127 ? c - 256 : c;
}

/** ASCII `tolower` (the C locale). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * True when `text` matches the glob `pattern`, exactly as Redis's
 * `stringmatchlen` decides: `*` (any run of bytes),
 * `?` (one byte), `[abc]`, `[^abc]`, `[a-z]`, `\x` (a literal `x`, also inside
 * classes). PUBLISH and PUBSUB CHANNELS match with this.
 *
 * @param pattern The glob, a latin1 binary string.
 * @param text The text, a latin1 binary string.
 * @param nocase Compare ASCII letters case-insensitively (CONFIG GET).
 * @returns whether the whole of `text` matches.
 *
 * @example Match a channel
 * ```ts
 * import { stringMatch } from "./glob.ts";
 *
 * console.log(stringMatch("news.*", "news.tech")); // true
 * console.log(stringMatch("*", "")); // false, as in Redis
 * ```
 */
export function stringMatch(pattern: string, text: string, nocase = false): boolean {
  skipLongerMatches = false;
  return matchFrom(pattern, 0, text, 0, nocase, 0);
}

/**
 * True when the key `text` matches `pattern`, as KEYS and SCAN MATCH decide:
 * a lone `*` matches every key (the empty key too, which Redis's KEYS and
 * SCAN special-case); anything else is {@linkcode stringMatch}.
 *
 * @param pattern The glob, a latin1 binary string.
 * @param text The key, a latin1 binary string.
 * @returns whether the key matches.
 *
 * @example Filter keys
 * ```ts
 * import { globMatch } from "./glob.ts";
 *
 * console.log(globMatch("user:*", "user:42")); // true
 * console.log(globMatch("user:[0-3]", "user:7")); // false
 * ```
 */
export function globMatch(pattern: string, text: string): boolean {
  if (pattern === "*") return true;
  return stringMatch(pattern, text);
}

/** The literal byte the pattern token at `pi` stands for, or "" for `?`, `[` and `*`. */
function literalAt(p: string, pi: number): string {
  const c = p.charCodeAt(pi);
  if (c === STAR || c === QUESTION || c === OPEN) return "";
  if (c === BACKSLASH && pi + 1 < p.length) return p[pi + 1];
  return p[pi];
}

function matchFrom(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const c = p.charCodeAt(pi);
    switch (c) {
      case STAR: {
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === STAR) pi++;
        if (pi + 1 === plen) return true;
        // When the rest starts with a literal byte, only the positions holding
        // it can match (elsewhere the call would fail at once): find them with
        // indexOf instead of a call per position.
        const first = nocase ? "" : literalAt(p, pi + 1);
        for (; si < slen; si++) {
          if (first !== "") {
            si = s.indexOf(first, si);
            if (si < 0) break;
          }
          if (matchFrom(p, pi + 1, s, si, nocase, nesting + 1)) return true;
          if (skipLongerMatches) return false;
        }
        // The rest matches from no position: earlier stars eating more
        // would only start it later, so they need not try.
        skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === CARET;
        if (not) pi++;
        let matched = false;
        const sc = s.charCodeAt(si);
        for (;; pi++) {
          const pc = pi < plen ? p.charCodeAt(pi) : -1;
          if (pc === BACKSLASH && plen - pi >= 2) {
            pi++;
            if (p.charCodeAt(pi) === sc) matched = true;
          } else if (pc === CLOSE) {
            break;
          } else if (pi >= plen) {
            pi--; // unterminated class: it ends with the pattern
            break;
          } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === DASH) {
            let start = signed(pc);
            let end = signed(p.charCodeAt(pi + 2));
            if (start > end) [start, end] = [end, start];
            let x = signed(sc);
            if (nocase) {
              start = lower(start);
              end = lower(end);
              x = lower(x);
            }
            pi += 2;
            if (x >= start && x <= end) matched = true;
          } else if (nocase ? lower(pc) === lower(sc) : pc === sc) {
            matched = true;
          }
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      case BACKSLASH:
        if (plen - pi >= 2) pi++;
        // falls through: compare the escaped char literally
      default: {
        const pc = p.charCodeAt(pi);
        const sc = s.charCodeAt(si);
        if (nocase ? lower(pc) !== lower(sc) : pc !== sc) return false;
        si++;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
