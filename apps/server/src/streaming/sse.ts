/**
 * Server-Sent Events framing and the connection to one subscriber: written straight to Node's
 * response, one write of shared bytes per event, with backpressure measured in bytes.
 */
import type { ServerResponse } from "node:http";

export const sseHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  // Stops nginx and similar proxies from buffering the stream.
  "X-Accel-Buffering": "no",
};

/** One event, encoded once and written to every subscriber as the same bytes. */
export function encodeEvent(event: string, id: number, data: string): Buffer {
  return Buffer.from(`event: ${event}\nid: ${id}\ndata: ${data}\n\n`);
}

/** The one shape of a server-SDK patch, live or replayed: `value` null means deleted. */
export function encodePatch(revision: number, kind: string, key: string, value: unknown): Buffer {
  return encodeEvent("patch", revision, JSON.stringify({ kind, key, value }));
}

/**
 * OFREP's change notification: an unnamed event (EventSource's default `message`) telling the
 * client to fetch its bulk evaluation again. `at` is when the change committed, in milliseconds.
 */
export function encodeRefetchEvaluation(revision: number, at: number): Buffer {
  const data = JSON.stringify({ type: "refetchEvaluation", etag: `"${revision}"`, lastModified: Math.floor(at / 1000) });
  return Buffer.from(`id: ${revision}\ndata: ${data}\n\n`);
}

export function encodeComment(text: string): Buffer {
  return Buffer.from(`: ${text}\n\n`);
}

export interface SseConnection {
  /** Queues bytes; a client that has fallen too far behind is dropped instead. */
  write(chunk: Buffer): void;
  close(): void;
  /** Runs `listener` once the connection is gone (at once if it already is). */
  onClose(listener: () => void): void;
  readonly isClosed: boolean;
}

/** `headers`: what middleware already set for this response (CORS), kept since Hono's response is bypassed. */
export function nodeConnection(outgoing: ServerResponse, maxBufferedBytes: number, headers: Record<string, string> = {}): SseConnection {
  // No chunked framing: the body runs until the connection closes, so after the headers each
  // event is one plain write of the shared bytes straight to the socket (chunking would add a
  // corked 4-part writev per subscriber, and the response object's bookkeeping on every write).
  outgoing.removeHeader("Transfer-Encoding");
  outgoing.writeHead(200, { ...headers, ...sseHeaders, Connection: "close" });
  outgoing.flushHeaders();
  const socket = outgoing.socket;
  const closed = onceListeners();
  if (!socket) closed.fire();
  else {
    socket.setNoDelay(true);
    outgoing.once("close", closed.fire);
  }
  return {
    write(chunk) {
      if (closed.fired || !socket) return;
      if (socket.writableLength > maxBufferedBytes) {
        socket.destroy();
        // Now, not on the socket's close event a tick later: nothing more is queued for it.
        closed.fire();
        return;
      }
      socket.write(chunk);
    },
    close: () => socket?.end(),
    onClose: closed.add,
    get isClosed() {
      return closed.fired;
    },
  };
}

function onceListeners() {
  const listeners: (() => void)[] = [];
  const state = {
    fired: false,
    add: (listener: () => void) => {
      if (state.fired) listener();
      else listeners.push(listener);
    },
    fire: () => {
      if (state.fired) return;
      state.fired = true;
      for (const listener of listeners) listener();
    },
  };
  return state;
}
