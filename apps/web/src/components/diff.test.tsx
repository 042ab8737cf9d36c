import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Diff, diffJson } from "./diff";


describe("diffJson", () => {
  it("finds nothing between identical values", () => {
    const value = { enabled: true, rules: [{ clauses: [], serve: { variant: "on" } }], killReason: null };
    expect(diffJson(value, structuredClone(value))).toEqual([]);
    expect(diffJson(null, null)).toEqual([]);
  });

  it("names changed leaves of nested objects and arrays by path", () => {
    const before = { enabled: false, fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10000 }] } } };
    const after = { enabled: true, fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 25000 }] } } };
    expect(diffJson(before, after)).toEqual([
      { path: "enabled", kind: "changed", before: false, after: true },
      { path: "fallthrough.rollout.variants[0].weight", kind: "changed", before: 10000, after: 25000 },
    ]);
  });

  it("reports added and removed keys and array items", () => {
    expect(diffJson({ tags: ["a", "b"], old: 1 }, { tags: ["a"], added: { x: 1 } })).toEqual([
      { path: "tags[1]", kind: "removed", before: "b" },
      { path: "old", kind: "removed", before: 1 },
      { path: "added", kind: "added", after: { x: 1 } },
    ]);
    expect(diffJson({ tags: [] }, { tags: ["a"] })).toEqual([{ path: "tags[0]", kind: "added", after: "a" }]);
  });

  it("lists each field of a creation as added, and of a deletion as removed", () => {
    expect(diffJson(null, { key: "new-checkout", tags: [] })).toEqual([
      { path: "key", kind: "added", after: "new-checkout" },
      { path: "tags", kind: "added", after: [] },
    ]);
    expect(diffJson({ key: "beta" }, null)).toEqual([{ path: "key", kind: "removed", before: "beta" }]);
  });

  it("treats a change of type as one change of the whole value", () => {
    expect(diffJson({ serve: { variant: "on" } }, { serve: null })).toEqual([
      { path: "serve", kind: "changed", before: { variant: "on" }, after: null },
    ]);
    expect(diffJson(1, "1")).toEqual([{ path: "", kind: "changed", before: 1, after: "1" }]);
  });

  it("quotes keys that are not plain names", () => {
    expect(diffJson({ environments: { "eu west": 1 } }, { environments: { "eu west": 2 } })[0]!.path).toBe('environments["eu west"]');
  });
});

describe("Diff", () => {
  it("shows old and new values in words, not colour alone", () => {
    render(<Diff before={{ enabled: false, version: 3 }} after={{ enabled: true, version: 4 }} />);
    const items = screen.getAllByRole("listitem").map((item) => item.textContent);
    expect(items).toEqual(["changed enabled: false → changed to true", "changed version: 3 → changed to 4"]);
  });

  it("says so when nothing differs", () => {
    render(<Diff before={{ a: 1 }} after={{ a: 1 }} />);
    expect(screen.getByText("No differences recorded.")).toBeTruthy();
  });
});
