/**
 * One streaming connection to `GET /sdk/v1/stream` through the `eventsource` package. The custom
 * fetch adds the credentials and `Last-Event-ID`, and wraps the response body so that every chunk
 * (heartbeat comments included, which EventSource never surfaces) feeds the watchdog. Reconnecting
 * is the caller's job: this object only reports how the connection ended, once.
 */
import { EventSource, type FetchLike, type FetchLikeResponse } from "eventsource";
import { SdkError, errorForStatus } from "../shared/errors.js";
import { discardBody } from "./http.js";

export interface StreamFailure {
  error: SdkError;
  /** The server does not stream (404, 405, 501, or no event stream): switch to polling. */
  refused: boolean;
}

/** The events of `GET /sdk/v1/stream`: `synced` ends the initial ones of each connection. */
export type StreamEventType = "put" | "patch" | "synced";

const EVENT_TYPES: StreamEventType[] = ["put", "patch", "synced"];

export interface StreamHandlers {
  /** The server accepted the stream. */
  onOpen(): void;
  /** Any bytes arrived, heartbeat or event. */
  onBytes(): void;
  onEvent(type: StreamEventType, data: string, id: string | undefined): void;
  /** The connection ended or stalled; called at most once, never after `close()`. */
  onFailure(failure: StreamFailure): void;
}

export interface StreamConnectionOptions {
  url: string;
  sdkKey: string;
  lastEventId: number | null;
  /** Reconnect when nothing arrives for this long (2.5 heartbeat intervals). */
  watchdogMs: number;
  fetch: typeof globalThis.fetch;
}

const REFUSING_STATUSES = new Set([404, 405, 501]);

export class StreamConnection {
  private readonly source: EventSource;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    private readonly options: StreamConnectionOptions,
    private readonly handlers: StreamHandlers,
  ) {
    const customFetch: FetchLike = async (url, init) => {
      const headers: Record<string, string> = { ...init.headers, Authorization: `Bearer ${options.sdkKey}` };
      // Our own value, always: eventsource's would be the last id it saw, which we may have refused.
      delete headers["Last-Event-ID"];
      if (options.lastEventId !== null) headers["Last-Event-ID"] = String(options.lastEventId);
      const response = await options.fetch(url, { ...init, headers });
      this.feedWatchdog();
      if (response.status !== 200) {
        // eventsource never reads an error's body.
        discardBody(response);
        return { status: response.status, url: response.url, redirected: response.redirected, headers: response.headers, body: null };
      }
      return this.observe(response);
    };
    this.source = new EventSource(`${options.url}/sdk/v1/stream`, { fetch: customFetch });
    this.source.addEventListener("open", this.onOpen);
    for (const type of EVENT_TYPES) this.source.addEventListener(type, this.onMessage);
    this.source.addEventListener("error", this.onError);
    // Also covers a server that accepts the connection but never answers.
    this.feedWatchdog();
  }

  /** Ends the connection; no handler is called afterwards. */
  close(): void {
    this.done = true;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.source.removeEventListener("open", this.onOpen);
    for (const type of EVENT_TYPES) this.source.removeEventListener(type, this.onMessage);
    this.source.removeEventListener("error", this.onError);
    this.source.close();
  }

  private readonly onOpen = () => {
    if (!this.done) this.handlers.onOpen();
  };

  private readonly onMessage = (event: MessageEvent) => {
    if (!this.done) this.handlers.onEvent(event.type as StreamEventType, String(event.data), event.lastEventId || undefined);
  };

  private readonly onError = (event: Event & { code?: number; message?: string }) => {
    if (this.done) return;
    const status = event.code;
    let failure: StreamFailure;
    if (status === 200) {
      failure = { error: new SdkError("http_error", "stream: the response is not an event stream", status), refused: true };
    } else if (status !== undefined) {
      failure = { error: errorForStatus(status, "stream"), refused: REFUSING_STATUSES.has(status) };
    } else {
      failure = { error: new SdkError("network_error", `stream: ${event.message ?? "connection lost"}`), refused: false };
    }
    // After the current dispatch: eventsource arms its own reconnect timer right after emitting
    // the error, and close() is what clears it.
    queueMicrotask(() => this.fail(failure));
  };

  private fail(failure: StreamFailure): void {
    if (this.done) return;
    this.close();
    this.handlers.onFailure(failure);
  }

  private feedWatchdog(): void {
    if (this.done) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.fail({ error: new SdkError("stalled", `stream: nothing received for ${this.options.watchdogMs} ms`), refused: false });
    }, this.options.watchdogMs);
  }

  /** The response with a body whose every chunk feeds the watchdog. */
  private observe(response: Response): FetchLikeResponse {
    const body = response.body;
    if (!body) return response;
    const onChunk = () => {
      if (this.done) return;
      this.feedWatchdog();
      this.handlers.onBytes();
    };
    return {
      status: response.status,
      url: response.url,
      redirected: response.redirected,
      headers: response.headers,
      body: {
        getReader() {
          const reader = body.getReader();
          return {
            async read() {
              const result = await reader.read();
              if (!result.done) onChunk();
              return result;
            },
            cancel: () => reader.cancel(),
          };
        },
      },
    };
  }
}
