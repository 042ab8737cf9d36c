import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useDraft } from "./use-draft";

function renderDraft(initial: { name: string }, version: number) {
  return renderHook(({ live, at }) => useDraft(live, at), { initialProps: { live: initial, at: version } });
}

describe("useDraft", () => {
  it("follows the live fields while untouched", () => {
    const { result, rerender } = renderDraft({ name: "a" }, 1);
    rerender({ live: { name: "b" }, at: 2 });
    expect(result.current).toMatchObject({ fields: { name: "b" }, dirty: false, stale: false, baseVersion: 2 });
  });

  it("keeps edits and the version they started from, and says when the server moved on", () => {
    const { result, rerender } = renderDraft({ name: "a" }, 1);
    act(() => result.current.edit(() => ({ name: "mine" })));
    rerender({ live: { name: "theirs" }, at: 2 });
    expect(result.current).toMatchObject({ fields: { name: "mine" }, dirty: true, stale: true, baseVersion: 1 });
    act(() => result.current.discard());
    expect(result.current).toMatchObject({ fields: { name: "theirs" }, dirty: false, baseVersion: 2 });
  });

  it("treats edits back to the start as no edits", () => {
    const { result, rerender } = renderDraft({ name: "a" }, 1);
    act(() => result.current.edit(() => ({ name: "ab" })));
    act(() => result.current.edit(() => ({ name: "a" })));
    rerender({ live: { name: "b" }, at: 2 });
    expect(result.current).toMatchObject({ fields: { name: "b" }, dirty: false, stale: false });
    // The next edit starts from what is live now.
    act(() => result.current.edit((fields) => ({ name: `${fields.name}!` })));
    expect(result.current).toMatchObject({ fields: { name: "b!" }, baseVersion: 2 });
  });
});
