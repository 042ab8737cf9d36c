import { describe, expect, it } from "vitest";
import { parseIsoDate, toInstant } from "./date.js";

describe("parseIsoDate", () => {
  it("agrees with Date.parse on ISO strings with an offset", () => {
    for (const s of ["2024-05-01T00:00:00Z", "2024-05-01T14:30:00.250+02:00", "1999-12-31T23:59:59.999-08:00", "2024-02-29T12:00:00Z", "0001-01-01T00:00:00Z", "2024-05-01T12:00Z"]) {
      expect(parseIsoDate(s), s).toBe(Date.parse(s));
    }
  });

  it("reads dates and offset-less times as UTC, whatever the machine's time zone", () => {
    expect(parseIsoDate("2024-05-01")).toBe(Date.UTC(2024, 4, 1));
    expect(parseIsoDate("2024-05-01T10:20:30")).toBe(Date.UTC(2024, 4, 1, 10, 20, 30));
    expect(parseIsoDate("2024-05-01 10:20:30.5")).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 500));
    // Years 0-99 stay literal (Date.UTC alone would map them to 1900-1999).
    expect(parseIsoDate("0050-01-01")).toBe(Date.parse("0050-01-01T00:00:00Z"));
  });

  it("handles compact and hour-only offsets and fractions beyond milliseconds", () => {
    expect(parseIsoDate("2024-05-01T12:00:00+0530")).toBe(Date.parse("2024-05-01T12:00:00+05:30"));
    expect(parseIsoDate("2024-05-01T12:00:00-03")).toBe(Date.parse("2024-05-01T12:00:00-03:00"));
    expect(parseIsoDate("2024-05-01T12:00:00.123456789Z")).toBe(Date.parse("2024-05-01T12:00:00.123Z"));
  });

  it("rejects impossible and non-ISO dates", () => {
    for (const bad of ["", "2024", "2024-5-1", "2023-02-29", "2024-13-01", "2024-04-31", "2024-01-01T24:00:00Z", "2024-01-01T12:60Z", "2024-01-01T12:00:00+25:00", "May 1, 2024", "1714521600000", "2024-01-01T12", "2024-01-01Z"]) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
  });
});

describe("toInstant", () => {
  it("takes finite epoch milliseconds and ISO strings, nothing else", () => {
    expect(toInstant(0)).toBe(0);
    expect(toInstant(1714521600000)).toBe(parseIsoDate("2024-05-01T00:00:00Z"));
    expect(toInstant("2024-05-01")).toBe(1714521600000);
    expect(toInstant(Number.NaN)).toBeUndefined();
    expect(toInstant(Infinity)).toBeUndefined();
    expect(toInstant(true)).toBeUndefined();
    expect(toInstant(null)).toBeUndefined();
  });
});
