/**
 * Geospatial commands: members with a longitude and latitude in a sorted
 * set, searched by radius or box.
 *
 * @module
 */

import type { CommandArg, RespValue } from "../../protocol/types.ts";
import { CommandCore } from "../commands.ts";
import type { Replies } from "../replies.ts";
import { integerArg } from "./_args.ts";
import type { Key, Value } from "./keys.ts";

/** A distance unit. */
export type GeoUnit = "m" | "km" | "ft" | "mi";

/** A position. */
export interface GeoPosition {
  /** Longitude in degrees, -180 to 180. */
  longitude: number;
  /** Latitude in degrees, -85.05112878 to 85.05112878. */
  latitude: number;
}

/** A member to add with its position. */
export interface GeoMember extends GeoPosition {
  /** The member. */
  member: Value;
}

/** Options of {@linkcode GeoCommands.geoadd}. */
export interface GeoAddOptions {
  /** Only add new members. @default {false} */
  nx?: boolean;
  /** Only update existing members. @default {false} */
  xx?: boolean;
  /** Count changed members too, not only added ones. @default {false} */
  ch?: boolean;
}

/** Where a search is centred: a member of the set, or a position. */
export type GeoFrom = { member: Value } | GeoPosition;

/** The area of a search: a radius, or a box centred on the origin. */
export type GeoBy =
  | { radius: number; unit: GeoUnit }
  | { width: number; height: number; unit: GeoUnit };

/** Options of {@linkcode GeoCommands.geosearch} and the other searches. */
export interface GeoSearchOptions {
  /** Nearest first (`"ASC"`) or farthest first. @default {undefined} (unsorted) */
  order?: "ASC" | "DESC";
  /** At most this many results. @default {undefined} (all) */
  count?: number;
  /** With `count`: stop at the first `count` matches found, not the nearest. @default {false} */
  any?: boolean;
}

/** Options of {@linkcode GeoCommands.geosearchstore}. */
export interface GeoStoreOptions extends GeoSearchOptions {
  /** Store distances as scores instead of geohashes. @default {false} */
  storedist?: boolean;
}

/** A search result with its distance, geohash and position. */
export interface GeoMatch extends GeoPosition {
  /** The member. */
  member: string;
  /** Its distance from the centre, in the search's unit. */
  distance: number;
  /** Its 52-bit geohash (the sorted-set score). */
  hash: number;
}

function searchArgs(args: CommandArg[], from: GeoFrom, by: GeoBy): void {
  if ("member" in from) args.push("FROMMEMBER", from.member);
  else args.push("FROMLONLAT", from.longitude, from.latitude);
  if ("radius" in by) args.push("BYRADIUS", by.radius, by.unit);
  else args.push("BYBOX", by.width, by.height, by.unit);
}

function orderArgs(args: CommandArg[], options: GeoSearchOptions | undefined): void {
  if (options?.order) args.push(options.order);
  if (options?.count !== undefined) {
    args.push("COUNT", integerArg("count", options.count, 1));
    if (options.any) args.push("ANY");
  } else if (options?.any) {
    throw new TypeError("Cannot search: any needs count");
  }
}

function position(replies: Replies, value: RespValue): GeoPosition | null {
  if (value === null) return null;
  const [longitude, latitude] = replies.array(value);
  return { longitude: replies.double(longitude), latitude: replies.double(latitude) };
}

/** `[member, distance, hash, [lon, lat]]` (WITHDIST WITHHASH WITHCOORD). */
function match(replies: Replies, value: RespValue): GeoMatch {
  const [member, distance, hash, coordinates] = replies.array(value);
  return {
    member: replies.text(member),
    distance: replies.double(distance),
    hash: replies.integer(hash),
    ...position(replies, coordinates)!,
  };
}

