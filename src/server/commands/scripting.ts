/**
 * Scripting: EVAL, EVALSHA, SCRIPT, FUNCTION, FCALL are not supported by the
 * embedded server; each replies one clear error.
 *
 * @module
 */

import { command, NO_KEYS } from "../define.ts";
import type { CommandContext, CommandSpec } from "../types.ts";

/** The error every scripting command replies. */
export const SCRIPTING_UNSUPPORTED = "ERR scripting is not supported by the embedded server";

function unsupported(ctx: CommandContext): void {
  ctx.reply.error(SCRIPTING_UNSUPPORTED);
}

/** The scripting family (all unsupported). */
export const scriptingCommands: readonly CommandSpec[] = [
  command("eval", -3, ["noscript", "skip_monitor", "stale"], NO_KEYS, unsupported),
  command("eval_ro", -3, ["noscript", "skip_monitor", "readonly", "stale"], NO_KEYS, unsupported),
  command("evalsha", -3, ["noscript", "skip_monitor", "stale"], NO_KEYS, unsupported),
  command(
    "evalsha_ro",
    -3,
    ["noscript", "skip_monitor", "readonly", "stale"],
    NO_KEYS,
    unsupported,
  ),
  command("fcall", -3, ["noscript", "skip_monitor", "stale"], NO_KEYS, unsupported),
  command("fcall_ro", -3, ["noscript", "skip_monitor", "readonly", "stale"], NO_KEYS, unsupported),
  command("script", -2, [], NO_KEYS, unsupported),
  command("function", -2, [], NO_KEYS, unsupported),
];
