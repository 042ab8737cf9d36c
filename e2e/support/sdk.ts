/** Small helpers around the Node SDK's public API. */
import type { ChangeEvent, Client, Logger } from "@switchyard/sdk";

/** A logger that keeps lines instead of printing them: a server that is down on purpose is not news. */
export function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  };
  return { lines, debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") };
}

export interface RecordedChange extends ChangeEvent {
  /** performance.now() when the listener ran. */
  at: number;
}

/** Records every `change` event of a client, with the time it fired. */
export function recordChanges(client: Client): RecordedChange[] {
  const changes: RecordedChange[] = [];
  client.on("change", ({ keys }) => changes.push({ keys: [...keys], at: performance.now() }));
  return changes;
}

/** Resolves with the client's next `change` event; rejects after `timeoutMs`. */
export function nextChange(client: Client, timeoutMs: number): Promise<RecordedChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no change event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on("change", ({ keys }) => {
      clearTimeout(timer);
      off();
      resolve({ keys: [...keys], at: performance.now() });
    });
  });
}

/** Polls `condition` every `intervalMs` until it holds; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string, intervalMs = 20): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return performance.now() - started;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
