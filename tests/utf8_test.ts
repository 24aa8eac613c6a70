import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeUtf8 } from "../src/transport/mod.ts";
import { decodeUtf8Js } from "../src/transport/_utf8.ts";

const reference = new TextDecoder("utf-8", { ignoreBOM: true });

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

describe("decodeUtf8", () => {
  for (
    const [name, decode] of [["runtime", decodeUtf8], ["plain JavaScript", decodeUtf8Js]] as const
  ) {
    it(`${name}: decodes a range exactly as TextDecoder with ignoreBOM does`, () => {
      const next = random(7);
      const bytes = new Uint8Array(128);
      for (let round = 0; round < 20_000; round++) {
        const n = round % 48;
        const from = Math.floor(next() * 40);
        const kind = round % 3; // ASCII, any byte, UTF-8 lead/continuation heavy
        for (let i = 0; i < n; i++) {
          const r = next();
          bytes[from + i] = kind === 0
            ? Math.floor(r * 128)
            : kind === 1
            ? Math.floor(r * 256)
            : 0x80 + Math.floor(r * 128);
        }
        const expected = reference.decode(bytes.subarray(from, from + n));
        assert.equal(decode(bytes, from, from + n), expected, `round ${round}`);
      }
    });

    it(`${name}: keeps a leading BOM and decodes text of every length`, () => {
      const encoder = new TextEncoder();
      for (
        const text of [
          "",
          "a",
          "\uFEFFbom",
          "héllo ✓ 🎉",
          "x".repeat(31),
          "y".repeat(33),
          "z".repeat(5000),
        ]
      ) {
        const bytes = encoder.encode(`--${text}--`);
        assert.equal(decode(bytes, 2, bytes.length - 2), text);
      }
    });
  }
});
