import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles from 1 s up to 30 s, jittered between half the ceiling and the ceiling", () => {
    const low = new Backoff({ random: () => 0 });
    const high = new Backoff({ random: () => 0.999999 });
    const lows = Array.from({ length: 8 }, () => low.next());
    const highs = Array.from({ length: 8 }, () => high.next());
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("gives different delays to clients with different luck", () => {
    const delays = [0.1, 0.5, 0.9].map((value) => new Backoff({ random: () => value }).next());
    expect(new Set(delays).size).toBe(3);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(500);
  });

  it("stays capped after many failures", () => {
    const backoff = new Backoff();
    for (let i = 0; i < 1000; i++) expect(backoff.next()).toBeLessThanOrEqual(30_000);
  });

  it("starts over after a connection that stayed up a minute, not after a shorter one", () => {
    let now = 0;
    const backoff = new Backoff({ random: () => 0, now: () => now });
    backoff.next();
    backoff.next();
    backoff.connected();
    now += 59_999;
    expect(backoff.next()).toBe(2000);
    backoff.connected();
    now += 60_000;
    expect(backoff.next()).toBe(500);
  });
});
