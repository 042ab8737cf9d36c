/**
 * A scripted Switchyard server on msw: each stream request gets a connection whose SSE bytes the
 * test writes (events, heartbeat comments, end, error), or a status. msw's own `sse()` is not used:
 * it needs a global EventSource, which Node 20 lacks, cannot send comments (heartbeats) or refuse
 * with a status, and logs every frame.
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { EnvironmentSnapshot } from "@switchyard/core";
import type { MetricsBatch } from "../shared/metrics.js";

export const BASE_URL = "http://switchyard.test";
export const SERVER_KEY = "sy_server_abc123.s3cret-value";

const encoder = new TextEncoder();

export class MockConnection {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  cancelled = false;
  readonly response: Response;

  constructor(readonly request: Request) {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.cancelled = true;
      },
    });
    this.response = new HttpResponse(stream, { headers: { "Content-Type": "text/event-stream" } });
    this.write("retry: 3000\n: connected\n\n");
  }

  get lastEventId(): string | null {
    return this.request.headers.get("Last-Event-ID");
  }

  write(text: string): void {
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      // closed by the client
    }
  }

  event(event: string, id: number | string, data: unknown): void {
    this.write(`event: ${event}\nid: ${id}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  }

  put(snapshot: EnvironmentSnapshot): void {
    this.event("put", snapshot.revision, snapshot);
  }

  /** The end of the initial events: the client now holds everything up to `revision`. */
  synced(revision: number): void {
    this.event("synced", revision, { revision });
  }

  /** What the server sends a client that has nothing to resume from: a put, then `synced`. */
  start(snapshot: EnvironmentSnapshot): void {
    this.put(snapshot);
    this.synced(snapshot.revision);
  }

  patch(id: number, data: unknown): void {
    this.event("patch", id, data);
  }

  heartbeat(): void {
    this.write(": heartbeat\n\n");
  }

  /** The server ends the stream cleanly (a restart, a deploy). */
  end(): void {
    try {
      this.controller.close();
    } catch {
      // already closed
    }
  }
}

export type StreamAnswer = "stream" | number;

export function createMockServer() {
  const connections: MockConnection[] = [];
  const streamRequests: Request[] = [];
  const pollRequests: Request[] = [];
  /** Every metrics batch posted, parsed, with the request's Authorization header. */
  const metricsBatches: { authorization: string | null; body: MetricsBatch }[] = [];
  let answerStream: (request: Request) => StreamAnswer = () => "stream";
  let answerPoll: (request: Request) => Response = () => HttpResponse.json({ error: "not configured" }, { status: 500 });
  let onConnection: (connection: MockConnection) => void = () => {};
  let answerMetrics: (request: Request) => Response | Promise<Response> = () => HttpResponse.json({ accepted: 0, ignored: 0 }, { status: 202 });

  const server = setupServer(
    http.get("*/sdk/v1/stream", ({ request }) => {
      streamRequests.push(request);
      const answer = answerStream(request);
      if (answer !== "stream") return HttpResponse.json({ error: { code: "refused" } }, { status: answer });
      const connection = new MockConnection(request);
      connections.push(connection);
      onConnection(connection);
      return connection.response;
    }),
    http.get("*/sdk/v1/flags", ({ request }) => {
      pollRequests.push(request);
      return answerPoll(request);
    }),
    http.post("*/sdk/v1/metrics", async ({ request }) => {
      const answer = await answerMetrics(request);
      if (answer.status === 202) metricsBatches.push({ authorization: request.headers.get("Authorization"), body: (await request.clone().json()) as MetricsBatch });
      return answer;
    }),
  );

  return {
    server,
    connections,
    streamRequests,
    pollRequests,
    /** Decides how each stream request is answered. */
    answerStreamWith(answer: (request: Request) => StreamAnswer) {
      answerStream = answer;
    },
    answerPollWith(answer: (request: Request) => Response) {
      answerPoll = answer;
    },
    metricsBatches,
    /** Decides how each metrics batch is answered (202 by default; only 202s are kept in `metricsBatches`). */
    answerMetricsWith(answer: (request: Request) => Response | Promise<Response>) {
      answerMetrics = answer;
    },
    /** Runs for each new connection, e.g. to send a put at once. */
    onConnection(listener: (connection: MockConnection) => void) {
      onConnection = listener;
    },
    last(): MockConnection {
      const connection = connections.at(-1);
      if (!connection) throw new Error("no stream connection yet");
      return connection;
    },
  };
}

/** A logger that keeps lines for assertions (and for checking the key never appears). */
export function memoryLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}
