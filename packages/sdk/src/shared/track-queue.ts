/** The in-memory queue behind `track()`; sending it to the server comes with a later release. */
import type { TrackedEvent } from "./types.js";

export const TRACK_QUEUE_LIMIT = 1000;

/**
 * Queues one `track()` call. Never throws: a context that cannot be read (a throwing getter, a
 * Proxy) is recorded as `{}`. Past the limit the oldest event is dropped, so memory stays bounded
 * while nothing drains the queue.
 */
export function enqueueTrack(queue: TrackedEvent[], name: unknown, context: unknown, value: unknown): void {
  if (typeof name !== "string") return;
  let copy: Record<string, unknown> = {};
  try {
    if (typeof context === "object" && context !== null) copy = { ...context };
  } catch {
    // Unreadable: the event is kept without its context.
  }
  if (queue.length >= TRACK_QUEUE_LIMIT) queue.shift();
  queue.push({ name, context: copy, value: typeof value === "number" && Number.isFinite(value) ? value : undefined, at: Date.now() });
}
