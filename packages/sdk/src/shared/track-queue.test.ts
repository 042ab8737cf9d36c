import { describe, expect, it } from "vitest";
import type { TrackedEvent } from "./types.js";
import { TRACK_QUEUE_LIMIT, enqueueTrack } from "./track-queue.js";

describe("enqueueTrack", () => {
  it("keeps the newest events up to its limit", () => {
    const queue: TrackedEvent[] = [];
    for (let i = 0; i < TRACK_QUEUE_LIMIT + 5; i++) enqueueTrack(queue, `e${i}`, { key: "u" }, i);
    expect(queue).toHaveLength(TRACK_QUEUE_LIMIT);
    expect(queue[0]).toMatchObject({ name: "e5", context: { key: "u" }, value: 5 });
  });

  it("copies the context, and keeps an event whose context cannot be read, without it", () => {
    const queue: TrackedEvent[] = [];
    const context = { key: "u" };
    enqueueTrack(queue, "copied", context, 1);
    context.key = "changed";
    enqueueTrack(queue, "getter", { get key(): string { throw new Error("getter"); } }, Number.NaN);
    enqueueTrack(queue, "proxy", new Proxy({}, { ownKeys: () => { throw new Error("ownKeys"); } }), undefined);
    enqueueTrack(queue, 42, {}, 1);
    expect(queue.map(({ name, context, value }) => ({ name, context, value }))).toEqual([
      { name: "copied", context: { key: "u" }, value: 1 },
      { name: "getter", context: {}, value: undefined },
      { name: "proxy", context: {}, value: undefined },
    ]);
  });
});
