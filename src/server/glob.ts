/**
 * Redis glob-style matching (`KEYS`, `SCAN MATCH`, `PSUBSCRIBE`): a port of
 * `stringmatchlen` working on latin1 binary strings.
 *
 * @module
 */

/**
 * True when `text` matches the glob `pattern` (`*`, `?`, `[abc]`, `[^a-z]`,
 * `\x` escapes), with Redis's exact semantics.
 *
 * @example
 * ```ts
 * import { globMatch } from "./glob.ts";
 *
 * console.log(globMatch("user:*", "user:42")); // true
 * ```
 */
export function globMatch(pattern: string, text: string): boolean {
  if (pattern === "*") return true;
  return match(pattern, 0, text, 0, 0);
}

function match(p: string, pi: number, s: string, si: number, depth: number): boolean {
  // Bounded recursion like Redis (which caps nesting at 1000).
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si <= slen) {
    const c = p.charCodeAt(pi);
    switch (c) {
      case 42: { // '*'
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        for (let k = si; k <= slen; k++) {
          if (match(p, pi + 1, s, k, depth + 1)) return true;
        }
        return false;
      }
      case 63: // '?'
        if (si >= slen) return false;
        si++;
        break;
      case 91: { // '['
        if (si >= slen) return false;
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === 94;
        if (not) pi++;
        let matched = false;
        const sc = s.charCodeAt(si);
        while (true) {
          if (pi >= plen) {
            pi--; // unterminated: like Redis, stop at the end of the pattern
            break;
          }
          const pc = p.charCodeAt(pi);
          if (pc === 92 && pi + 1 < plen) { // '\\'
            pi++;
            if (p.charCodeAt(pi) === sc) matched = true;
          } else if (pc === 93) { // ']'
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) { // range a-z
            let start = pc;
            let end = p.charCodeAt(pi + 2);
            if (start > end) [start, end] = [end, start];
            pi += 2;
            if (sc >= start && sc <= end) matched = true;
          } else if (pc === sc) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      case 92: // '\\'
        if (pi + 1 < plen) pi++;
        if (si >= slen || p.charCodeAt(pi) !== s.charCodeAt(si)) return false;
        si++;
        break;
      default:
        if (si >= slen || c !== s.charCodeAt(si)) return false;
        si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
