/** A minimal SSE reader for tests: raw events and comments off a fetch body, as they arrive. */
export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

export class SseReader {
  readonly messages: SseMessage[] = [];
  private waiters: (() => void)[] = [];
  ended = false;

  constructor(readonly response: Response) {
    void this.pump();
  }

  static async open(url: string, headers: Record<string, string> = {}) {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: controller.signal });
    const reader = new SseReader(response);
    reader.abort = () => controller.abort();
    return reader;
  }

  abort = () => {};

  private async pump() {
    if (!this.response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of this.response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const message of parseBlock(block)) this.messages.push(message);
          this.notify();
        }
      }
    } catch {
      // aborted by the test, or the server dropped us
    }
    this.ended = true;
    this.notify();
  }

  private notify() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves with the first message (from the start) that matches, or rejects after `timeoutMs`. */
  async waitFor(match: (message: SseMessage) => boolean, timeoutMs = 5000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended; saw ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; saw ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  events(name?: string) {
    return this.messages.filter((message) => message.event !== undefined && (name === undefined || message.event === name));
  }

  async waitForEnd(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.ended;
  }
}

function parseBlock(block: string): SseMessage[] {
  const out: SseMessage[] = [];
  let current: SseMessage = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) out.push({ comment: line.slice(1).trim() });
    else {
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event" || field === "id" || field === "data" || field === "retry") current[field] = value;
    }
  }
  if (current.event !== undefined || current.data !== undefined || current.retry !== undefined) out.push(current);
  return out;
}
