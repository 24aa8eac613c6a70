import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ReplyError } from "../src/errors.ts";
import {
  type CommandArg,
  CommandEncoder,
  type DecoderOptions,
  encodeCommand,
  formatDouble,
  formatDouble17g,
  ReplyWriter,
  RespDecoder,
  RespPush,
  type RespValue,
  VerbatimString,
} from "../src/protocol/mod.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** Bytes of `s`, one byte per char (for frames with raw bytes). */
function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A comparable form of a value, the same on every runtime's deepStrictEqual. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (value instanceof ReplyError) return { error: value.message, code: value.code };
  if (value instanceof VerbatimString) {
    return { verbatim: value.format, text: text.decode(value.bytes) };
  }
  if (value instanceof RespPush) return { push: value.data.map(plain) };
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  if (value instanceof Set) return { set: [...value].map(plain) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "bigint") return { bigint: value.toString() };
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { nan: true };
    if (Object.is(value, -0)) return { negativeZero: true };
  }
  return value;
}

/** Decodes `chunks` in order with a fresh decoder; returns values and attributes. */
function decode(
  chunks: Iterable<Uint8Array>,
  options: DecoderOptions = {},
): { values: RespValue[]; attributes: Map<RespValue, RespValue>[] } {
  const values: RespValue[] = [];
  const attributes: Map<RespValue, RespValue>[] = [];
  const decoder = new RespDecoder((value) => values.push(value), {
    ...options,
    onAttribute: (attribute) => attributes.push(attribute),
  });
  for (const chunk of chunks) decoder.push(chunk);
  assert.equal(decoder.buffered, 0, "no bytes left over");
  return { values, attributes };
}

