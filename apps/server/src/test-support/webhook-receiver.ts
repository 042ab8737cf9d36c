/** A local HTTP server standing in for a webhook receiver: records each request, answers as told. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers the nth request (0-based); the default answers 200. Leaving `response` unanswered simulates a hang. */
export type Answer = (response: ServerResponse, request: ReceivedRequest, index: number) => void;

export async function startReceiver(answer: Answer = (response) => response.end("ok")) {
  const received: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const entry = { at: Date.now(), path: request.url ?? "", headers: request.headers, body };
      received.push(entry);
      answer(response, entry, received.length - 1);
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  async function waitFor(count: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} webhook requests, got ${received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return received;
  }

  async function close() {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  return { url, received, waitFor, close };
}

/** Checks `Switchyard-Signature` as a receiver would (see the README). */
export function verifySignature(secret: string, header: string | string[] | undefined, body: string): boolean {
  const fields = new Map(String(header ?? "").split(",").map((part) => part.split("=", 2) as [string, string]));
  const t = fields.get("t");
  const v1 = fields.get("v1");
  if (!t || !v1) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
