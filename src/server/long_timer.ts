/**
 * Timers for durations a client chooses (BLPOP's timeout, a save schedule),
 * which may be longer than the runtime's timers can count.
 *
 * `setTimeout` keeps its delay in a signed 32-bit integer: above 2^31 - 1 ms
 * (about 24.8 days) Deno, Bun and browsers fire at once instead. A long timer
 * sleeps in steps of at most that much towards an absolute deadline.
 *
 * @module
 */

/** The longest delay `setTimeout` honours, in milliseconds (2^31 - 1). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** A pending {@linkcode setLongTimeout}; cancel it with {@linkcode clearLongTimeout}. */
export interface LongTimer {
  /** The runtime timer of the current step. */
  handle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Calls `callback` once `ms` milliseconds have passed, however long that is.
 *
 * @param callback What to run.
 * @param ms The delay in milliseconds; `Infinity` never fires.
 * @returns The timer.
 *
 * @example Wait 30 days
 * ```ts
 * import { clearLongTimeout, setLongTimeout } from "./long_timer.ts";
 *
 * const timer = setLongTimeout(() => console.log("a month later"), 30 * 24 * 3600 * 1000);
 * clearLongTimeout(timer);
 * ```
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimer {
  const timer: LongTimer = { handle: undefined };
  if (ms < Infinity) arm(timer, Date.now() + Math.max(0, ms), callback);
  return timer;
}

/** Sleeps towards `deadline` (epoch ms) in steps the runtime can count, then calls back. */
function arm(timer: LongTimer, deadline: number, callback: () => void): void {
  const left = deadline - Date.now();
  timer.handle = setTimeout(() => {
    if (Date.now() >= deadline) {
      timer.handle = undefined;
      callback();
    } else {
      arm(timer, deadline, callback);
    }
  }, Math.min(Math.max(0, left), MAX_TIMER_DELAY));
}

/**
 * Cancels a {@linkcode setLongTimeout} or {@linkcode setLongInterval}; idempotent.
 *
 * @param timer The timer.
 */
export function clearLongTimeout(timer: LongTimer): void {
  if (timer.handle !== undefined) clearTimeout(timer.handle);
  timer.handle = undefined;
}

/**
 * Calls `callback` every `ms` milliseconds, however long that is, until
 * cleared with {@linkcode clearLongTimeout}.
 *
 * @param callback What to run.
 * @param ms The period in milliseconds (at least 1).
 * @returns The timer.
 */
export function setLongInterval(callback: () => void, ms: number): LongTimer {
  const timer: LongTimer = { handle: undefined };
  const period = Math.max(1, ms);
  const tick = () => {
    arm(timer, Date.now() + period, tick);
    callback();
  };
  arm(timer, Date.now() + period, tick);
  return timer;
}
