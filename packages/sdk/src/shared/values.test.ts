import { describe, expect, it } from "vitest";
import { enabledValue, notFound, servedValue } from "./values.js";

const served = (value: unknown) => ({ value: value as never, variant: "v", reason: "FALLTHROUGH" as const });

describe("values", () => {
  it("isEnabled takes only booleans from a served result", () => {
    expect(enabledValue(served(true), false)).toBe(true);
    expect(enabledValue(served("true"), false)).toBe(false);
    expect(enabledValue(served(1), true)).toBe(true);
    expect(enabledValue({ ...served(false), reason: "ERROR" }, true)).toBe(true);
    expect(enabledValue(notFound(null), true)).toBe(true);
  });

  it("variant matches the default's type, telling arrays, objects and null apart", () => {
    expect(servedValue(served("x"), "d")).toBe("x");
    expect(servedValue(served(2), "d")).toBe("d");
    expect(servedValue(served([1]), {})).toEqual({});
    expect(servedValue(served({ a: 1 }), [])).toEqual([]);
    expect(servedValue(served(null), {})).toEqual({});
    expect(servedValue(served(null), null)).toBeNull();
    expect(servedValue(served(5), undefined)).toBe(5);
  });

  it("variant gives back a default it cannot inspect", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(servedValue(served({ a: 1 }), proxy)).toBe(proxy);
  });
});