/**
 * Geospatial commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH,
 * GEOSEARCHSTORE and the older GEORADIUS family. The embedded server has no
 * geospatial commands yet: these need Redis.
 *
 * @example Find places near a point
 * ```ts ignore
 * import { createStore } from "@pulsar/datastore";
 *
 * await using store = createStore("redis://127.0.0.1:6379");
 * await store.geoadd("places", [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }]);
 * console.log(await store.geosearch("places", { longitude: 15, latitude: 37 }, { radius: 200, unit: "km" }));
 * ```
 */
export abstract class GeoCommands extends CommandCore {
  /**
   * Adds members with their positions.
   *
   * @param key The key.
   * @param members The members and positions.
   * @param options `nx`, `xx`, `ch`.
   * @returns How many were added (with `ch`: added or moved).
   */
  geoadd(key: Key, members: readonly GeoMember[], options?: GeoAddOptions): Promise<number> {
    const args: CommandArg[] = ["GEOADD", this.key(key)];
    if (options?.nx) args.push("NX");
    if (options?.xx) args.push("XX");
    if (options?.ch) args.push("CH");
    for (const { longitude, latitude, member } of members) args.push(longitude, latitude, member);
    return this.send(args, this.replies.integer);
  }

  /**
   * The distance between two members.
   *
   * @param key The key.
   * @param member1 One member.
   * @param member2 The other.
   * @param unit The unit. @default {"m"}
   * @returns The distance, or `null` when a member is missing.
   */
  geodist(key: Key, member1: Value, member2: Value, unit: GeoUnit = "m"): Promise<number | null> {
    return this.send(["GEODIST", this.key(key), member1, member2, unit], this.replies.doubleOrNull);
  }

  /**
   * The 11-character geohash strings of members.
   *
   * @param key The key.
   * @param members The members.
   * @returns One hash per member (`null` when missing).
   */
  geohash(key: Key, ...members: Value[]): Promise<(string | null)[]> {
    return this.send(["GEOHASH", this.key(key), ...members], this.replies.textArray);
  }

  /**
   * The positions of members.
   *
   * @param key The key.
   * @param members The members.
   * @returns One position per member (`null` when missing).
   */
  geopos(key: Key, ...members: Value[]): Promise<(GeoPosition | null)[]> {
    return this.send(
      ["GEOPOS", this.key(key), ...members],
      (value) => this.replies.array(value).map((item) => position(this.replies, item)),
    );
  }

  /**
   * Members within an area (GEOSEARCH).
   *
   * @param key The key.
   * @param from The centre: a member or a position.
   * @param by A radius, or a box.
   * @param options `order`, `count`, `any`.
   * @returns The members.
   */
  geosearch(key: Key, from: GeoFrom, by: GeoBy, options?: GeoSearchOptions): Promise<string[]> {
    const args: CommandArg[] = ["GEOSEARCH", this.key(key)];
    searchArgs(args, from, by);
    orderArgs(args, options);
    return this.send(args, this.replies.strings);
  }

  /**
   * Members within an area with their distance, geohash and position
   * (GEOSEARCH ... WITHDIST WITHHASH WITHCOORD).
   *
   * @param key The key.
   * @param from The centre: a member or a position.
   * @param by A radius, or a box.
   * @param options `order`, `count`, `any`.
   * @returns The matches.
   */
  geosearchWith(
    key: Key,
    from: GeoFrom,
    by: GeoBy,
    options?: GeoSearchOptions,
  ): Promise<GeoMatch[]> {
    const args: CommandArg[] = ["GEOSEARCH", this.key(key)];
    searchArgs(args, from, by);
    orderArgs(args, options);
    args.push("WITHDIST", "WITHHASH", "WITHCOORD");
    return this.send(
      args,
      (value) => this.replies.array(value).map((item) => match(this.replies, item)),
    );
  }

