/**
 * The store registry: connection-string schemes mapped to store factories.
 *
 * @module
 */

import { RedisStore } from "./redis/store.ts";
import { Store, type StoreOptions } from "./store.ts";
import { maskUrl, parseStoreUrl, type StoreUrl } from "./url.ts";

/** Builds a store from a parsed connection string and explicit options. */
export type StoreFactory = (url: StoreUrl, options: StoreOptions) => Store;

const factories = new Map<string, StoreFactory>();

/**
 * The registered schemes and their factories, read-only: use
 * {@linkcode registerStore} to add one.
 *
 * @example List the schemes
 * ```ts
 * import { dataStores } from "@pulsar/datastore";
 *
 * console.log([...dataStores.keys()]); // ["redis", "rediss", ..., "pulsar"]
 * ```
 */
export const dataStores: ReadonlyMap<string, StoreFactory> = Object.freeze({
  get size() {
    return factories.size;
  },
  get: (scheme: string) => factories.get(scheme),
  has: (scheme: string) => factories.has(scheme),
  keys: () => factories.keys(),
  values: () => factories.values(),
  entries: () => factories.entries(),
  forEach(
    callback: (value: StoreFactory, key: string, map: ReadonlyMap<string, StoreFactory>) => void,
    thisArg?: unknown,
  ) {
    for (const [key, value] of factories) callback.call(thisArg, value, key, dataStores);
  },
  [Symbol.iterator]: () => factories.entries(),
}) as ReadonlyMap<string, StoreFactory>;

/**
 * Registers a factory for a connection-string scheme (replacing any earlier one).
 *
 * @param scheme The scheme without `://`, e.g. `"memcached"`.
 * @param factory Builds the store.
 * @throws {TypeError} When the scheme is not a valid URL scheme.
 *
 * @example Register a custom store
 * ```ts
 * import { createStore, registerStore, Store } from "@pulsar/datastore";
 *
 * registerStore("dummy", (url, options) => new Store("dummy", url, options));
 * console.log(createStore("dummy://localhost:1/0").name); // "dummy"
 * ```
 */
export function registerStore(scheme: string, factory: StoreFactory): void {
  if (typeof scheme !== "string" || !/^[a-z][a-z0-9+.-]*$/i.test(scheme)) {
    throw new TypeError(`Cannot register store: "${scheme}" is not a valid URL scheme`);
  }
  if (typeof factory !== "function") {
    throw new TypeError(`Cannot register store "${scheme}": the factory is not a function`);
  }
  factories.set(scheme.toLowerCase(), factory);
}

/**
 * Creates a store from a connection string, without connecting (the first
 * command, `connect()` or `ping()` does). Given a store, returns it.
 *
 * @param url e.g. `"redis://user:pw@127.0.0.1:6379/11?namespace=app_"`, or a store.
 * @param options Options that override the URL's query parameters.
 * @returns The store (typed as a redis store by default).
 * @throws {TypeError} For an invalid connection string or an unknown scheme.
 *
 * @example Create a store
 * ```ts
 * import { createStore } from "@pulsar/datastore";
 *
 * const store = createStore("redis://user:password@127.0.0.1:6500/11", { namespace: "test_" });
 * console.log(store.dns); // "redis://user:password@127.0.0.1:6500/11?namespace=test_"
 * ```
 */
export function createStore<S extends Store = RedisStore>(
  url: string | Store,
  options: StoreOptions = {},
): S {
  if (url instanceof Store) return url as S;
  const parts = parseStoreUrl(url);
  const factory = factories.get(parts.scheme);
  if (!factory) {
    const known = [...factories.keys()].map((scheme) => `"${scheme}"`).join(", ");
    throw new TypeError(
      `Cannot create store "${
        maskUrl(url)
      }": unknown scheme "${parts.scheme}" (registered: ${known})`,
    );
  }
  return factory(parts, options) as S;
}

for (const scheme of ["redis", "rediss", "redis+unix", "unix"]) {
  registerStore(scheme, (url, options) => new RedisStore("redis", url, options));
}
for (const scheme of ["pulsar", "pulsar+unix"]) {
  registerStore(scheme, (url, options) => new RedisStore("pulsar", url, options));
}
