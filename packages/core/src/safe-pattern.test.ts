import { describe, expect, it } from "vitest";
import { compileSafePattern, isSafePattern, MAX_PATTERN_LENGTH } from "./safe-pattern.js";

describe("isSafePattern", () => {
  it("accepts ordinary patterns", () => {
    for (const ok of [
      "^user-\\d+$",
      "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",
      "^\\d+\\.\\d+(\\.\\d+)?$", // an optional group may contain a quantifier: it does not repeat
      "(?:ab)+",
      "(abc){2,5}",
      "a|b|c",
      "^(?<name>[a-z]+)$",
      "[(+*)]+", // brackets and quantifier characters inside a class are literals
      "\\(a+\\)+",
      "x{", // legacy syntax: a lone brace is a literal
      "a+?b*?",
      "(a+){1}",
      "",
    ]) {
      expect(isSafePattern(ok), ok).toBe(true);
    }
  });

  it("rejects nested repetition (star height above one)", () => {
    for (const bad of ["(a+)+", "(a*)*", "(a|a)*", "(a|aa)+$", "((ab)*c)+", "(?:a+)+", "(a{2,3})+", "(a+){2,}", "(a?)+", "([a-z]+\\.)+com", "((a))+|(b+)*", "(x|y){3,10}"]) {
      expect(isSafePattern(bad), bad).toBe(false);
    }
  });

  it("rejects backreferences and lookarounds", () => {
    for (const bad of ["(a)\\1", "(?<x>a)\\k<x>", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b"]) {
      expect(isSafePattern(bad), bad).toBe(false);
    }
  });

  it("rejects runs of repetitions over the same characters (polynomial backtracking)", () => {
    // Each of these takes 4 to 25 seconds in V8 on a 4096-character input.
    for (const bad of ["\\s*\\s*$", ".*.*=", "\\d+\\d+x", "a.*b.*c", ".*beta.*x", "^\\d+\\d+\\d+x$", ".{0,4000}.{0,4000}x", "^(?:\\d+)(\\d+)(?:\\d+)x$", "x|\\s*\\s*$"]) {
      expect(isSafePattern(bad), bad).toBe(false);
    }
  });

  it("accepts repetitions separated by characters they cannot both match, or anchored pairs", () => {
    for (const ok of ["^\\d+\\.\\d+\\.\\d+$", "^\\s*\\s*$", "^.*beta.*$", "\\d+x", "[a-z]+[0-9]+", "^(?:.*\\.)?example\\.com$", "@(example|acme)\\.com$", "(ios|android)", "^\\d{3}-\\d{3}-\\d{4}$", ".*"]) {
      expect(isSafePattern(ok), ok).toBe(true);
    }
  });

  it("reads JavaScript's legacy syntax the way RegExp does", () => {
    expect(isSafePattern("[]a")).toBe(true); // an empty class, then "a"
    expect(isSafePattern("[^]*x")).toBe(true); // [^] is any character: one repetition
    expect(isSafePattern("[^]*[^]*x")).toBe(false);
    expect(isSafePattern("a\\u{3}")).toBe(true); // without the u flag: "u" three times
    expect(isSafePattern("[\\d-z]+")).toBe(true); // "-" after a class escape is literal
    expect(isSafePattern("\\x41+\\u0041+x")).toBe(false); // both are "A": chained, unanchored
    expect(isSafePattern("^\\x41+\\u0042+x")).toBe(true);
    expect(isSafePattern("^a+A+x$")).toBe(true); // "a" and "A" chain only under case folding...
    expect(isSafePattern("a+A+x")).toBe(false); // ...which the analysis always assumes
  });

  it("rejects invalid and overlong patterns", () => {
    for (const bad of ["(", "[a-", "a**", "\\", ")("]) expect(isSafePattern(bad), bad).toBe(false);
    expect(isSafePattern("a".repeat(MAX_PATTERN_LENGTH))).toBe(true);
    expect(isSafePattern("a".repeat(MAX_PATTERN_LENGTH + 1))).toBe(false);
  });
});

describe("compileSafePattern", () => {
  it("compiles with the i flag when case-insensitive and keeps no state between tests", () => {
    const re = compileSafePattern("^ann@", true)!;
    expect(re.flags).toBe("i");
    expect(re.test("ANN@x")).toBe(true);
    expect(re.test("ANN@x")).toBe(true);
    expect(compileSafePattern("^ann@", false)!.test("ANN@x")).toBe(false);
  });

  it("keeps accepted patterns fast on their worst 4096-character inputs", () => {
    const worst: [string, string][] = [
      ["^[a-z]+@[a-z]+\\.com$", "a".repeat(4095) + "!"],
      ["^\\s*\\s*$", " ".repeat(4095) + "x"],
      ["\\d+x", "1".repeat(4096)],
      ["^.*beta.*$", "beta".repeat(1023) + "\n"],
      ["^[a-z0-9.-]+\\.[a-z]{2,}$", "a.".repeat(2048)],
    ];
    for (const [pattern, input] of worst) {
      const re = compileSafePattern(pattern, false)!;
      const start = performance.now();
      re.test(input);
      expect(performance.now() - start, pattern).toBeLessThan(250);
    }
  });
});