  /**
   * Stores the members within an area in `destination` (GEOSEARCHSTORE).
   *
   * @param destination The key written.
   * @param source The key searched.
   * @param from The centre.
   * @param by A radius, or a box.
   * @param options `order`, `count`, `any`, `storedist`.
   * @returns How many members were stored.
   */
  geosearchstore(
    destination: Key,
    source: Key,
    from: GeoFrom,
    by: GeoBy,
    options?: GeoStoreOptions,
  ): Promise<number> {
    const args: CommandArg[] = ["GEOSEARCHSTORE", this.key(destination), this.key(source)];
    searchArgs(args, from, by);
    orderArgs(args, options);
    if (options?.storedist) args.push("STOREDIST");
    return this.send(args, this.replies.integer);
  }

  /**
   * Members within a radius of a position (the older GEORADIUS_RO; prefer
   * {@linkcode GeoCommands.geosearch}).
   *
   * @param key The key.
   * @param center The position.
   * @param radius The radius.
   * @param unit Its unit.
   * @param options `order`, `count`, `any`.
   * @returns The members.
   */
  georadius(
    key: Key,
    center: GeoPosition,
    radius: number,
    unit: GeoUnit,
    options?: GeoSearchOptions,
  ): Promise<string[]> {
    const args: CommandArg[] = [
      "GEORADIUS_RO",
      this.key(key),
      center.longitude,
      center.latitude,
      radius,
      unit,
    ];
    orderArgs(args, options);
    return this.send(args, this.replies.strings);
  }

  /**
   * Members within a radius of a member (the older GEORADIUSBYMEMBER_RO;
   * prefer {@linkcode GeoCommands.geosearch}).
   *
   * @param key The key.
   * @param member The centre member.
   * @param radius The radius.
   * @param unit Its unit.
   * @param options `order`, `count`, `any`.
   * @returns The members.
   */
  georadiusbymember(
    key: Key,
    member: Value,
    radius: number,
    unit: GeoUnit,
    options?: GeoSearchOptions,
  ): Promise<string[]> {
    const args: CommandArg[] = ["GEORADIUSBYMEMBER_RO", this.key(key), member, radius, unit];
    orderArgs(args, options);
    return this.send(args, this.replies.strings);
  }

  /**
   * Stores the members within a radius of a position (GEORADIUS ... STORE;
   * prefer {@linkcode GeoCommands.geosearchstore}).
   *
   * @param key The key searched.
   * @param center The position.
   * @param radius The radius.
   * @param unit Its unit.
   * @param destination The key written.
   * @param options `order`, `count`, `any`, `storedist`.
   * @returns How many members were stored.
   */
  georadiusStore(
    key: Key,
    center: GeoPosition,
    radius: number,
    unit: GeoUnit,
    destination: Key,
    options?: GeoStoreOptions,
  ): Promise<number> {
    const args: CommandArg[] = [
      "GEORADIUS",
      this.key(key),
      center.longitude,
      center.latitude,
      radius,
      unit,
    ];
    orderArgs(args, options);
    args.push(options?.storedist ? "STOREDIST" : "STORE", this.key(destination));
    return this.send(args, this.replies.integer);
  }

  /**
   * Stores the members within a radius of a member (GEORADIUSBYMEMBER ...
   * STORE; prefer {@linkcode GeoCommands.geosearchstore}).
   *
   * @param key The key searched.
   * @param member The centre member.
   * @param radius The radius.
   * @param unit Its unit.
   * @param destination The key written.
   * @param options `order`, `count`, `any`, `storedist`.
   * @returns How many members were stored.
   */
  georadiusbymemberStore(
    key: Key,
    member: Value,
    radius: number,
    unit: GeoUnit,
    destination: Key,
    options?: GeoStoreOptions,
  ): Promise<number> {
    const args: CommandArg[] = ["GEORADIUSBYMEMBER", this.key(key), member, radius, unit];
    orderArgs(args, options);
    args.push(options?.storedist ? "STOREDIST" : "STORE", this.key(destination));
    return this.send(args, this.replies.integer);
  }
}
