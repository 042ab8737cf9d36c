// Writes ../bucket-vectors.json: bucketing inputs with their hash and bucket, computed with the
// independent TextEncoder-based reference. Every evaluator (core, SDK in Node and browsers,
// server) checks itself against this file. Run: node scripts/make-bucket-vectors.mjs
import { writeFileSync } from "node:fs";
import { referenceBucket, referenceMurmur3 } from "./reference-murmur3.mjs";

// Salts of lengths 0-3 shift the value across all four block alignments after "flagKey.salt.".
const prefixes = [
  ["new-checkout", ""],
  ["new-checkout", "a"],
  ["new-checkout", "ab"],
  ["new-checkout", "abc"],
  ["new-checkout", "3f9c2a7e"],
  ["checkout.v2_beta", "s"],
  ["x", "sél"],
  ["A1", "日本"],
  ["dark-mode", "😀"],
];

const values = [
  "",
  "a",
  "user-1",
  "user-123456",
  "user-999999",
  "42",
  "0",
  "-1",
  "3.14",
  "00123",
  "1e3",
  "9007199254740993",
  "é",
  "café",
  "cafe\u0301", // e + combining acute: two code points, distinct from "café"
  "naïve résumé",
  "日本",
  "日本語のユーザー",
  "😀",
  "a😀b",
  "😀😀😀",
  "👩‍👩‍👧", // ZWJ sequence
  "🇳🇱",
  "ß",
  "İstanbul",
  "Ωmega",
  "\u0000",
  " ",
  "tab\there",
  "line\nbreak",
  "\uD800", // lone high surrogate -> EF BF BD
  "\uDC00", // lone low surrogate -> EF BF BD
  "x\uD83D", // high surrogate at the very end
  "\uDE00y", // low surrogate first
  "\u007f\u0080\u07ff\u0800\uffff", // UTF-8 length boundaries: 1, 2, 2, 3, 3 bytes
  "user@example.com",
  "u".repeat(64),
  "long-" + "abcdefghij".repeat(100),
  "ü".repeat(333),
  "mixed-ascii-é-日本-😀-".repeat(20),
];

const vectors = [];
for (const value of values) {
  // Each value under a few prefixes, rotating so every prefix sees many values.
  const index = values.indexOf(value);
  for (const [flagKey, salt] of [prefixes[index % prefixes.length], prefixes[(index + 4) % prefixes.length]]) {
    const hash = referenceMurmur3(`${flagKey}.${salt}.${value}`);
    vectors.push({ flagKey, salt, value, hash, bucket: referenceBucket(flagKey, salt, value) });
  }
}

const file = new URL("../bucket-vectors.json", import.meta.url);
writeFileSync(file, JSON.stringify(vectors, null, 2) + "\n");
console.log(`wrote ${vectors.length} vectors to ${file.pathname}`);
