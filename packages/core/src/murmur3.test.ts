import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucket, BUCKET_COUNT } from "./bucket.js";
import { murmur3, murmur3Continue, murmur3Prefix } from "./murmur3.js";
import { BUCKET_COUNT as SCHEMA_BUCKET_COUNT } from "./schema.js";

/** Plain MurmurHash3 x86_32 over TextEncoder bytes: an independent reference. */
function reference(text: string, seed = 0): number {
  const bytes = new TextEncoder().encode(text);
  let h1 = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let b = 0; b < blocks; b++) {
    const i = b * 4;
    let k1 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k1 = Math.imul(k1, 0xcc9e2d51);
    k1 = Math.imul((k1 << 15) | (k1 >>> 17), 0x1b873593);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  for (let i = bytes.length - 1; i >= blocks * 4; i--) k1 = (k1 << 8) | bytes[i]!;
  if ((bytes.length & 3) !== 0) {
    k1 = Math.imul(k1, 0xcc9e2d51);
    h1 ^= Math.imul((k1 << 15) | (k1 >>> 17), 0x1b873593);
  }
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

// Strings that stress the inline UTF-8 encoder: every width, pairs, lone surrogates anywhere.
const trickyString = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.string({ unit: "grapheme", maxLength: 6 }),
      fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF", "😀", "é", "日本", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "abcd"),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

describe("murmur3", () => {
  it("gives the published MurmurHash3 x86_32 values", () => {
    // Checked against the reference below, which matches the canonical C implementation.
    const known: [string, number, number][] = [
      ["", 0, 0],
      ["", 1, 0x514e28b7],
      ["", 0xffffffff, 0x81f16f39],
      ["hello", 0, 0x248bfa47],
      ["test", 0, 0xba6bd213],
      ["Hello, world!", 1234, 0xfaf6cdb3],
      ["aaaa", 0x9747b28c, 0x5a97808a],
      ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
    ];
    for (const [input, seed, hash] of known) {
      expect(reference(input, seed), `reference(${JSON.stringify(input)}, ${seed})`).toBe(hash);
      expect(murmur3(input, seed), `murmur3(${JSON.stringify(input)}, ${seed})`).toBe(hash);
    }
  });

  it("defaults the seed to 0 and returns an unsigned 32-bit integer", () => {
    expect(murmur3("hello")).toBe(murmur3("hello", 0));
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = murmur3(s);
        return Number.isInteger(h) && h >= 0 && h <= 0xffffffff;
      }),
    );
  });

  it("hashes UTF-8 exactly like TextEncoder: pairs, lone surrogates, every width", () => {
    for (const s of ["é", "日本", "😀", "a😀b", "\uD800", "\uDC00", "x\uD83D", "\uDE00y", "e\u0301", "\u007f\u0080\u07ff\u0800\uffff"]) {
      expect(murmur3(s)).toBe(reference(s));
      // The prefix state goes through the same encoder: its byte count is TextEncoder's.
      const state = murmur3Prefix(s);
      expect(state.length).toBe(new TextEncoder().encode(s).length);
      expect(murmur3Continue(state.h1, state.k1, state.shift, state.length, "") >>> 0).toBe(reference(s));
    }
  });

  it("agrees with the reference on arbitrary strings and seeds", () => {
    fc.assert(
      fc.property(trickyString, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => murmur3(s, seed) === reference(s, seed)),
      { numRuns: 2000 },
    );
  });

  it("continues from a prefix state exactly as if hashing the whole string", () => {
    fc.assert(
      fc.property(trickyString, trickyString, (prefix, suffix) => {
        // A pair split across the boundary is two lone surrogates by design; bucketing prefixes end in ".".
        fc.pre(!(/[\uD800-\uDBFF]$/.test(prefix) && /^[\uDC00-\uDFFF]/.test(suffix)));
        const state = murmur3Prefix(prefix);
        return murmur3Continue(state.h1, state.k1, state.shift, state.length, suffix) >>> 0 === reference(prefix + suffix);
      }),
      { numRuns: 2000 },
    );
  });
});

interface Vector {
  flagKey: string;
  salt: string;
  value: string;
  hash: number;
  bucket: number;
}

describe("bucket", () => {
  const vectors = JSON.parse(readFileSync(new URL("../bucket-vectors.json", import.meta.url), "utf8")) as Vector[];

  it("uses the schema's bucket count without importing it at runtime", () => {
    expect(BUCKET_COUNT).toBe(SCHEMA_BUCKET_COUNT);
  });

  it("has at least 60 published vectors, non-ASCII included", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    expect(vectors.some((v) => /[^\x00-\x7f]/.test(v.value))).toBe(true);
    expect(vectors.some((v) => v.value === "")).toBe(true);
    expect(vectors.some((v) => v.salt === "")).toBe(true);
  });

  it.each(vectors.map((v, i) => ({ ...v, i })))("matches vector $i", (v) => {
    expect(murmur3(`${v.flagKey}.${v.salt}.${v.value}`)).toBe(v.hash);
    expect(reference(`${v.flagKey}.${v.salt}.${v.value}`)).toBe(v.hash);
    expect(v.bucket).toBe(v.hash % 100_000);
    expect(bucket(v.flagKey, v.salt, v.value)).toBe(v.bucket);
  });

  it("is murmur3 of flagKey.salt.value modulo 100000", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), trickyString, (flagKey, salt, value) => {
        const b = bucket(flagKey, salt, value);
        return b === reference(`${flagKey}.${salt}.${value}`) % 100_000 && Number.isInteger(b) && b >= 0 && b < 100_000;
      }),
      { numRuns: 1000 },
    );
  });
});
