/**
 * Argument checks shared by the command families. Redis rejects most bad
 * arguments itself; these catch what it cannot see (a non-finite timeout
 * would be sent as text, a fractional count silently means something else).
 *
 * @module
 */

/**
 * Checks a blocking timeout in seconds (0 waits forever).
 *
 * @param timeout The timeout.
 * @returns The timeout.
 * @throws {RangeError} When it is not a finite number >= 0.
 */
export function timeoutArg(timeout: number): number {
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0) {
    throw new RangeError(
      `Cannot block: timeout ${String(timeout)} is not a finite number of seconds >= 0`,
    );
  }
  return timeout;
}

/**
 * Checks an integer argument.
 *
 * @param name The argument's name, for the message.
 * @param value The value.
 * @param min The smallest accepted value.
 * @returns The value.
 * @throws {RangeError} When it is not a safe integer >= `min`.
 */
export function integerArg(name: string, value: number, min = -Infinity): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    const bound = min === -Infinity ? "" : ` >= ${min}`;
    throw new RangeError(`Cannot use ${name} ${String(value)}: it is not an integer${bound}`);
  }
  return value;
}

/**
 * A Unix time for EXPIREAT-style commands.
 *
 * @param name The argument's name, for the message.
 * @param time A `Date`, or a number already in the unit wanted.
 * @param unit Milliseconds per unit of the result (1000 for seconds).
 * @returns The time as an integer in that unit.
 * @throws {RangeError} For an invalid date.
 */
export function unixArg(name: string, time: number | Date, unit: 1 | 1000): number {
  if (time instanceof Date) {
    const ms = time.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`Cannot use ${name}: it is an invalid date`);
    return Math.floor(ms / unit);
  }
  return time;
}

/**
 * Escapes the glob characters of a literal (a namespace) for MATCH/KEYS.
 *
 * @param text The literal.
 * @returns The escaped pattern.
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, "\\$&");
}
