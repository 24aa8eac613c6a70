import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RespDecoder } from "../src/protocol/decoder.ts";
import { RequestParser } from "../src/protocol/request_parser.ts";
import type { RespValue } from "../src/protocol/types.ts";

const utf8 = new TextEncoder();

type Outcome = { values: RespValue[]; error: string | null };

/** Feeds `chunks` to `push`, collecting values and the first error. */
function run(
  make: (
    onValue: (value: RespValue) => void,
  ) => { push(chunk: Uint8Array): void },
  chunks: Uint8Array[],
): Outcome {
  const values: RespValue[] = [];
  const parser = make((value) => values.push(value));
  try {
    for (const chunk of chunks) parser.push(chunk);
  } catch (error) {
    return { values, error: (error as Error).message };
  }
  return { values, error: null };
}

const OPTIONS = {
  maxBulkLength: 1000,
  maxArrayLength: 100,
  maxInlineLength: 64,
};

function viaParser(chunks: Uint8Array[]): Outcome {
  return run((onValue) => new RequestParser(onValue, OPTIONS), chunks);
}

function viaDecoder(chunks: Uint8Array[]): Outcome {
  return run(
    (onValue) => new RespDecoder(onValue, { ...OPTIONS, inline: true, maxDepth: 1 }),
    chunks,
  );
}

/** Every split of `bytes` into two chunks, plus one byte per chunk. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) {
    out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  }
  out.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return out;
}

const INPUTS = [
  "*1\r\n$4\r\nPING\r\n",
  "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n",
  "*2\r\n$3\r\nGET\r\n$0\r\n\r\n*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n",
  "PING\r\n*1\r\n$4\r\nPING\r\nSET a 'b c'\r\n\r\n*1\r\n$4\r\nPING\r\n",
  "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1000\r\n",
  "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1001\r\n",
  "*1\r\n$4\r\nPING\r\n*101\r\n",
  "*1\r\n$4\r\nPING\r\n*2\r\n+GET\r\n",
  "*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nGETX\r\n",
  "*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n",
  "*1\r\n$04\r\nPING\r\n*01\r\n$4\r\nPING\r\n",
  "*1\r\n$4\n",
  "*1\r\n$00\r\n\r\n*1\r\n$0\r\n\r\n",
  "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
  "*1\r\n$4\r\nPING\r\n" + "*2\r\n$4\r\nECHO\r\n$600\r\n" + "x".repeat(600) +
  "\r\n",
];

describe("RequestParser", () => {
  it("push() matches the general decoder at every split offset", () => {
    for (const input of INPUTS) {
      const bytes = utf8.encode(input);
      for (const chunks of splits(bytes)) {
        assert.deepEqual(
          viaParser(chunks),
          viaDecoder(chunks),
          JSON.stringify(input),
        );
      }
    }
  });

  it("push() matches the general decoder when a pipeline is cut anywhere twice", () => {
    const bytes = utf8.encode(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" +
        "PING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$04\r\nPING\r\n",
    );
    for (let i = 1; i < bytes.length; i++) {
      for (let j = i; j < bytes.length; j++) {
        const chunks = [
          bytes.subarray(0, i),
          bytes.subarray(i, j),
          bytes.subarray(j),
        ];
        assert.deepEqual(viaParser(chunks), viaDecoder(chunks));
      }
    }
  });

  it("push() keeps a long pipeline cut inside requests on the same results", () => {
    let text = "";
    for (let i = 0; i < 2000; i++) {
      text += `*3\r\n$5\r\nLPUSH\r\n$1\r\nl\r\n$${String(i).length}\r\n${i}\r\n`;
    }
    const bytes = utf8.encode(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 997) {
      chunks.push(bytes.subarray(i, i + 997));
    }
    const parsed = viaParser(chunks);
    assert.equal(parsed.values.length, 2000);
    assert.deepEqual(parsed, viaDecoder(chunks));
  });

  it("push() counts a kept partial request in buffered", () => {
    const parser = new RequestParser(() => {});
    parser.push(utf8.encode("*2\r\n$3\r\nGET\r\n$5\r\nab"));
    assert.ok(parser.buffered > 0);
    parser.push(utf8.encode("cde\r\n"));
    assert.equal(parser.buffered, 0);
  });

  it("push() hands out arguments that outlive the chunk", () => {
    const chunk = utf8.encode("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
    const { values } = viaParser([chunk]);
    chunk.fill(0);
    assert.deepEqual(values, [[utf8.encode("GET"), utf8.encode("key")]]);
  });

  it("reset() from the callback drops the rest of the chunk", () => {
    const seen: RespValue[] = [];
    const parser: RequestParser = new RequestParser((value) => {
      seen.push(value);
      parser.reset();
    });
    parser.push(utf8.encode("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n"));
    assert.equal(seen.length, 1);
  });
});
