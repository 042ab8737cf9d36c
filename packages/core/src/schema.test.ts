import { describe, expect, it } from "vitest";
import * as schema from "./schema.js";
import { jsonValueSchema, variantSchema } from "./schema.js";

function nestedArrays(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function nestedObjects(levels: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe("jsonValueSchema", () => {
  it("accepts JSON values nested up to 32 levels deep", () => {
    for (const value of ["s", 1, true, null, [], {}, nestedArrays(32), nestedObjects(32), { a: [{ b: [1, 2, { c: null }] }] }]) {
      const parsed = jsonValueSchema.safeParse(value);
      expect(parsed.success, JSON.stringify(value)).toBe(true);
      expect(parsed.data).toStrictEqual(value);
    }
  });

  it("rejects values nested deeper than 32 levels with a clear message", () => {
    for (const value of [nestedArrays(33), nestedObjects(33), { ok: 1, deep: nestedObjects(40) }]) {
      const parsed = jsonValueSchema.safeParse(value);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((issue) => issue.message)).toEqual(["must be nested at most 32 levels deep"]);
    }
  });

  it("rejects absurdly deep values without overflowing the stack", () => {
    for (const levels of [2_000, 100_000]) {
      expect(jsonValueSchema.safeParse(nestedArrays(levels)).success).toBe(false);
      expect(jsonValueSchema.safeParse(nestedObjects(levels)).success).toBe(false);
      const json = "[".repeat(levels) + "]".repeat(levels);
      const parsed = variantSchema.safeParse({ key: "deep", value: JSON.parse(json) });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]).toMatchObject({ path: ["value"], message: "must be nested at most 32 levels deep" });
    }
  });

  it("rejects a cyclic value instead of looping", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonValueSchema.safeParse(cyclic).success).toBe(false);
  });

  it("rejects objects with an own __proto__ key, naming it, at any depth", () => {
    for (const [json, path] of [
      ['{"__proto__": {"admin": true}}', ["value", "__proto__"]],
      ['{"a": [1, {"__proto__": null}]}', ["value", "a", 1, "__proto__"]],
    ] as const) {
      const parsed = variantSchema.safeParse({ key: "v", value: JSON.parse(json) });
      expect(parsed.success, json).toBe(false);
      expect(parsed.error!.issues).toHaveLength(1);
      expect(parsed.error!.issues[0]!.path).toEqual(path);
      expect(parsed.error!.issues[0]!.message).toMatch(/__proto__/);
    }
    // An ordinary key spelled differently is fine.
    expect(jsonValueSchema.safeParse(JSON.parse('{"proto": 1, "__proto": 2}')).success).toBe(true);
  });

  it("still rejects values that are not JSON", () => {
    for (const value of [undefined, () => 1, Symbol("s"), 1n, [undefined], { a: new Map() }]) {
      expect(jsonValueSchema.safeParse(value).success).toBe(false);
    }
  });
});

describe("schema module", () => {
  it("exports no unused evaluation context schema", () => {
    expect("evaluationContextSchema" in schema).toBe(false);
  });
});
