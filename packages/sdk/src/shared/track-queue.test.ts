import { describe, expect, it } from "vitest";
import { TRACK_QUEUE_LIMIT, TrackQueue } from "./track-queue.js";

describe("TrackQueue", () => {
  it("keeps the newest events up to its limit", () => {
    const queue = new TrackQueue();
    for (let i = 0; i < TRACK_QUEUE_LIMIT + 5; i++) queue.push({ name: `e${i}`, at: i });
    expect(queue.size).toBe(TRACK_QUEUE_LIMIT);
    const drained = queue.drain();
    expect(drained[0]!.name).toBe("e5");
    expect(queue.size).toBe(0);
  });
});
