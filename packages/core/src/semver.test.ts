import { describe, expect, it } from "vitest";
import { compareSemver, parseSemver } from "./semver.js";

const cmp = (a: string, b: string) => Math.sign(compareSemver(parseSemver(a)!, parseSemver(b)!));

describe("parseSemver", () => {
  it("parses full, short and v-prefixed versions", () => {
    expect(parseSemver("1.2.3")).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemver("v1.2")).toEqual({ major: 1, minor: 2, patch: 0, prerelease: [] });
    expect(parseSemver("V3")).toEqual({ major: 3, minor: 0, patch: 0, prerelease: [] });
    expect(parseSemver("1.0.0-alpha.1+build.5")).toEqual({ major: 1, minor: 0, patch: 0, prerelease: ["alpha", 1] });
    expect(parseSemver("1.0.0-x-y.0a")).toEqual({ major: 1, minor: 0, patch: 0, prerelease: ["x-y", "0a"] });
  });

  it("rejects what is not a version", () => {
    for (const bad of ["", "v", "latest", "1.", "1..2", "1.2.3.4", "1.2.3-", "1.2.3+", "1.2.3-a..b", " 1.2.3", "1.2.3 ", "-1.0.0", "1.2.x", "1.2.3-ä", "1".repeat(16)]) {
      expect(parseSemver(bad), bad).toBeUndefined();
    }
  });
});

describe("compareSemver", () => {
  it("follows the SemVer 2.0.0 precedence example chain", () => {
    const chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"];
    for (let i = 0; i + 1 < chain.length; i++) {
      expect(cmp(chain[i]!, chain[i + 1]!), `${chain[i]} < ${chain[i + 1]}`).toBe(-1);
      expect(cmp(chain[i + 1]!, chain[i]!)).toBe(1);
    }
  });

  it("treats missing parts as zero and ignores build metadata and the v prefix", () => {
    expect(cmp("1.2", "1.2.0")).toBe(0);
    expect(cmp("v1", "1.0.0")).toBe(0);
    expect(cmp("1.2.3+a", "1.2.3+b")).toBe(0);
    expect(cmp("1.02.3", "1.2.3")).toBe(0);
  });

  it("compares alphanumeric prerelease identifiers in ASCII order", () => {
    expect(cmp("1.0.0-Beta", "1.0.0-alpha")).toBe(-1); // "B" (66) < "a" (97)
    expect(cmp("1.0.0-a-b", "1.0.0-a")).toBe(1);
  });
});
