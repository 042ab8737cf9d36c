/**
 * Keeps a Node client's store in step with the server: streaming with resume, reconnects with
 * backoff, a watchdog, and polling when streaming is refused or turned off. It parses and
 * validates what arrives, hands every update to one `apply` path, and says when the values are
 * confirmed: on a stream, at its `synced` event (after the put or the replayed patches) and at
 * each live patch after it; when polling, at every successful poll.
 */
import type { EnvironmentSnapshot } from "@switchyard/core";
import { Backoff } from "../shared/backoff.js";
import { SdkError, isTerminalStatus } from "../shared/errors.js";
import type { Log } from "../shared/log.js";
import { parseRevision } from "../shared/revision.js";
import { parsePatch, parseSnapshot } from "./messages.js";
import { Poller } from "./poller.js";
import type { FlagPatch } from "./store.js";
import { StreamConnection, type StreamEventType, type StreamFailure } from "./stream-connection.js";

export type Update = { type: "put"; snapshot: EnvironmentSnapshot } | { type: "patch"; revision: number; patch: FlagPatch };

/** What the synchronizer needs from its client. */
export interface SyncTarget {
  /** The revision to resume from, or null to ask for a full put. */
  resumeRevision(): number | null;
  /** Applies an update (a repeated patch is ignored); false when a patch skipped revisions. */
  apply(update: Update): boolean;
  /** The server confirmed the values held. */
  confirm(): void;
  /** Bytes on a live stream. */
  alive(): void;
  /** A failed attempt. */
  failed(error: SdkError): void;
  /** The values are no longer confirmed while a reconnect waits. */
  interrupted(): void;
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
  /** Whether the current connection has sent `synced`: its patches are then live. */
  private synced = false;
  private readonly poller: Poller;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Set when the store may not resume: the next connect asks for a full put. */
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

  /**
   * Runs `next` after `delayMs`. Does nothing once stopped: the target's callbacks emit events,
   * and a listener may have closed the client on the way here.
   */
  private schedule(delayMs: number, next: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      next();
    }, delayMs);
  }

  private connect(): void {
    if (this.stopped) return;
    const resume = this.needsPut ? null : this.target.resumeRevision();
    this.needsPut = false;
    this.synced = false;
    this.options.log.debug("stream: connecting", { resumeFrom: resume });
    const connection = new StreamConnection(
      { url: this.options.url, sdkKey: this.options.sdkKey, lastEventId: resume, watchdogMs: this.options.heartbeatIntervalMs * 2.5, fetch: this.options.fetch },
      {
        onOpen: () => {
          this.options.backoff.connected();
          this.options.log.debug("stream: open");
        },
        onBytes: () => this.target.alive(),
        onEvent: (type, data, id) => this.onEvent(connection, type, data, id),
        onFailure: (failure) => this.onStreamFailure(failure),
      },
    );
    this.connection = connection;
  }

  private onEvent(connection: StreamConnection, type: StreamEventType, data: string, id: string | undefined): void {
    if (type === "put") {
      const parsed = parseSnapshot(data);
      if (!parsed.ok) return this.target.rejected(parsed.error);
      this.target.apply({ type: "put", snapshot: parsed.value });
    } else if (type === "patch") {
      const revision = parseRevision(id);
      const parsed = parsePatch(data);
      // The store cannot move past a change it refused, so it asks for the whole state again.
      if (!parsed.ok) return this.refuse(connection, parsed.error);
      if (revision === null) return this.refuse(connection, new SdkError("malformed_event", "ignored a patch without a numeric id"));
      if (!this.target.apply({ type: "patch", revision, patch: parsed.value })) return this.reconnect(connection, "revision gap");
    } else {
      const revision = parseRevision(id);
      const held = this.target.resumeRevision();
      if (revision === null || revision !== held) {
        return this.refuse(connection, new SdkError("malformed_event", `ignored a synced event at revision ${id ?? "(none)"}: the client holds ${held ?? "nothing"}`));
      }
      this.synced = true;
    }
    // A listener of the update may have closed the client or this connection.
    if (this.synced && this.connection === connection) this.target.confirm();
  }

  /** An event the store could not take: reported, then a reconnect that asks for a full put. */
  private refuse(connection: StreamConnection, error: SdkError): void {
    this.target.rejected(error);
    this.needsPut = true;
    this.reconnect(connection, "refused event");
  }

  /** Drops the connection and reconnects after a backoff delay; the server replays what we lack. */
  private reconnect(connection: StreamConnection, reason: string): void {
    if (this.connection !== connection) return;
    connection.close();
    this.connection = null;
    const delay = this.options.backoff.next();
    this.options.log.info(`stream: reconnecting (${reason})`, { delayMs: delay });
    this.target.interrupted();
    this.schedule(delay, () => this.connect());
  }

  private onStreamFailure({ error, refused }: StreamFailure): void {
    this.connection = null;
    if (this.stopped) return;
    if (refused) {
      this.options.log.warn(`${error.message}; falling back to polling`, { code: error.code });
      this.mode = "poll";
      this.options.backoff.reset();
      void this.pollOnce();
      return;
    }
    this.retry(error, this.options.backoff.next(), () => this.connect());
  }

  /** Reports a failure and tries `next` after `delayMs`, unless the key was refused (401/403): a wrong key would otherwise hammer the server. */
  private retry(error: SdkError, delayMs: number, next: () => void): void {
    const terminal = isTerminalStatus(error.status);
    if (terminal) this.options.log.error(`${error.message}; not retrying`, { code: error.code });
    else this.options.log.warn(`${error.message}; retrying`, { code: error.code, delayMs });
    this.target.failed(error);
    if (!terminal) this.schedule(delayMs, next);
  }

  private async pollOnce(): Promise<void> {
    if (this.stopped) return;
    const result = await this.poller.poll();
    if (this.stopped) return;
    const next = () => void this.pollOnce();
    if (result.kind === "failed") {
      // A failing server is polled no faster than the backoff allows.
      if (!this.pollFailing) this.options.backoff.reset();
      this.pollFailing = true;
      const delay = Math.max(this.options.pollIntervalMs, this.options.backoff.next());
      if (result.error.code !== "malformed_event") return this.retry(result.error, delay, next);
      this.target.rejected(result.error);
      return this.schedule(delay, next);
    }
    this.pollFailing = false;
    if (result.kind === "snapshot") this.target.apply({ type: "put", snapshot: result.snapshot });
    this.target.confirm();
    this.schedule(this.options.pollIntervalMs, next);
  }
}
