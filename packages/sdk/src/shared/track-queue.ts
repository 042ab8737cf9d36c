/** Bounded in-memory queue for `track()`; sending it to the server comes with a later release. */
import type { TrackedEvent } from "./types.js";

export const TRACK_QUEUE_LIMIT = 1000;

export class TrackQueue {
  private events: TrackedEvent[] = [];

  push(event: TrackedEvent): void {
    // Dropping the oldest keeps memory bounded when nothing drains the queue.
    if (this.events.length >= TRACK_QUEUE_LIMIT) this.events.shift();
    this.events.push(event);
  }

  /** Takes everything queued so far. */
  drain(): TrackedEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }

  get size(): number {
    return this.events.length;
  }
}
