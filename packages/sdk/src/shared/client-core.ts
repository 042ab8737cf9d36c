/**
 * What the Node and browser clients share around their own I/O: the log, the events, the status
 * and `ready()`, the track queue, and the `ready` / `on` / `status` methods of both public surfaces.
 */
import { Emitter } from "./emitter.js";
import { createLog, type Log } from "./log.js";
import { durationOption } from "./options.js";
import { DEFAULT_TIMEOUT_MS, StatusTracker } from "./status.js";
import { enqueueTrack } from "./track-queue.js";
import type { ClientEvents, ClientStatus, Logger, TrackedEvent } from "./types.js";

export interface ClientCore {
  log: Log;
  emitter: Emitter<ClientEvents>;
  tracker: StatusTracker;
  /** The methods both public surfaces share. */
  methods: {
    ready(): Promise<boolean>;
    on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
    status(): ClientStatus;
  };
  /** Queues a `track()` call until the client is closed; never throws. */
  track(name: unknown, context: unknown, value: unknown): void;
  /** Closes the status and drops every listener; true the first time, when the caller stops its I/O. */
  close(): boolean;
}

/** `revision` gives the revision of the values the client holds, for the status. */
export function createClientCore(options: { logger?: Logger; timeoutMs?: number }, revision: () => number | null): ClientCore {
  const log = createLog(options.logger);
  const emitter = new Emitter<ClientEvents>(log);
  const tracker = new StatusTracker(emitter, durationOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, 0), revision);
  const queue: TrackedEvent[] = [];
  return {
    log,
    emitter,
    tracker,
    methods: {
      ready: () => tracker.ready(),
      on: (event, listener) => (tracker.isClosed ? () => {} : emitter.on(event, listener)),
      status: () => tracker.current(),
    },
    track(name, context, value) {
      if (!tracker.isClosed) enqueueTrack(queue, name, context, value);
    },
    close() {
      if (tracker.isClosed) return false;
      tracker.close();
      emitter.clear();
      return true;
    },
  };
}
