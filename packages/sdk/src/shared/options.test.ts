import { describe, expect, it } from "vitest";
import { durationOption, keyIdOf } from "./options.js";

describe("durationOption", () => {
  it("takes finite numbers, raised to the minimum and capped at what setTimeout honours", () => {
    expect(durationOption(2500, 30_000, 1000)).toBe(2500);
    expect(durationOption(5, 30_000, 1000)).toBe(1000);
    expect(durationOption(-1, 5000, 0)).toBe(0);
    expect(durationOption(1e12, 5000, 0)).toBe(2 ** 31 - 1);
  });

  it("falls back for anything else", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "1000", null, undefined, {}]) {
      expect(durationOption(value, 30_000, 1000)).toBe(30_000);
    }
  });
});

describe("keyIdOf", () => {
  it("is the part before the first dot, and null without one", () => {
    expect(keyIdOf("sy_server_abc.secret.more")).toBe("sy_server_abc");
    expect(keyIdOf("sy_client_nodot")).toBeNull();
    expect(keyIdOf(".secret")).toBeNull();
    expect(keyIdOf(undefined)).toBeNull();
  });
});
