/** A small typed event emitter shared by both entries (Node's EventEmitter is not in browsers). */
import { describeError, type Log } from "./log.js";

export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Exceptions thrown by listeners go to `log`; they never reach the client or the next listener. */
  constructor(private readonly log: Log) {}

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => void this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    // A copy, so a listener that unsubscribes itself does not skip the next one.
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        // Guarded too: whatever was thrown, reporting it must not escape into the client.
        try {
          this.log.error("a listener threw", { event: String(event), error: describeError(error) });
        } catch {
          // Nothing left to tell.
        }
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
