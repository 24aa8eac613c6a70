/**
 * What the client knows about one command, and the helpers the generated
 * family modules use to write it compactly.
 *
 * @module
 */

/** Reads data only. */
export const READONLY = 1;
/** Changes data. */
export const WRITE = 2;
/** Holds its connection until it is answered (BLPOP, XREAD, WAIT): sent on a connection of its own. */
export const BLOCKING = 4;
/** A publish/subscribe command. */
export const PUBSUB = 8;
/**
 * Changes the state of the connection it runs on (SUBSCRIBE, SELECT, MULTI,
 * CLIENT REPLY...): never sent on the shared connection by `execute()`.
 */
export const CONNECTION_STATE = 16;
/** Running it twice does no harm (read-only, not blocking): it may be re-sent after a drop. */
export const MAY_REPLAY = 32;
/** Where its keys are depends on its arguments (numkeys, STREAMS...). */
export const MOVABLE_KEYS = 64;

// How execute() gives one reply shape under RESP2 and RESP3 (see ../execute_reply.ts).
/** The reply is a map (RESP2: flat pairs, or [name, value] pairs). */
export const REPLY_MAP = 128;
/** The reply is an array of maps. */
export const REPLY_MAPS = 256;
/** The reply is a double (RESP2: text). */
export const REPLY_DOUBLE = 512;
/** The reply is an array of doubles or nil. */
export const REPLY_DOUBLES = 1024;
/** With WITHSCORES (or a ZPOP count), member/score pairs (RESP2: flat, scores as text). */
export const REPLY_SCORED = 2048;
/** With WITHVALUES, field/value pairs (RESP2: flat). */
export const REPLY_PAIRS = 4096;

/**
 * Where some of a command's keys are, as Redis's key specs say: where the
 * search begins (an index, or after a keyword searched from an index), then
 * either a range (`lastKey` relative to the start, negative from the end;
 * `step`; `limit` > 1 keeps 1/limit of what remains) or a count of keys
 * read from an argument (`keyNum` relative to the start, keys from
 * `firstKey` after it, every `step`).
 */
export type KeySpec =
  & {
    /** Index of the argument the search begins at (the command name is 0). */
    readonly index: number;
    /** When set, the search begins after this keyword, looked up from `index` (negative: backwards from the end). */
    readonly keyword?: string;
  }
  & (
    | {
      readonly kind: "range";
      readonly lastKey: number;
      readonly step: number;
      readonly limit: number;
    }
    | {
      readonly kind: "keynum";
      readonly keyNum: number;
      readonly firstKey: number;
      readonly step: number;
    }
  );

/** One command (or subcommand, named `CONTAINER|SUB`) of the table. */
export interface CommandDescriptor {
  /** Upper-case name; a subcommand is `CLIENT|REPLY`. */
  readonly name: string;
  /** Redis's arity: the argument count with the name; negative means at least that many. */
  readonly arity: number;
  /** Flag bits: {@linkcode READONLY}, {@linkcode WRITE}, {@linkcode BLOCKING}... */
  readonly flags: number;
  /** Where its keys are. */
  readonly keys: readonly KeySpec[];
  /** Subcommands by upper-case name (`REPLY` for `CLIENT REPLY`). */
  readonly subcommands: ReadonlyMap<string, CommandDescriptor> | undefined;
}

/**
 * A descriptor.
 *
 * @param name Upper-case name.
 * @param arity Redis's arity.
 * @param flags Flag bits.
 * @param keys Key specs.
 * @param subcommands Subcommand descriptors.
 * @returns The descriptor.
 */
export function cmd(
  name: string,
  arity: number,
  flags: number,
  keys: readonly KeySpec[],
  subcommands?: readonly CommandDescriptor[],
): CommandDescriptor {
  return {
    name,
    arity,
    flags,
    keys,
    subcommands: subcommands &&
      new Map(subcommands.map((sub) => [sub.name.slice(sub.name.indexOf("|") + 1), sub])),
  };
}

/** The find step of a key spec whose search begins somewhere. */
export interface KeySpecStart {
  /** Keys in a range from the start. */
  range(lastKey: number, step: number, limit: number): KeySpec;
  /** A count of keys, then the keys. */
  keynum(keyNum: number, firstKey: number, step: number): KeySpec;
}

function start(index: number, keyword: string | undefined): KeySpecStart {
  return {
    range: (lastKey, step, limit) => ({ index, keyword, kind: "range", lastKey, step, limit }),
    keynum: (keyNum, firstKey, step) => ({
      index,
      keyword,
      kind: "keynum",
      keyNum,
      firstKey,
      step,
    }),
  };
}

/**
 * A key spec whose search begins at an argument index.
 *
 * @param index The index (the command name is 0).
 * @returns The find step.
 */
export function at(index: number): KeySpecStart {
  return start(index, undefined);
}

/**
 * A key spec whose search begins after a keyword.
 *
 * @param keyword The keyword, e.g. `"STREAMS"`.
 * @param from Where to look for it (negative: backwards from the end).
 * @returns The find step.
 */
export function after(keyword: string, from: number): KeySpecStart {
  return start(from, keyword);
}
