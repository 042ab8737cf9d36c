/**
 * Keeps a Node client's store in step with the server: streaming with resume, reconnects with
 * backoff, a watchdog, and polling when streaming is refused or turned off. It parses and
 * validates what arrives, and hands every update to one `apply` path.
 */
import type { EnvironmentSnapshot } from "@switchyard/core";
import { Backoff } from "../shared/backoff.js";
import { SdkError, isTerminalStatus } from "../shared/errors.js";
import type { Log } from "../shared/log.js";
import { parsePatch, parseRevision, parseSnapshot } from "./messages.js";
import { Poller } from "./poller.js";
import type { FlagPatch } from "./store.js";
import { StreamConnection, type StreamFailure } from "./stream-connection.js";

export type Update = { type: "put"; snapshot: EnvironmentSnapshot } | { type: "patch"; revision: number; patch: FlagPatch };

/** `gap`: the patch skipped revisions the client never saw. */
export type ApplyOutcome = "applied" | "duplicate" | "gap";

/** What the synchronizer needs from its client. */
export interface SyncTarget {
  /** The revision to resume from, or null to ask for a full put. */
  resumeRevision(): number | null;
  apply(update: Update): ApplyOutcome;
  /** The server confirmed the values held (a resumed stream opened, or a poll said 304). */
  confirm(): void;
  /** Bytes on a live stream. */
  alive(): void;
  /** A failed attempt; the synchronizer keeps trying unless `terminal`. */
  failed(error: SdkError, terminal: boolean): void;
  /** An event that was ignored. */
  rejected(error: SdkError): void;
}

export interface SyncOptions {
  url: string;
  sdkKey: string;
  stream: boolean;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  requestTimeoutMs: number;
  fetch: typeof globalThis.fetch;
  backoff: Backoff;
  log: Log;
}

export class Synchronizer {
  private mode: "stream" | "poll";
  private connection: StreamConnection | null = null;
  private readonly poller: Poller;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Set after a malformed patch: the next connect asks for a full put instead of a resume. */
  private needsPut = false;
  private pollFailing = false;

  constructor(
    private readonly options: SyncOptions,
    private readonly target: SyncTarget,
  ) {
    this.mode = options.stream ? "stream" : "poll";
    this.poller = new Poller({ url: options.url, sdkKey: options.sdkKey, requestTimeoutMs: options.requestTimeoutMs, fetch: options.fetch });
  }

  start(): void {
    if (this.mode === "stream") this.connect();
    else void this.pollOnce();
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.connection?.close();
    this.connection = null;
    this.poller.close();
  }

  private schedule(delayMs: number, next: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) next();
    }, delayMs);
  }

  private connect(): void {
    const resume = this.needsPut ? null : this.target.resumeRevision();
    this.needsPut = false;
    this.options.log.debug("stream: connecting", { resumeFrom: resume });
    const connection = new StreamConnection(
      { url: this.options.url, sdkKey: this.options.sdkKey, lastEventId: resume, watchdogMs: this.options.heartbeatIntervalMs * 2.5, fetch: this.options.fetch },
      {
        onOpen: () => {
          this.options.backoff.connected();
          this.options.log.debug("stream: open");
          if (resume !== null) this.target.confirm();
        },
        onBytes: () => this.target.alive(),
        onEvent: (type, data, id) => this.onEvent(connection, type, data, id),
        onFailure: (failure) => this.onStreamFailure(failure),
      },
    );
    this.connection = connection;
  }

  private onEvent(connection: StreamConnection, type: "put" | "patch", data: string, id: string | undefined): void {
    if (type === "put") {
      const parsed = parseSnapshot(data);
      if (parsed.ok) this.target.apply({ type: "put", snapshot: parsed.value });
      else this.target.rejected(parsed.error);
      return;
    }
    const revision = parseRevision(id);
    const parsed = parsePatch(data);
    if (revision === null || !parsed.ok) {
      this.target.rejected(parsed.ok ? new SdkError("malformed_event", "ignored a patch without a numeric id") : parsed.error);
      // The store cannot move past a change it refused, so it asks for the whole state again.
      this.needsPut = true;
      this.reconnect(connection, "malformed patch");
      return;
    }
    if (this.target.apply({ type: "patch", revision, patch: parsed.value }) === "gap") {
      this.reconnect(connection, "revision gap");
    }
  }

  /** Drops the connection and reconnects after a backoff delay; the server replays what we lack. */
  private reconnect(connection: StreamConnection, reason: string): void {
    if (this.connection !== connection) return;
    connection.close();
    this.connection = null;
    const delay = this.options.backoff.next();
    this.options.log.info(`stream: reconnecting (${reason})`, { delayMs: delay });
    this.schedule(delay, () => this.connect());
  }

  private onStreamFailure({ error, refused }: StreamFailure): void {
    this.connection = null;
    if (this.stopped) return;
    if (isTerminalStatus(error.status)) {
      this.options.log.error(`${error.message}; not retrying`, { code: error.code });
      this.target.failed(error, true);
      return;
    }
    if (refused) {
      this.options.log.warn(`${error.message}; falling back to polling`, { code: error.code });
      this.mode = "poll";
      this.options.backoff.reset();
      void this.pollOnce();
      return;
    }
    const delay = this.options.backoff.next();
    this.options.log.warn(`${error.message}; reconnecting`, { code: error.code, delayMs: delay });
    this.target.failed(error, false);
    this.schedule(delay, () => this.connect());
  }

  private async pollOnce(): Promise<void> {
    const result = await this.poller.poll();
    if (this.stopped) return;
    if (result.kind === "failed") {
      if (isTerminalStatus(result.error.status)) {
        this.options.log.error(`${result.error.message}; not retrying`, { code: result.error.code });
        this.target.failed(result.error, true);
        return;
      }
      if (result.error.code === "malformed_event") this.target.rejected(result.error);
      else this.target.failed(result.error, false);
      // A failing server is polled no faster than the backoff allows.
      if (!this.pollFailing) this.options.backoff.reset();
      this.pollFailing = true;
      this.schedule(Math.max(this.options.pollIntervalMs, this.options.backoff.next()), () => void this.pollOnce());
      return;
    }
    this.pollFailing = false;
    if (result.kind === "snapshot") this.target.apply({ type: "put", snapshot: result.snapshot });
    else this.target.confirm();
    this.schedule(this.options.pollIntervalMs, () => void this.pollOnce());
  }
}
