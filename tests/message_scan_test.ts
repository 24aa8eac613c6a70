import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../src/errors.ts";
import { RespDecoder, RespPush, type RespValue } from "../src/protocol/mod.ts";
import {
  MESSAGE,
  MessageSpans,
  PMESSAGE,
  scanMessage,
  SMESSAGE,
} from "../src/protocol/message_scan.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

function bulk(value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === "string" ? utf8.encode(value) : value;
  return concat(utf8.encode(`$${bytes.length}\r\n`), bytes, utf8.encode("\r\n"));
}

function frame(type: ">" | "*", ...items: (string | Uint8Array)[]): Uint8Array {
  return concat(utf8.encode(`${type}${items.length}\r\n`), ...items.map(bulk));
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

/** One received message or other value, in a form both routes produce alike. */
type Seen = string;

const kindNames = { [MESSAGE]: "message", [SMESSAGE]: "smessage", [PMESSAGE]: "pmessage" };

function describeSpans(spans: MessageSpans): Seen {
  const part = (from: number, to: number) =>
    JSON.stringify(Array.from(spans.bytes.slice(from, to)));
  const pattern = spans.kind === PMESSAGE ? ` ${part(spans.patternStart, spans.patternEnd)}` : "";
  return `${kindNames[spans.kind as 0 | 1 | 2]}${pattern} ${
    part(spans.channelStart, spans.channelEnd)
  } ${part(spans.payloadStart, spans.payloadEnd)}`;
}

/** How the general decoder's value reads in the same form (messages) or as JSON (others). */
function describeValue(value: RespValue): Seen {
  const items = value instanceof RespPush ? value.data : value;
  if (Array.isArray(items) && items[0] instanceof Uint8Array) {
    const kind = text.decode(items[0]);
    if (kind === "message" || kind === "smessage" || kind === "pmessage") {
      const parts = items.slice(1).map((item) => JSON.stringify(Array.from(item as Uint8Array)));
      return `${kind} ${parts.join(" ")}`;
    }
  }
  return JSON.stringify(value, (_key, v) => v instanceof Uint8Array ? Array.from(v) : v);
}

/** Decodes `chunks` with the scanner in front of the decoder; returns what each route saw. */
function receive(chunks: Uint8Array[]): { seen: Seen[]; scanned: number } {
  const seen: Seen[] = [];
  let scanned = 0;
  const spans = new MessageSpans();
  const decoder = new RespDecoder((value) => seen.push(describeValue(value)), {
    scan(chunk, pos, end) {
      const next = scanMessage(chunk, pos, end, spans);
      if (next >= 0) {
        scanned++;
        seen.push(describeSpans(spans));
      }
      return next;
    },
  });
  for (const chunk of chunks) decoder.push(chunk);
  return { seen, scanned };
}

/** What the general decoder alone makes of `bytes`. */
function reference(bytes: Uint8Array): Seen[] {
  const seen: Seen[] = [];
  new RespDecoder((value) => seen.push(describeValue(value))).push(bytes);
  return seen;
}

const binary = new Uint8Array([0, 13, 10, 255, 36, 42, 62, 13, 10]);
const stream = concat(
  frame(">", "subscribe", "news"),
  utf8.encode(":1\r\n"),
  frame(">", "message", "news", "hello"),
  frame("*", "message", "news", "resp2"),
  frame(">", "smessage", "shard", "s"),
  frame(">", "pmessage", "n*", "news", "by pattern"),
  frame("*", "pmessage", "n*", "news", ""),
  frame(">", "message", "news", binary),
  frame(">", "message", "канал", "größe ✓"),
  frame(">", "message", "", "empty channel"),
  frame(">", "message", "news", "x".repeat(5000)),
  frame(">", "Message", "news", "capitalised: not a message frame"),
  frame(">", "message", "news"),
  utf8.encode("*2\r\n$4\r\npong\r\n$0\r\n\r\n"),
  frame(">", "unsubscribe", "news"),
);

describe("scanMessage", () => {
  it("finds the same messages as the decoder, whole and split at every offset", () => {
    const expected = reference(stream);
    assert.equal(expected.length, 15);
    const whole = receive([stream]);
    assert.deepEqual(whole.seen, expected);
    assert.equal(whole.scanned, 9, "every well-formed message in one chunk is scanned");
    for (let cut = 1; cut < stream.length; cut++) {
      const split = receive([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(split.seen, expected, `split at ${cut}`);
    }
    const bytewise = receive(Array.from(stream, (byte) => new Uint8Array([byte])));
    assert.deepEqual(bytewise.seen, expected);
    assert.equal(bytewise.scanned, 0, "nothing is scanned from partial frames");
  });

  it("records where each part lies", () => {
    const bytes = concat(utf8.encode("xx"), frame(">", "pmessage", "p*", "pc", "data"));
    const spans = new MessageSpans();
    const next = scanMessage(bytes, 2, bytes.length, spans);
    assert.equal(next, bytes.length);
    assert.equal(spans.bytes, bytes);
    assert.equal(spans.kind, PMESSAGE);
    const at = (from: number, to: number) => text.decode(bytes.subarray(from, to));
    assert.equal(at(spans.patternStart, spans.patternEnd), "p*");
    assert.equal(at(spans.channelStart, spans.channelEnd), "pc");
    assert.equal(at(spans.payloadStart, spans.payloadEnd), "data");
  });

  it("leaves malformed frames to the decoder, which reports them", () => {
    const spans = new MessageSpans();
    const bad = [
      "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nabcXX", // no CRLF after the payload
      ">3\r\n$7\r\nmessage\r\n$2\r\nchXX$1\r\na\r\n", // no CRLF after the channel
      ">3\r\n$7\r\nmessage\r\n$x\r\nch\r\n$1\r\na\r\n", // bad length
      ">3\r\n$7\r\nmessage\r\n$-1\r\n$1\r\na\r\n", // null channel
    ];
    for (const frame of bad) {
      const bytes = utf8.encode(frame);
      assert.equal(scanMessage(bytes, 0, bytes.length, spans), -1, frame);
      const decoder = new RespDecoder(() => {}, {
        scan: (chunk, pos, end) => scanMessage(chunk, pos, end, spans),
      });
      if (frame.includes("$-1")) {
        decoder.push(bytes); // valid RESP: a null channel is decoded, not scanned
      } else {
        assert.throws(() => decoder.push(bytes), ProtocolError, frame);
      }
    }
  });

  it("stops when the value's handler resets the decoder", () => {
    const seen: number[] = [];
    const spans = new MessageSpans();
    const decoder: RespDecoder = new RespDecoder(() => seen.push(-1), {
      scan(chunk, pos, end) {
        const next = scanMessage(chunk, pos, end, spans);
        if (next >= 0) {
          seen.push(spans.payloadEnd - spans.payloadStart);
          decoder.reset(); // e.g. the subscriber closed the connection
        }
        return next;
      },
    });
    decoder.push(concat(frame(">", "message", "a", "1"), frame(">", "message", "a", "22")));
    assert.deepEqual(seen, [1]);
    assert.ok(decoder.idle);
  });
});
