/**
 * MONITOR lines: what the embedded server shows clients in MONITOR mode for
 * each command it runs, as Redis 7.0 does (`replicationFeedMonitors`).
 *
 * A line is `+<seconds>.<micros> [<db> <addr>] "arg" "arg"...` with every
 * argument escaped like Redis's `sdscatrepr`. It is built straight into one
 * byte array of its exact size (one pass to measure, one to write), so a
 * 20 MB argument costs about 20-80 MB once, shared by every monitor, instead
 * of a string grown one character at a time.
 *
 * Secrets are never shown: like Redis's `redactClientCommandArgument`, the
 * password arguments of AUTH and of HELLO's `AUTH` clause read `(redacted)`.
 *
 * @module
 */

/** The letter after the backslash for bytes with a short escape (`\\`, `\"`, `\n`...), else 0. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const [byte, letter] of ["\\\\", '""', "\nn", "\rr", "\tt", "\u0007a", "\bb"]) {
  SHORT_ESCAPE[byte.charCodeAt(0)] = letter.charCodeAt(0);
}

/** How many bytes each byte takes once escaped: 1, 2 (`\n`) or 4 (`\xff`). */
const ESCAPED_LENGTH = new Uint8Array(256).map((_, c) =>
  SHORT_ESCAPE[c] !== 0 ? 2 : c >= 32 && c < 127 ? 1 : 4
);

const HEX = "0123456789abcdef";
const REDACTED = Uint8Array.from("(redacted)", (c) => c.charCodeAt(0));

/** Lowercase ASCII equality of `bytes` and `word`. */
function isWord(bytes: Uint8Array, word: string): boolean {
  if (bytes.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((bytes[i] | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * The arguments MONITOR must not show: AUTH's user and password, and the
 * user and password after HELLO's `AUTH` token.
 *
 * @param name The command's lowercase name.
 * @param args The arguments, name first.
 * @returns The indexes to redact; empty when none.
 */
export function secretArguments(name: string, args: readonly Uint8Array[]): number[] {
  if (name === "auth") return args.map((_, i) => i).slice(1);
  if (name === "hello") {
    for (let i = 2; i + 2 < args.length; i++) {
      if (isWord(args[i], "auth")) return [i + 1, i + 2];
    }
  }
  return [];
}

/**
 * Builds one MONITOR line (a RESP simple string, CRLF included).
 *
 * @param now The time, epoch milliseconds.
 * @param db The database index the command ran in.
 * @param addr The calling client's address.
 * @param args The arguments, name first.
 * @param secrets Indexes of arguments to show as `(redacted)`.
 * @returns The line's bytes.
 *
 * @example A SET seen by a monitor
 * ```ts
 * import { monitorLine } from "./monitor.ts";
 *
 * const args = ["SET", "k", "a\nb"].map((s) => new TextEncoder().encode(s));
 * const line = new TextDecoder().decode(monitorLine(1700000000123, 0, "127.0.0.1:5000", args));
 * console.log(line); // '+1700000000.123000 [0 127.0.0.1:5000] "SET" "k" "a\\nb"\r\n'
 * ```
 */
export function monitorLine(
  now: number,
  db: number,
  addr: string,
  args: readonly Uint8Array[],
  secrets: readonly number[] = [],
): Uint8Array {
  const micros = String((now % 1000) * 1000).padStart(6, "0");
  const head = `+${Math.floor(now / 1000)}.${micros} [${db} ${addr}]`;
  const shown = secrets.length === 0
    ? args
    : args.map((arg, i) => secrets.includes(i) ? REDACTED : arg);
  let length = head.length + 2;
  for (const arg of shown) {
    length += 3;
    for (let i = 0; i < arg.length; i++) length += ESCAPED_LENGTH[arg[i]];
  }
  const out = new Uint8Array(length);
  let w = 0;
  // The head is ASCII except perhaps a unix socket path: keep one byte per char.
  for (let i = 0; i < head.length; i++) out[w++] = head.charCodeAt(i) & 0xff;
  for (const arg of shown) {
    out[w++] = 32;
    out[w++] = 34;
    for (let i = 0; i < arg.length; i++) {
      const c = arg[i];
      const size = ESCAPED_LENGTH[c];
      if (size === 1) {
        out[w++] = c;
      } else if (size === 2) {
        out[w++] = 92;
        out[w++] = SHORT_ESCAPE[c];
      } else {
        out[w++] = 92;
        out[w++] = 120; // x
        out[w++] = HEX.charCodeAt(c >> 4);
        out[w++] = HEX.charCodeAt(c & 15);
      }
    }
    out[w++] = 34;
  }
  out[w++] = 13;
  out[w] = 10;
  return out;
}
