/**
 * Connection strings: `<scheme>://[user[:password]@]host[:port][/database][?params]`,
 * parsed with the web-standard `URL`.
 *
 * @module
 */

/** A query-string option value after typing: numbers are numbers, `true`/`false` booleans. */
export type StoreParam = string | number | boolean;

/** The parts of a store connection string. */
export interface StoreUrl {
  /** The scheme without `:`, lower-case, e.g. `"redis"`, `"rediss"`, `"redis+unix"`. */
  scheme: string;
  /** Host name or IP address (IPv6 without brackets); `""` for unix sockets. */
  host: string;
  /** The port, or the scheme's default port when the URL has none. */
  port: number;
  /** A unix socket path, when the scheme is `redis+unix`/`unix`. */
  path?: string;
  /** Whether the connection uses TLS (`rediss://`). */
  tls: boolean;
  /** The user name, percent-decoded. */
  user?: string;
  /** The password, percent-decoded. */
  password?: string;
  /** The database (the URL path, or `db` for unix sockets). */
  database?: number;
  /** Other query parameters, typed. */
  params: Record<string, StoreParam>;
}

/** Default ports of the schemes this package knows. */
export const defaultPorts: Readonly<Record<string, number>> = {
  redis: 6379,
  rediss: 6379,
  pulsar: 6410,
};

const unixSchemes = new Set(["redis+unix", "unix", "pulsar+unix"]);
/** Query parameters kept as strings even when they look like numbers. */
const stringParams = new Set(["namespace", "name", "encoding", "clientName"]);

/**
 * Hides the password of a connection string, for messages and logs.
 *
 * @param url A connection string, maybe invalid.
 * @returns The same string with the password replaced by `***`.
 */
export function maskUrl(url: string): string {
  const start = url.indexOf("://");
  // A password may hold unencoded "/", "?" or "#": mask up to the last "@"
  // (masking too much is safe; too little is a leak).
  const at = url.lastIndexOf("@");
  if (start === -1 || at < start) return url;
  const auth = url.slice(start + 3, at);
  const colon = auth.indexOf(":");
  const user = colon === -1 ? auth : auth.slice(0, colon);
  return `${url.slice(0, start + 3)}${user}${colon === -1 ? "" : ":***"}${url.slice(at)}`;
}

function fail(url: string, why: string): never {
  throw new TypeError(`Cannot parse store URL "${maskUrl(url)}": ${why}`);
}

function typedParam(key: string, value: string): StoreParam {
  if (stringParams.has(key)) return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if (value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function parseDatabase(url: string, raw: string): number {
  if (!/^\d+$/.test(raw)) fail(url, `database "${raw}" is not a non-negative integer`);
  const database = Number(raw);
  if (!Number.isSafeInteger(database)) fail(url, `database "${raw}" is too large`);
  return database;
}

/**
 * Parses a store connection string.
 *
 * @param url e.g. `redis://user:pw@127.0.0.1:6379/2?namespace=app_`,
 *   `rediss://host`, `redis+unix:///run/redis.sock?db=2`, `redis://[::1]`.
 * @returns The parts, percent-decoded and typed.
 * @throws {TypeError} For an empty URL, a missing scheme, a fragment or a
 *   database that is not a non-negative integer.
 *
 * @example Parse a connection string
 * ```ts
 * import { parseStoreUrl } from "@pulsar/datastore";
 *
 * const parts = parseStoreUrl("redis://:s%40cret@127.0.0.1:6500/11?namespace=app_&timeout=500");
 * console.log(parts.port, parts.database, parts.params.timeout); // 6500 11 500
 * ```
 */
export function parseStoreUrl(url: string): StoreUrl {
  if (typeof url !== "string" || url.trim() === "") {
    throw new TypeError("Cannot parse store URL: it is empty");
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) fail(url, "it has no scheme (e.g. redis://)");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(url, "it is not a valid URL");
  }
  if (parsed.hash || url.includes("#")) fail(url, "a fragment (#...) is not allowed");
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  const params: Record<string, StoreParam> = {};
  for (const [key, value] of parsed.searchParams) params[key] = typedParam(key, value);
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      fail(url, "it is not valid percent-encoding");
    }
  };
  const user = parsed.username ? decode(parsed.username) : undefined;
  const password = parsed.password ? decode(parsed.password) : undefined;
  const result: StoreUrl = {
    scheme,
    host: "",
    port: defaultPorts[scheme.replace(/\+unix$/, "")] ?? 0,
    tls: scheme === "rediss",
    params,
  };
  if (user !== undefined) result.user = user;
  if (password !== undefined) result.password = password;
  let database: string | undefined;
  if (unixSchemes.has(scheme)) {
    const path = decode(parsed.pathname);
    if (!path || path === "/") fail(url, "a unix socket URL needs a path");
    result.path = path;
    if (params.db !== undefined) {
      database = String(params.db);
      delete params.db;
    }
  } else {
    result.host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    if (parsed.port) result.port = Number(parsed.port);
    const path = parsed.pathname.replace(/^\//, "");
    if (path) database = decode(path);
  }
  if (database !== undefined) result.database = parseDatabase(url, database);
  return result;
}

function formatParams(params: Record<string, StoreParam | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * Builds the canonical connection string of parsed parts: what
 * {@linkcode Store.dns} returns; `parseStoreUrl` reads it back unchanged.
 *
 * @param parts The parts, as {@linkcode parseStoreUrl} returns them.
 * @returns The connection string, password included (never log it).
 *
 * @example Build a connection string
 * ```ts
 * import { buildStoreUrl } from "@pulsar/datastore";
 *
 * const dns = buildStoreUrl({ scheme: "redis", host: "::1", port: 6379, tls: false, database: 2, params: {} });
 * console.log(dns); // "redis://[::1]:6379/2"
 * ```
 */
export function buildStoreUrl(parts: StoreUrl): string {
  let auth = "";
  if (parts.user !== undefined || parts.password !== undefined) {
    auth = encodeURIComponent(parts.user ?? "");
    if (parts.password !== undefined) auth += `:${encodeURIComponent(parts.password)}`;
    auth += "@";
  }
  if (parts.path !== undefined) {
    const params = { ...parts.params, db: parts.database };
    const path = parts.path.split("/").map(encodeURIComponent).join("/");
    return `${parts.scheme}://${auth}${path}${formatParams(params)}`;
  }
  const host = parts.host.includes(":") ? `[${parts.host}]` : parts.host;
  const database = parts.database === undefined ? "" : `/${parts.database}`;
  // No host (the in-process embedded server): no port either.
  const port = host ? `:${parts.port}` : "";
  return `${parts.scheme}://${auth}${host}${port}${database}${formatParams(parts.params)}`;
}
