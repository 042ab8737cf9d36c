/**
 * Status bookkeeping for both entries: the connecting / ready / stale / closed state, the age of
 * the values, and the `ready()` promise, which never rejects (an unhandled rejection can crash an
 * app) and resolves `false` on timeout while the client keeps trying.
 *
 * When `ready()` resolves `true` (and the `ready` event fires, once), by where the values come from:
 * - the server: when it confirms them (`confirmed`);
 * - a bootstrap: at once, since the app chose to serve it without waiting;
 * - a persisted file: when an attempt fails, so a reachable server gets its chance to send fresher
 *   values first;
 * - and in any case, values in hand when `timeoutMs` passes.
 */
import type { Emitter } from "./emitter.js";
import type { SdkError } from "./errors.js";
import type { ClientEvents, ClientStatus } from "./types.js";

export const DEFAULT_TIMEOUT_MS = 5000;

interface Waiter {
  resolve(value: boolean): void;
  timer: ReturnType<typeof setTimeout>;
}

export class StatusTracker {
  private state: ClientStatus["state"] = "connecting";
  /** When the values held were last known to be current; null while there are none. */
  private currentAt: number | null = null;
  private error: SdkError | undefined;
  private settled = false;
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly emitter: Emitter<ClientEvents>,
    private readonly timeoutMs: number,
    /** The revision of the values held, reported in the status. */
    private readonly revision: () => number | null,
    private readonly now: () => number = Date.now,
  ) {}

  get hasData(): boolean {
    return this.currentAt !== null;
  }

  get isClosed(): boolean {
    return this.state === "closed";
  }

  /** Values from a bootstrap or a persisted file, last current at `asOf`. See the module comment for `ready()`. */
  loaded(source: "bootstrap" | "persisted", asOf: number): void {
    // A clock that was ahead when the file was written must not make its values look fresh.
    this.currentAt = Math.min(asOf, this.now());
    if (source === "bootstrap") this.settle();
  }

  /** The server confirmed the values held: a stream's `synced`, a live patch after it, a poll. */
  confirmed(): void {
    if (this.state === "closed") return;
    const wasStale = this.state === "stale";
    this.currentAt = this.now();
    this.error = undefined;
    this.state = "ready";
    this.settle();
    if (wasStale) this.emitter.emit("recovered", this.current());
  }

  /** Bytes on a live connection: the values are still current. */
  touch(): void {
    if (this.state === "ready") this.currentAt = this.now();
  }

  /** A failed attempt. With values in hand they turn stale, and `ready()` need not wait longer. */
  failed(error: SdkError): void {
    if (this.state === "closed") return;
    this.error = error;
    const turnedStale = this.unconfirm();
    this.emitter.emit("error", error);
    // Re-read: an error listener may have closed the client.
    if (this.state !== "stale") return;
    this.settle();
    if (turnedStale) this.emitter.emit("stale", this.current());
  }

  /** The values are no longer confirmed while a reconnect waits (a revision gap, a refused patch). */
  interrupted(): void {
    if (this.state !== "closed" && this.unconfirm()) this.emitter.emit("stale", this.current());
  }

  current(): ClientStatus {
    switch (this.state) {
      case "closed":
        return { state: "closed" };
      case "ready":
        return { state: "ready", revision: this.revision() };
      case "stale": {
        const ageMs = Math.max(0, this.now() - (this.currentAt ?? this.now()));
        return this.error ? { state: "stale", revision: this.revision(), ageMs, error: this.error } : { state: "stale", revision: this.revision(), ageMs };
      }
      default:
        return this.error ? { state: "connecting", error: this.error } : { state: "connecting" };
    }
  }

  /** Resolves `true` once there are values to serve, `false` after `timeoutMs` without. */
  ready(): Promise<boolean> {
    if (this.settled) return Promise.resolve(true);
    if (this.state === "closed") return Promise.resolve(this.hasData);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          // Values in hand count now, for every waiter and the `ready` event alike.
          if (this.hasData) this.settle();
          resolve(this.hasData);
        }, this.timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.state = "closed";
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.hasData);
    }
    this.waiters.clear();
  }

  /** Values in hand turn stale, none stay connecting; true when they just turned stale. */
  private unconfirm(): boolean {
    const wasStale = this.state === "stale";
    this.state = this.hasData ? "stale" : "connecting";
    return this.state === "stale" && !wasStale;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
    this.waiters.clear();
    // Later, so that a bootstrap applied inside createClient still reaches listeners added after it.
    queueMicrotask(() => {
      if (this.state !== "closed") this.emitter.emit("ready", this.current());
    });
  }
}