/** A small seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* randomChunks(bytes: Uint8Array, next: () => number, max = 16): Generator<Uint8Array> {
  let pos = 0;
  while (pos < bytes.length) {
    const size = 1 + Math.floor(next() * max);
    // Copy into a reused buffer, as a socket reader would.
    yield bytes.slice(pos, pos + size);
    pos += size;
  }
}

function* bytewise(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
}

const b = (s: string): Uint8Array => utf8.encode(s);

interface Fixture {
  name: string;
  frame: Uint8Array;
  value: RespValue;
  attributes?: Map<RespValue, RespValue>[];
}

const fixtures: Fixture[] = [
  { name: "simple string", frame: b("+OK\r\n"), value: "OK" },
  { name: "empty simple string", frame: b("+\r\n"), value: "" },
  { name: "UTF-8 simple string", frame: b("+héllo wörld ✓\r\n"), value: "héllo wörld ✓" },
  {
    name: "long simple string",
    frame: b(`+${"x".repeat(100)}\r\n`),
    value: "x".repeat(100),
  },
  {
    name: "error",
    frame: b("-ERR unknown command 'foo'\r\n"),
    value: new ReplyError("ERR unknown command 'foo'"),
  },
  {
    name: "WRONGTYPE error",
    frame: b("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    value: new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"),
  },
  { name: "zero", frame: b(":0\r\n"), value: 0 },
  { name: "negative integer", frame: b(":-42\r\n"), value: -42 },
  { name: "plus-signed integer", frame: b(":+7\r\n"), value: 7 },
  { name: "max safe integer", frame: b(":9007199254740991\r\n"), value: 9007199254740991 },
  { name: "min safe integer", frame: b(":-9007199254740991\r\n"), value: -9007199254740991 },
  { name: "integer beyond 2^53", frame: b(":9007199254740992\r\n"), value: 9007199254740992n },
  {
    name: "int64 min",
    frame: b(":-9223372036854775808\r\n"),
    value: -9223372036854775808n,
  },
  { name: "bulk string", frame: b("$3\r\nbar\r\n"), value: b("bar") },
  { name: "empty bulk string", frame: b("$0\r\n\r\n"), value: b("") },
  {
    name: "binary bulk string with CRLF inside",
    frame: latin1("$4\r\n\r\n\x00\xff\r\n"),
    value: latin1("\r\n\x00\xff"),
  },
  { name: "null bulk string", frame: b("$-1\r\n"), value: null },
  { name: "null array", frame: b("*-1\r\n"), value: null },
  { name: "empty array", frame: b("*0\r\n"), value: [] },
  {
    name: "array",
    frame: b("*3\r\n$3\r\nfoo\r\n:1\r\n+two\r\n"),
    value: [b("foo"), 1, "two"],
  },
  {
    name: "nested arrays with nulls",
    frame: b("*3\r\n*2\r\n+a\r\n$-1\r\n*0\r\n*1\r\n*-1\r\n"),
    value: [["a", null], [], [null]],
  },
  { name: "null", frame: b("_\r\n"), value: null },
  { name: "double", frame: b(",1.5\r\n"), value: 1.5 },
  { name: "integral double", frame: b(",10\r\n"), value: 10 },
  { name: "exponent double", frame: b(",-1.25e-7\r\n"), value: -1.25e-7 },
  { name: "double inf", frame: b(",inf\r\n"), value: Infinity },
  { name: "double -inf", frame: b(",-inf\r\n"), value: -Infinity },
  { name: "double nan", frame: b(",nan\r\n"), value: NaN },
  {
    name: "big number",
    frame: b("(3492890328409238509324850943850943825024385\r\n"),
    value: 3492890328409238509324850943850943825024385n,
  },
  { name: "negative big number", frame: b("(-12\r\n"), value: -12n },
  { name: "true", frame: b("#t\r\n"), value: true },
  { name: "false", frame: b("#f\r\n"), value: false },
  {
    name: "verbatim string",
    frame: b("=15\r\ntxt:Some string\r\n"),
    value: new VerbatimString("txt", b("Some string")),
  },
  {
    name: "blob error",
    frame: b("!21\r\nSYNTAX invalid syntax\r\n"),
    value: new ReplyError("SYNTAX invalid syntax"),
  },
  {
    name: "nested map",
    frame: b("%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n+nested\r\n~2\r\n:1\r\n:2\r\n"),
    value: new Map<RespValue, RespValue>([
      ["first", 1],
      ["second", new Map<RespValue, RespValue>([["nested", new Set([1, 2])]])],
    ]),
  },
  { name: "empty map", frame: b("%0\r\n"), value: new Map() },
  { name: "set", frame: b("~3\r\n+a\r\n+b\r\n:3\r\n"), value: new Set(["a", "b", 3]) },
  {
    name: "push",
    frame: b(">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n"),
    value: new RespPush([b("message"), b("chan"), b("hello")]),
  },
  {
    name: "attribute before a value",
    frame: b(
      "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    ),
    value: [2039123, 9543892],
    attributes: [
      new Map<RespValue, RespValue>([[
        "key-popularity",
        new Map<RespValue, RespValue>([[b("a"), 0.1923], [b("b"), 0.0012]]),
      ]]),
    ],
  },
  {
    name: "attribute inside an array",
    frame: b("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n"),
    value: [1, 2],
    attributes: [new Map<RespValue, RespValue>([["ttl", 3600]])],
  },
  { name: "streamed array", frame: b("*?\r\n:1\r\n:2\r\n.\r\n"), value: [1, 2] },
  { name: "empty streamed array", frame: b("*?\r\n.\r\n"), value: [] },
  {
    name: "streamed map",
    frame: b("%?\r\n+a\r\n:1\r\n+b\r\n*?\r\n.\r\n.\r\n"),
    value: new Map<RespValue, RespValue>([["a", 1], ["b", []]]),
  },
  { name: "streamed set", frame: b("~?\r\n+x\r\n+y\r\n.\r\n"), value: new Set(["x", "y"]) },
  {
    name: "streamed string",
    frame: b("$?\r\n;4\r\nHell\r\n;6\r\no worl\r\n;1\r\nd\r\n;0\r\n"),
    value: b("Hello world"),
  },
  { name: "empty streamed string", frame: b("$?\r\n;0\r\n"), value: b("") },
  {
    name: "streamed values inside an array",
    frame: b("*3\r\n$?\r\n;2\r\nab\r\n;0\r\n*?\r\n:1\r\n.\r\n=7\r\nmkd:# h\r\n"),
    value: [b("ab"), [1], new VerbatimString("mkd", b("# h"))],
  },
];

function assertDecodes(chunks: Iterable<Uint8Array>, fixture: Fixture): void {
  const { values, attributes } = decode(chunks);
  assert.deepStrictEqual(plain(values), plain([fixture.value]));
  assert.deepStrictEqual(plain(attributes), plain(fixture.attributes ?? []));
}

describe("RespDecoder", () => {
  for (const fixture of fixtures) {
    it(`push() decodes ${fixture.name} fed whole, split anywhere, bytewise and randomly`, () => {
      const { frame } = fixture;
      assertDecodes([frame], fixture);
      for (let cut = 0; cut <= frame.length; cut++) {
        assertDecodes([frame.slice(0, cut), frame.slice(cut)], fixture);
      }
      assertDecodes(bytewise(frame), fixture);
      const next = random(frame.length);
      for (let round = 0; round < 20; round++) {
        assertDecodes(randomChunks(frame, next, 1 + round), fixture);
      }
    });
  }

  it("push() decodes every fixture from one stream under any chunking", () => {
    const stream = concat(...fixtures.map((f) => f.frame));
    const expected = plain(fixtures.map((f) => f.value));
    const expectedAttributes = plain(fixtures.flatMap((f) => f.attributes ?? []));
    const chunkings = [[stream], bytewise(stream)];
    for (let seed = 1; seed <= 50; seed++) {
      chunkings.push(randomChunks(stream, random(seed), seed * 4));
    }
    for (const chunks of chunkings) {
      const { values, attributes } = decode(chunks);
      assert.deepStrictEqual(plain(values), expected);
      assert.deepStrictEqual(plain(attributes), expectedAttributes);
    }
  });

  it("push() decodes 200k small replies from one chunk, in order", () => {
    const count = 100_000;
    const stream = b("+OK\r\n$3\r\nbar\r\n".repeat(count));
    const values: RespValue[] = [];
    new RespDecoder((value) => values.push(value)).push(stream);
    assert.equal(values.length, count * 2);
    assert.equal(values[0], "OK");
    assert.deepStrictEqual(plain(values[values.length - 1]), plain(b("bar")));
  });

  it("push() decodes a 1 MiB bulk string fed in small chunks", () => {
    const size = 1024 * 1024;
    const payload = new Uint8Array(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
    const frame = concat(b(`$${size}\r\n`), payload, b("\r\n+after\r\n"));
    for (const chunkSize of [1000, 4096, 64 * 1024, 7]) {
      const values: RespValue[] = [];
      const decoder = new RespDecoder((value) => values.push(value));
      const reused = new Uint8Array(chunkSize);
      for (let pos = 0; pos < frame.length; pos += chunkSize) {
        const part = frame.subarray(pos, pos + chunkSize);
        reused.set(part);
        decoder.push(reused.subarray(0, part.length));
        if (pos + chunkSize < size) assert.ok(decoder.buffered > 0);
      }
      assert.equal(values.length, 2);
      const bulk = values[0] as Uint8Array;
      assert.equal(bulk.length, size);
      assert.ok(bulk.every((byte, i) => byte === payload[i]), `chunk size ${chunkSize}`);
      assert.equal(values[1], "after");
      assert.equal(decoder.buffered, 0);
    }
  });

  it("push() keeps no reference to the caller's chunk", () => {
    const values: RespValue[] = [];
    const decoder = new RespDecoder((value) => values.push(value));
    const buffer = b("$3\r\nbar\r\n*2\r\n$5\r\nhel");
    decoder.push(buffer);
    buffer.fill(0x21);
    assert.deepStrictEqual(plain(values), plain([b("bar")]));
    const rest = b("lo\r\n+x");
    decoder.push(rest);
    rest.fill(0x21);
    decoder.push(b("y\r\n"));
    assert.deepStrictEqual(plain(values), plain([b("bar"), [b("hello"), "xy"]]));
    // A bulk string that arrived whole is a copy too.
    assert.notEqual((values[0] as Uint8Array).buffer, buffer.buffer);
  });

  it("push() gives every bulk string bytes of its own", () => {
    const values: Uint8Array[] = [];
    const decoder = new RespDecoder((value) => values.push(value as Uint8Array));
    const frames = "$3\r\nabc\r\n$0\r\n\r\n$600\r\n" + "x".repeat(600) + "\r\n";
    decoder.push(b(frames.repeat(50)));
    decoder.push(b("$5\r\nhel"));
    decoder.push(b("lo\r\n"));
    for (const value of values) value.fill(0x2a); // writing one never changes another
    const stars = (n: number) => "*".repeat(n);
    const expected = Array.from({ length: 50 }, () => [stars(3), "", stars(600)]).flat();
    assert.deepStrictEqual(values.map((v) => text.decode(v)), [...expected, stars(5)]);
  });

  it("buffered counts the bytes of the incomplete value", () => {
    const decoder = new RespDecoder(() => {});
    assert.equal(decoder.buffered, 0);
    decoder.push(b("+OK\r\n*2\r\n$5\r\nhel"));
    assert.equal(decoder.buffered, 11);
    decoder.push(b("lo\r\n$1"));
    assert.equal(decoder.buffered, 17);
    decoder.push(b("\r\nx\r\n"));
    assert.equal(decoder.buffered, 0);
  });

  it("reset() from inside onValue drops the rest of the chunk", () => {
    const values: RespValue[] = [];
    const decoder: RespDecoder = new RespDecoder((value) => {
      values.push(value);
      if (value === "QUIT") decoder.reset();
    });
    decoder.push(b("+a\r\n+QUIT\r\n+b\r\n$3\r\nxy"));
    assert.deepStrictEqual(values, ["a", "QUIT"]);
    assert.equal(decoder.buffered, 0);
    decoder.push(b("+c\r\n"));
    assert.deepStrictEqual(values, ["a", "QUIT", "c"]);
  });

  it("push() delivers an attribute through onAttribute only", () => {
    const attributes: unknown[] = [];
    const values: RespValue[] = [];
    const decoder = new RespDecoder((value) => values.push(value), {
      onAttribute: (attribute) => attributes.push(plain(attribute)),
    });
    decoder.push(b("|0\r\n+a\r\n|1\r\n+k\r\n+v\r\n+b\r\n"));
    assert.deepStrictEqual(values, ["a", "b"]);
    assert.deepStrictEqual(attributes, [{ map: [] }, { map: [["k", "v"]] }]);
    // Without the option attributes are simply discarded.
    const plainValues: RespValue[] = [];
    new RespDecoder((value) => plainValues.push(value)).push(b("|1\r\n+k\r\n+v\r\n:1\r\n"));
    assert.deepStrictEqual(plainValues, [1]);
  });
});

describe("RespDecoder hostile input", () => {
  function rejects(input: Uint8Array | string, pattern: RegExp, options?: DecoderOptions): void {
    const bytes = typeof input === "string" ? b(input) : input;
    // Whole, and byte by byte: the error comes either way.
    for (const chunks of [[bytes], bytewise(bytes)]) {
      const decoder = new RespDecoder(() => {}, options);
      assert.throws(
        () => {
          for (const chunk of chunks) decoder.push(chunk);
        },
        (error: unknown) => {
          assert.ok(error instanceof ProtocolError, `${error} is a ProtocolError`);
          assert.match(error.message, pattern);
          return true;
        },
      );
    }
  }

  it("push() rejects an unknown type byte, naming it", () => {
    rejects("?", /^Cannot parse reply: unknown type byte "\?" \(0x3f\)$/);
    rejects("+OK\r\nhello\r\n", /unknown type byte "h" \(0x68\)/);
    rejects("\r\n", /unknown type byte 0x0d/);
    rejects("*1\r\n\x00\r\n", /unknown type byte 0x00/);
  });

  it("push() rejects bad lengths", () => {
    rejects("$abc\r\n", /invalid length "abc" after "\$"/);
    rejects("$\r\n", /invalid length "" after "\$"/);
    rejects("$-2\r\n", /invalid length "-2"/);
    rejects("*-5\r\n", /invalid length "-5"/);
    rejects("%-1\r\n", /invalid length "-1" after "%"/);
    rejects("!-1\r\n", /invalid length/);
    rejects("$1 \r\n", /invalid length/);
    rejects("*1x\r\n", /invalid length/);
    rejects("|?\r\n", /invalid length "\?" after "\|"/);
    rejects("$12345678901234567890\r\n", /invalid length/);
    rejects(`$${"9".repeat(100)}`, /too long/); // refused before any CRLF
  });

  it("push() rejects malformed lines and missing CRLF", () => {
    rejects("+OK\n", /expected CRLF/);
    rejects("$1\r\nab\r\n", /expected CRLF after bulk data/);
    rejects("$1\r\na\n\n", /expected CRLF after bulk data/);
    rejects(":12a\r\n", /invalid integer ":12a"/);
    rejects(":\r\n", /invalid integer/);
    rejects(":-\r\n", /invalid integer/);
    rejects(`:${"1".repeat(20)}x\r\n`, /invalid integer/);
    rejects("#x\r\n", /invalid boolean/);
    rejects("#tt\r\n", /invalid boolean/);
    rejects(",abc\r\n", /invalid double/);
    rejects(",\r\n", /invalid double/);
    rejects(",1.5.5\r\n", /invalid double/);
    rejects("(12a\r\n", /invalid big number/);
    rejects("_x\r\n", /invalid null/);
    rejects("=3\r\ntxt\r\n", /invalid verbatim string/);
    rejects("=5\r\ntxt-a\r\n", /invalid verbatim string/);
    rejects(".\r\n", /unexpected "\." outside a streamed aggregate/);
    rejects("*1\r\n.\r\n", /unexpected "\."/);
    rejects(";3\r\n", /unexpected ";" chunk/);
    rejects("$?\r\n+a\r\n", /expected a ";" chunk/);
    rejects("$?\r\n;-1\r\n", /invalid length/);
    rejects("%?\r\n+a\r\n.\r\n", /streamed map ended after a key/);
    rejects("._\r\n", /unknown type|unexpected/);
  });

  it("push() refuses a huge declared length without allocating it", () => {
    rejects("$99999999999\r\n", /bulk length 99999999999 exceeds the limit of 536870912 bytes/);
    rejects("$1025\r\n", /bulk length 1025 exceeds the limit of 1024 bytes/, {
      maxBulkLength: 1024,
    });
    rejects("!2000\r\n", /exceeds the limit/, { maxBulkLength: 1024 });
    rejects("$?\r\n;600\r\n" + "x".repeat(600) + "\r\n;600\r\n", /streamed string exceeds/, {
      maxBulkLength: 1024,
    });
    rejects("*5\r\n", /aggregate length 5 exceeds the limit of 4/, { maxArrayLength: 4 });
    rejects("%3\r\n", /aggregate length 3 exceeds the limit of 2/, { maxArrayLength: 2 });
    rejects("*99999999999999\r\n", /aggregate length 99999999999999 exceeds/);
    // A declared length is fine while the bytes have not arrived; nothing is allocated for
    // aggregates, only the bulk string of the declared (allowed) size.
    const decoder = new RespDecoder(() => {});
    decoder.push(b("*1000000000\r\n:1\r\n"));
    assert.equal(decoder.buffered, 17);
  });

  it("push() refuses an endless line beyond the limits", () => {
    rejects("+" + "a".repeat(2000), /line of type "\+" is too long/, { maxBulkLength: 1024 });
    rejects(":" + "1".repeat(20_000), /line of type ":" is too long/);
    rejects("(" + "1".repeat(20_000) + "\r\n", /line of type "\(" is too long/);
  });

  it("push() rejects nesting beyond maxDepth without overflowing the stack", () => {
    rejects("*1\r\n".repeat(100_000), /nesting exceeds the limit of 128 levels/);
    rejects("%1\r\n+k\r\n".repeat(200) + ":1\r\n", /nesting exceeds the limit of 128 levels/);
    rejects("*1\r\n".repeat(11), /nesting exceeds the limit of 10 levels/, { maxDepth: 10 });
    // Exactly maxDepth levels is fine.
    const { values } = decode([b("*1\r\n".repeat(10) + ":7\r\n")], { maxDepth: 10 });
    let value: RespValue = values[0];
    for (let i = 0; i < 10; i++) value = (value as RespValue[])[0];
    assert.equal(value, 7);
  });

  it("push() refuses input after an error until reset()", () => {
    const values: RespValue[] = [];
    const decoder = new RespDecoder((value) => values.push(value));
    assert.throws(() => decoder.push(b("+a\r\n?")), ProtocolError);
    assert.deepStrictEqual(values, ["a"]);
    assert.throws(
      () => decoder.push(b("+b\r\n")),
      /Cannot decode: the decoder failed earlier .*call reset\(\) first/,
    );
    decoder.reset();
    decoder.push(b("+c\r\n"));
    assert.deepStrictEqual(values, ["a", "c"]);
  });

  it("push() only ever throws ProtocolError on corrupted frames", () => {
    const stream = concat(...fixtures.map((f) => f.frame));
    const alphabet = b("$*%~>|!=;.?_:,#(+-0123456789\r\ntf");
    const next = random(42);
    for (let round = 0; round < 300; round++) {
      const bytes = stream.slice();
      for (let i = 0; i < 1 + round % 8; i++) {
        const at = Math.floor(next() * bytes.length);
        bytes[at] = next() < 0.8 ? alphabet[Math.floor(next() * alphabet.length)] : next() * 256;
      }
      for (const options of [{ maxDepth: 8 }, { inline: true }]) {
        const decoder = new RespDecoder(() => {}, options);
        try {
          for (const chunk of randomChunks(bytes, next, 64)) decoder.push(chunk);
        } catch (error) {
          assert.ok(error instanceof ProtocolError, `round ${round}: ${error}`);
        }
      }
    }
  });

  it("constructor rejects invalid limits", () => {
    assert.throws(() => new RespDecoder(() => {}, { maxDepth: 0 }), RangeError);
    assert.throws(() => new RespDecoder(() => {}, { maxBulkLength: 1.5 }), RangeError);
  });
});

describe("RespDecoder server mode", () => {
  const args = (...list: string[]) => list.map(b);
  const server = { inline: true };

  function decodeRequests(chunks: Iterable<Uint8Array>, options: DecoderOptions = server) {
    return plain(decode(chunks, options).values);
  }

  const requests: [string, Uint8Array, Uint8Array[]][] = [
    ["a multibulk request", b("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"), args("GET", "key")],
    ["an inline command", b("PING\r\n"), args("PING")],
    ["an inline command ending in LF only", b("PING\n"), args("PING")],
    ["whitespace between inline arguments", b("  SET \t k   v  \r\n"), args("SET", "k", "v")],
    ["a double-quoted argument", b('SET key "hello world"\r\n'), args("SET", "key", "hello world")],
    [
      "double-quoted escapes",
      b('ECHO "a\\x41\\n\\r\\t\\b\\a\\"\\\\\\q\\xZZ"\r\n'),
      [b("ECHO"), latin1('aA\n\r\t\b\x07"\\qxZZ')],
    ],
    ["a hex escape to a high byte", b('ECHO "\\xff\\x00"\r\n'), [b("ECHO"), latin1("\xff\x00")]],
    ["a single-quoted argument", b("ECHO 'it\\'s \"x\"' ''\r\n"), args("ECHO", 'it\'s "x"', "")],
    ["an empty double-quoted argument", b('SET k ""\r\n'), args("SET", "k", "")],
    ["quotes inside an unquoted argument", b('SET k a"b c"\r\n'), args("SET", "k", "ab c")],
    ["UTF-8 inline arguments", b("SET clé valeur✓\r\n"), args("SET", "clé", "valeur✓")],
  ];

  for (const [name, frame, expected] of requests) {
    it(`push() decodes ${name} under any chunking`, () => {
      const want = plain([expected]);
      assert.deepStrictEqual(decodeRequests([frame]), want);
      for (let cut = 0; cut <= frame.length; cut++) {
        assert.deepStrictEqual(decodeRequests([frame.slice(0, cut), frame.slice(cut)]), want);
      }
      assert.deepStrictEqual(decodeRequests(bytewise(frame)), want);
    });
  }

  it("push() skips blank lines and counts below 1 like Redis", () => {
    const stream = b("\r\n\n   \r\n*0\r\n*-1\r\n*-2\r\nPING\r\n\r\n*1\r\n$4\r\nPING\r\n");
    assert.deepStrictEqual(decodeRequests([stream]), plain([args("PING"), args("PING")]));
  });

  it("push() mixes inline and multibulk requests", () => {
    const stream = b("SET a 1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nGET a\n");
    const want = plain([args("SET", "a", "1"), args("GET", "a"), args("GET", "a")]);
    for (let seed = 1; seed < 30; seed++) {
      assert.deepStrictEqual(decodeRequests(randomChunks(stream, random(seed), seed)), want);
    }
  });

  function rejects(input: string, message: string, options: DecoderOptions = server): void {
    for (const chunks of [[b(input)], bytewise(b(input))]) {
      const decoder = new RespDecoder(() => {}, options);
      assert.throws(
        () => {
          for (const chunk of chunks) decoder.push(chunk);
        },
        (error: unknown) => error instanceof ProtocolError && error.message === message,
      );
    }
  }

  it("push() rejects unbalanced quotes like Redis", () => {
    const message = "Protocol error: unbalanced quotes in request";
    rejects('SET k "abc\r\n', message);
    rejects("SET k 'abc\r\n", message);
    rejects('SET k "a"b\r\n', message);
    rejects("SET k 'a'b\r\n", message);
    rejects('SET k "abc\\"\r\n', message);
    rejects('ECHO a"b c"d\r\n', message);
  });

  it("push() rejects a too big inline request, before its end arrives", () => {
    rejects("A".repeat(65 * 1024), "Protocol error: too big inline request");
    rejects("GET " + "k".repeat(100) + "\r\n", "Protocol error: too big inline request", {
      inline: true,
      maxInlineLength: 64,
    });
  });

  it("push() enforces the request grammar with Redis's messages", () => {
    rejects("*1\r\n:1\r\n", "Protocol error: expected '$', got ':'");
    rejects("*abc\r\n", "Protocol error: invalid multibulk length");
    rejects("*-\r\n", "Protocol error: invalid multibulk length");
    rejects("*1\n", "Protocol error: invalid multibulk length");
    rejects("*5\r\n", "Protocol error: invalid multibulk length", { ...server, maxArrayLength: 4 });
    rejects("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
    rejects("*1\r\n$?\r\n", "Protocol error: invalid bulk length");
    rejects("*1\r\n$2000\r\n", "Protocol error: invalid bulk length", {
      ...server,
      maxBulkLength: 1024,
    });
    // string2ll: no leading zeros, no "-0".
    rejects("*01\r\n$4\r\nPING\r\n", "Protocol error: invalid multibulk length");
    rejects("*-0\r\n", "Protocol error: invalid multibulk length");
    rejects("*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length");
    rejects("*1\r\n$-0\r\n", "Protocol error: invalid bulk length");
    // Count lines without their CR are awaited up to 64 KiB, as in Redis.
    rejects("*" + "1".repeat(70_000), "Protocol error: too big mbulk count string");
    rejects("*1\r\n$" + "1".repeat(70_000), "Protocol error: too big bulk count string");
  });

  it("push() grows a large request bulk as its bytes arrive", () => {
    const value = Uint8Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => i % 251);
    const frame = concat(b(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n`), value, b("\r\n"));
    for (const size of [1000, 65536, 1 << 20]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < frame.length; i += size) chunks.push(frame.subarray(i, i + size));
      assert.deepStrictEqual(decode(chunks, server).values, [[b("ECHO"), value]]);
    }
  });

  it("push() skips the two bytes after a request's bulk data, like Redis", () => {
    const stream = b("*1\r\n$4\r\nPINGxy*2\r\n$4\r\nECHO\r\n$1\r\nab\n\nPING\r\n");
    assert.deepStrictEqual(
      decodeRequests([stream]),
      plain([args("PING"), args("ECHO", "a"), args("PING")]),
    );
    assert.deepStrictEqual(
      decodeRequests(bytewise(stream)),
      plain([args("PING"), args("ECHO", "a"), args("PING")]),
    );
  });
});

describe("CommandEncoder", () => {
  const decodeText = (bytes: Uint8Array) => text.decode(bytes);

  it("write() encodes a command as an array of bulk strings", () => {
    const encoder = new CommandEncoder();
    encoder.write(["SET", "key", "value"]);
    assert.equal(encoder.length, 33);
    assert.equal(decodeText(encoder.take()), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    assert.equal(encoder.length, 0);
  });

  it("write() encodes strings in UTF-8 with their byte length", () => {
    assert.equal(
      decodeText(encodeCommand(["ECHO", "héllo"])),
      "*2\r\n$4\r\nECHO\r\n$6\r\nhéllo\r\n",
    );
    assert.deepStrictEqual(
      encodeCommand(["😀"]),
      concat(b("*1\r\n$4\r\n"), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]), b("\r\n")),
    );
    // A lone surrogate becomes U+FFFD, as TextEncoder does.
    assert.deepStrictEqual(
      encodeCommand(["\ud800"]),
      concat(b("*1\r\n$3\r\n"), new Uint8Array([0xef, 0xbf, 0xbd]), b("\r\n")),
    );
    assert.equal(decodeText(encodeCommand([""])), "*1\r\n$0\r\n\r\n");
  });

  it("write() matches TextEncoder for strings of every length and alphabet", () => {
    const next = random(7);
    const alphabets = ["abc", "é", "€", "😀", "a\ud800b", "xyz€😀é\u0000"];
    const encoder = new CommandEncoder();
    const expected: Uint8Array[] = [];
    for (let length = 0; length < 400; length += 1 + Math.floor(next() * 5)) {
      for (const alphabet of alphabets) {
        let s = "";
        while (s.length < length) s += alphabet[Math.floor(next() * alphabet.length)];
        encoder.write(["SET", s]);
        const bytes = utf8.encode(s);
        expected.push(concat(b(`*2\r\n$3\r\nSET\r\n$${bytes.length}\r\n`), bytes, b("\r\n")));
      }
    }
    for (const long of ["a".repeat(100_000), "é".repeat(40_000), "😀".repeat(3_000)]) {
      encoder.write(["SET", long]);
      const bytes = utf8.encode(long);
      expected.push(concat(b(`*2\r\n$3\r\nSET\r\n$${bytes.length}\r\n`), bytes, b("\r\n")));
    }
    assert.deepStrictEqual(encoder.take(), concat(...expected));
  });

  it("write() encodes numbers, bigints and bytes", () => {
    const cases: [CommandArg, string][] = [
      [0, "0"],
      [42, "42"],
      [-7, "-7"],
      [-0, "0"],
      [1.5, "1.5"],
      [-0.25, "-0.25"],
      [1e-7, "1e-7"],
      [9007199254740993, "9007199254740992"],
      [1e21, "1000000000000000000000"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [2n ** 70n, "1180591620717411303424"],
      [-5n, "-5"],
    ];
    for (const [arg, expected] of cases) {
      assert.equal(
        decodeText(encodeCommand(["X", arg])),
        `*2\r\n$1\r\nX\r\n$${expected.length}\r\n${expected}\r\n`,
        String(arg),
      );
    }
    const bytes = new Uint8Array([0, 13, 10, 255]);
    assert.deepStrictEqual(
      encodeCommand([b("SET"), bytes]),
      concat(b("*2\r\n$3\r\nSET\r\n$4\r\n"), bytes, b("\r\n")),
    );
  });

  it("write() throws a TypeError naming the argument and leaves the buffer as it was", () => {
    const encoder = new CommandEncoder();
    encoder.write(["PING"]);
    const before = encoder.length;
    const bad: [unknown[], RegExp][] = [
      [
        ["SET", "key", undefined],
        /^Cannot encode argument 2 of "SET": undefined is not a string, number, bigint or Uint8Array$/,
      ],
      [["set", null], /argument 1 of "SET": null is not a string/],
      [["SET", "k", { a: 1 }], /argument 2 of "SET": an object is not/],
      [["SET", "k", new Date(0)], /an object \(Date\) is not/],
      [["SET", "k", ["v"]], /an array is not/],
      [["SET", "k", true], /true is not/],
      [["SET", "k", Symbol("s")], /a symbol is not/],
      [["SET", "k", NaN], /^Cannot encode argument 2 of "SET": NaN is not a valid number$/],
      [[undefined, "k"], /^Cannot encode argument 0 of "\?": undefined/],
      [["SET", "a".repeat(1000), new ArrayBuffer(1)], /an object \(ArrayBuffer\)/],
    ];
    for (const [args, message] of bad) {
      assert.throws(() => encoder.write(args as CommandArg[]), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        return true;
      });
      assert.equal(encoder.length, before);
    }
    assert.throws(() => encoder.write([]), /Cannot encode command: it has no arguments/);
    assert.equal(decodeText(encoder.take()), "*1\r\n$4\r\nPING\r\n");
  });

  it("take() hands over bytes that later writes never touch", () => {
    const encoder = new CommandEncoder();
    encoder.write(["GET", "a"]);
    const small = encoder.take(); // copied out of a mostly empty buffer
    const big: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 1000; j++) encoder.write(["SET", `key:${j}`, "v".repeat(20)]);
      big.push(encoder.take()); // the whole buffer is given away
    }
    const snapshot = big.map((bytes) => bytes.slice());
    encoder.write(["GET", "b"]);
    for (let j = 0; j < 2000; j++) encoder.write(["DEL", `other:${j}`]);
    encoder.take();
    assert.equal(decodeText(small), "*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
    assert.deepStrictEqual(big, snapshot);
    assert.deepStrictEqual(encoder.take(), new Uint8Array(0));
  });
});

describe("encodeCommand", () => {
  it("encodeCommand() output decodes back to its arguments", () => {
    const commands: CommandArg[][] = [
      ["SET", "key", "value", "EX", 10],
      ["ZADD", "z", 1.5, "m", Infinity, "n"],
      ["ECHO", "héllo\r\nwörld", new Uint8Array([0, 1, 2]), 12345678901234567890n],
      ["PING"],
    ];
    const stream = concat(...commands.map(encodeCommand));
    const expected = commands.map((args) =>
      args.map((arg) => {
        if (arg instanceof Uint8Array) return arg;
        if (arg === Infinity) return b("inf");
        return b(String(arg));
      })
    );
    for (const options of [{}, { inline: true }]) {
      for (let seed = 1; seed < 20; seed++) {
        const { values } = decode(randomChunks(stream, random(seed), seed * 3), options);
        assert.deepStrictEqual(plain(values), plain(expected));
      }
    }
  });
});

describe("CommandEncoder, every argument shape", () => {
  it("encodes like the plain RESP definition, short ASCII commands or not", () => {
    const next = random(11);
    const pick = (): CommandArg => {
      const r = next();
      const length = Math.floor(next() * 80); // across the 64-character fast-path limit
      if (r < 0.5) {
        return Array.from({ length }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join(
          "",
        );
      }
      if (r < 0.65) return "é".repeat(length % 9) + "x".repeat(length); // non-ASCII, then ASCII
      if (r < 0.7) return "x".repeat(length) + "ü"; // non-ASCII at the end
      if (r < 0.8) return Math.floor(next() * 1e9);
      if (r < 0.9) return new Uint8Array(length).map(() => Math.floor(next() * 256));
      return "";
    };
    const reference = (args: CommandArg[]): Uint8Array => {
      const parts: Uint8Array[] = [utf8.encode(`*${args.length}\r\n`)];
      for (const arg of args) {
        const bytes = arg instanceof Uint8Array ? arg : utf8.encode(String(arg));
        parts.push(utf8.encode(`$${bytes.length}\r\n`), bytes, utf8.encode("\r\n"));
      }
      return concat(...parts);
    };
    const text = (bytes: Uint8Array) => JSON.stringify(new TextDecoder("latin1").decode(bytes));
    const encoder = new CommandEncoder();
    for (let i = 0; i < 3000; i++) {
      const args = Array.from({ length: 1 + Math.floor(next() * 12) }, pick);
      encoder.write(["PING"]); // something before it in the same buffer
      encoder.write(args);
      assert.equal(
        text(encoder.take()),
        text(concat(reference(["PING"]), reference(args))),
        `#${i}`,
      );
    }
  });
});

describe("ReplyWriter", () => {
  function written(protocol: 2 | 3, write: (writer: ReplyWriter) => void): string {
    const writer = new ReplyWriter(protocol);
    write(writer);
    return text.decode(writer.take());
  }

  const cases: [string, (writer: ReplyWriter) => void, string, string][] = [
    ["simple()", (w) => w.simple("OK"), "+OK\r\n", "+OK\r\n"],
    ["simple() replaces CR and LF", (w) => w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"],
    [
      "error()",
      (w) => w.error("ERR unknown command 'foo'"),
      "-ERR unknown command 'foo'\r\n",
      "-ERR unknown command 'foo'\r\n",
    ],
    ["error() replaces newlines", (w) => w.error("ERR a\nb"), "-ERR a b\r\n", "-ERR a b\r\n"],
    ["integer()", (w) => w.integer(-12), ":-12\r\n", ":-12\r\n"],
    [
      "integer() bigint",
      (w) => w.integer(-(2n ** 63n)),
      ":-9223372036854775808\r\n",
      ":-9223372036854775808\r\n",
    ],
    [
      "integer() large number",
      (w) => w.integer(2 ** 60),
      ":1152921504606846976\r\n",
      ":1152921504606846976\r\n",
    ],
    ["bulk() string", (w) => w.bulk("héllo"), "$6\r\nhéllo\r\n", "$6\r\nhéllo\r\n"],
    ["bulk() bytes", (w) => w.bulk(b("abc")), "$3\r\nabc\r\n", "$3\r\nabc\r\n"],
    ["nullBulk()", (w) => w.nullBulk(), "$-1\r\n", "_\r\n"],
    ["nullArray()", (w) => w.nullArray(), "*-1\r\n", "_\r\n"],
    ["arrayHeader()", (w) => w.arrayHeader(3), "*3\r\n", "*3\r\n"],
    ["mapHeader()", (w) => w.mapHeader(2), "*4\r\n", "%2\r\n"],
    ["setHeader()", (w) => w.setHeader(2), "*2\r\n", "~2\r\n"],
    ["pushHeader()", (w) => w.pushHeader(3), "*3\r\n", ">3\r\n"],
    ["double()", (w) => w.double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"],
    ["double() inf", (w) => w.double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
    ["double() nan", (w) => w.double(NaN), "$3\r\nnan\r\n", ",nan\r\n"],
    [
      "bigNumber()",
      (w) => w.bigNumber(10n ** 30n),
      `$31\r\n1${"0".repeat(30)}\r\n`,
      `(1${"0".repeat(30)}\r\n`,
    ],
    ["boolean()", (w) => w.boolean(true), ":1\r\n", "#t\r\n"],
    ["boolean() false", (w) => w.boolean(false), ":0\r\n", "#f\r\n"],
    ["verbatim()", (w) => w.verbatim("héllo"), "$6\r\nhéllo\r\n", "=10\r\ntxt:héllo\r\n"],
    ["verbatim() format", (w) => w.verbatim(b("# x"), "mkd"), "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n"],
    ["raw()", (w) => w.raw(b("+PONG\r\n")), "+PONG\r\n", "+PONG\r\n"],
  ];

  for (const [name, write, resp2, resp3] of cases) {
    it(`${name} writes RESP2 and RESP3`, () => {
      assert.equal(written(2, write), resp2);
      assert.equal(written(3, write), resp3);
    });
  }

  it("integer() and verbatim() reject invalid input", () => {
    const writer = new ReplyWriter(3);
    assert.throws(() => writer.integer(1.5), RangeError);
    assert.throws(() => writer.verbatim("x", "markdown"), RangeError);
    assert.equal(writer.length, 0);
  });

  it("protocol switches the encoding of later replies", () => {
    const writer = new ReplyWriter();
    assert.equal(writer.protocol, 2);
    writer.nullBulk();
    writer.protocol = 3;
    writer.nullBulk();
    assert.equal(text.decode(writer.take()), "$-1\r\n_\r\n");
  });

  it("writeValue() writes any decoded value that decodes back to itself", () => {
    const value: RespValue = [
      "OK",
      b("bulk"),
      42,
      1.5,
      2n ** 64n,
      -(2n ** 63n),
      true,
      null,
      new ReplyError("ERR boom"),
      new VerbatimString("txt", b("text")),
      new RespPush([b("message"), b("ch"), b("hi")]),
      new Map<RespValue, RespValue>([["k", new Set([1, "two"])]]),
      [[], NaN, -Infinity],
    ];
    const writer = new ReplyWriter(3);
    writer.writeValue(value);
    const { values } = decode([writer.take()]);
    const expected = plain(value) as unknown[];
    expected[5] = plain(-(2n ** 63n)); // int64 min is written as ":" and comes back as bigint
    assert.deepStrictEqual(plain(values), [expected]);
  });

  it("writeValue() degrades RESP3 types for RESP2", () => {
    const writer = new ReplyWriter(2);
    writer.writeValue(new Map<RespValue, RespValue>([["a", true], ["b", null]]));
    writer.writeValue("a\r\nb");
    assert.equal(text.decode(writer.take()), "*4\r\n+a\r\n:1\r\n+b\r\n$-1\r\n$4\r\na\r\nb\r\n");
  });
});

describe("formatDouble", () => {
  it("formatDouble() prints doubles like Redis 7.2 (shortest round trip)", () => {
    const cases: [number, string][] = [
      [1.5, "1.5"],
      [1.1, "1.1"],
      [0.1, "0.1"],
      [3, "3"],
      [100, "100"],
      [-2.5, "-2.5"],
      [0, "0"],
      [-0, "-0"],
      [0.000001, "0.000001"],
      [1e-7, "1e-7"],
      [1.5e-7, "1.5e-7"],
      [1e20, "1e+20"],
      [1e21, "1e+21"],
      [12345670000000000, "1.234567e+16"],
      [1234567, "1234567"],
      [123.456, "123.456"],
      [1e300, "1e+300"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [NaN, "nan"],
    ];
    for (const [value, expected] of cases) assert.equal(formatDouble(value), expected, `${value}`);
  });

  it("formatDouble17g() prints doubles like Redis 7.0 (%.17g)", () => {
    // Expected values as printed by redis-server 7.0.15 for ZSCORE.
    const cases: [number, string][] = [
      [1.1, "1.1000000000000001"],
      [1.5, "1.5"],
      [1e-7, "9.9999999999999995e-08"],
      [1e21, "1e+21"],
      [1e300, "1.0000000000000001e+300"],
      [0.1, "0.10000000000000001"],
      [123456789012345678, "1.2345678901234568e+17"],
      [3, "3"],
      [-0, "-0"],
      [0.0001, "0.0001"],
      [Infinity, "inf"],
    ];
    for (const [value, expected] of cases) {
      assert.equal(formatDouble17g(value), expected, `${value}`);
    }
  });
});
