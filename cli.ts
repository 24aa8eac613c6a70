/**
 * `pulsards`: run the embedded Redis-compatible server from the command line.
 *
 * ```sh
 * deno task serve --port 6410 --requirepass secret --snapshot ./dump.pulsar
 * bun run cli.ts --port 6410
 * ```
 *
 * Flags: `--bind <host>` (default 127.0.0.1), `--port <n>` (default 6410),
 * `--databases <n>` (default 16), `--requirepass <password>`,
 * `--dbfilename <path>` / `--snapshot <path>`, `--save <seconds>` (default 60),
 * `--maxclients <n>` (default 10000), `--help`. Stops (saving the snapshot) on
 * SIGINT or SIGTERM.
 *
 * Like Redis, `maxclients` is lowered to the open-file limit (`ulimit -n`)
 * minus 32. Bun reads the limit from `/proc/self/limits`; Deno reads it only
 * with `--allow-all` (it guards `/proc` that way), and otherwise learns it at
 * the first accept that fails with EMFILE.
 *
 * @module
 */

import { serve } from "./server.ts";

interface RuntimeGlobals {
  Deno?: {
    args: string[];
    exit(code: number): never;
    addSignalListener(signal: string, handler: () => void): void;
    env: { get(name: string): string | undefined };
  };
  process?: {
    argv: string[];
    exit(code: number): never;
    on(signal: string, handler: () => void): void;
    env: Record<string, string | undefined>;
  };
}

const globals = globalThis as RuntimeGlobals;

function argv(): string[] {
  if (globals.Deno !== undefined) return globals.Deno.args;
  return globals.process?.argv.slice(2) ?? [];
}

function exit(code: number): never {
  if (globals.Deno !== undefined) return globals.Deno.exit(code);
  return globals.process!.exit(code);
}

function onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): void {
  if (globals.Deno !== undefined) globals.Deno.addSignalListener(signal, handler);
  else globals.process?.on(signal, handler);
}

const USAGE = `Usage: pulsards [options]
  --bind <host>          address to listen on (default 127.0.0.1)
  --port <n>             TCP port (default 6410; 0 picks a free port)
  --databases <n>        number of databases (default 16)
  --requirepass <pass>   require AUTH with this password
  --snapshot <path>      snapshot file (alias: --dbfilename)
  --save <seconds>       save the snapshot every <seconds> when changed (default 60, 0 = never)
  --maxclients <n>       maximum connected clients (default 10000, lowered to ulimit -n - 32)
  --help                 show this help`;

const KNOWN = [
  "help",
  "bind",
  "port",
  "databases",
  "requirepass",
  "snapshot",
  "dbfilename",
  "save",
  "maxclients",
];

function parse(args: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (!arg.startsWith("--")) throw new Error(`Cannot parse arguments: unexpected "${arg}"`);
    arg = arg.slice(2);
    if (arg === "help") {
      options.help = "1";
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!KNOWN.includes(name)) throw new Error(`Cannot parse arguments: unknown flag "--${name}"`);
    if (eq !== -1) {
      options[arg.slice(0, eq)] = arg.slice(eq + 1);
      continue;
    }
    if (i + 1 >= args.length) throw new Error(`Cannot parse arguments: "--${arg}" needs a value`);
    options[arg] = args[++i];
  }
  return options;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `Cannot parse arguments: --${name} must be a non-negative integer, got "${value}"`,
    );
  }
  return n;
}

async function main(): Promise<void> {
  let options: Record<string, string>;
  try {
    options = parse(argv());
  } catch (error) {
    console.error((error as Error).message);
    console.error(USAGE);
    exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const snapshotPath = options.snapshot ?? options.dbfilename;
  const server = await serve({
    hostname: options.bind ?? "127.0.0.1",
    port: integer("port", options.port, 6410),
    databases: integer("databases", options.databases, 16),
    password: options.requirepass,
    maxClients: integer("maxclients", options.maxclients, 10000),
    snapshot: snapshotPath === undefined
      ? undefined
      : { path: snapshotPath, saveEverySeconds: integer("save", options.save, 60) },
    log: (message) => console.error(message),
  });
  console.log(`pulsards listening on ${server.addr.hostname}:${server.addr.port}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.shutdown().then(() => exit(0), (error) => {
      console.error(`pulsards: ${(error as Error).message}`);
      exit(1);
    });
  };
  onSignal("SIGINT", stop);
  onSignal("SIGTERM", stop);
  await server.finished;
  if (!stopping) exit(0);
}

if (import.meta.main) {
  await main().catch((error) => {
    console.error(`pulsards: ${(error as Error).message}`);
    exit(1);
  });
}
