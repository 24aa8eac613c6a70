/** Waiting helpers for tests: every wait is bounded. */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 5 ms until it holds; false after `ms` milliseconds. */
export async function until(check: () => boolean | Promise<boolean>, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
}

/** Polls `check` until it holds; throws after `ms` milliseconds. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 2000,
): Promise<void> {
  if (!await until(check, ms)) throw new Error(`Condition not met within ${ms} ms`);
}

/** Calls `fn` until it resolves (20 ms apart); rethrows its last error after `ms` milliseconds. */
export async function retrying<T>(fn: () => Promise<T>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/** Settles like `promise`, or reports "pending" after `ms` (the timer is always cleared). */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<
  | { state: "fulfilled"; value: T }
  | { state: "rejected"; reason: unknown }
  | { state: "pending" }
> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<{ state: "pending" }>((resolve) => {
    timer = setTimeout(() => resolve({ state: "pending" }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ state: "fulfilled" as const, value }),
        (reason) => ({ state: "rejected" as const, reason }),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
