/**
 * Outgoing webhooks from the real server process to a local HTTP receiver that checks the
 * signature as the README shows: a change arrives signed, a 500 is retried (short backoff through
 * SWITCHYARD_WEBHOOK_BACKOFF_MS), and the signing secret, derived from DATA_DIR/secret.key,
 * is the same after a restart.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Admin } from "../support/admin.js";
import { waitUntil } from "../support/sdk.js";
import { sleep, startServer, stopAllServers } from "../support/server-process.js";

afterAll(stopAllServers);

const env = { SWITCHYARD_WEBHOOK_BACKOFF_MS: "100", SWITCHYARD_WEBHOOK_MAX_ATTEMPTS: "4", SWITCHYARD_WEBHOOK_TIMEOUT_MS: "2000" };
const MAX_SIGNATURE_AGE_S = 300;

/** The receiver side, as a reader of the README would write it. */
function verify(secret: string, header: string | undefined, body: string): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((part) => part.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > MAX_SIGNATURE_AGE_S) return false;
  const expected = createHmac("sha256", secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(String(parts.v1), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

async function startReceiver(secret: () => string, failFirst: number) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const verified = verify(secret(), request.headers["switchyard-signature"] as string | undefined, body);
      received.push({ at: performance.now(), headers: request.headers, body, verified });
      response.statusCode = !verified ? 401 : received.length <= failFirst ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/switchyard`;
  const close = () => new Promise((resolve) => server.close(resolve));
  return { url, received, close };
}

describe("outgoing webhooks", () => {
  it("deliver each change signed, retry after a 500, and keep their secret across a restart", async () => {
    let secret = "";
    const receiver = await startReceiver(() => secret, 1);
    try {
      const server = await startServer({ env });
      const admin = await Admin.login(server.url);
      const created = await admin.ok("POST", "/api/v1/webhooks", { url: receiver.url, events: ["flag.kill", "webhook.test"], description: "e2e" });
      secret = created.secret;
      expect(statSync(join(server.dataDir, "secret.key")).mode & 0o777).toBe(0o600);

      await admin.createFlag({ key: "new-checkout" });
      await admin.kill("new-checkout", "errors spiking");
      await waitUntil(() => receiver.received.length >= 2, 10_000, () => `${receiver.received.length} requests arrived`);
      const [first, retry] = receiver.received;
      expect([first!.verified, retry!.verified]).toEqual([true, true]);
      expect(retry!.body).toBe(first!.body);
      expect(retry!.at - first!.at).toBeGreaterThanOrEqual(50);
      const payload = JSON.parse(first!.body);
      expect(payload).toMatchObject({ event: "flag.kill", action: "flag.kill", flag: "new-checkout", environment: "production", reason: "errors spiking" });
      expect(first!.headers["switchyard-delivery"]).toBe(String(payload.deliveryId));

      // The log records the answer just after the receiver sent it.
      const log = async () => (await admin.ok("GET", `/api/v1/webhooks/${created.id}/deliveries`)).deliveries;
      let deliveries = await log();
      for (const deadline = Date.now() + 5000; deliveries[0].state === "pending" && Date.now() < deadline; deliveries = await log()) await sleep(50);
      expect(deliveries).toMatchObject([{ id: payload.deliveryId, state: "delivered", attempts: 2, responseStatus: 204, error: null }]);

      // Same data directory, same secret.key: the secret shown at creation still verifies.
      await server.stop();
      const restarted = await startServer({ env, dataDir: server.dataDir });
      await admin.at(restarted.url).ok("POST", `/api/v1/webhooks/${created.id}/test`);
      await waitUntil(() => receiver.received.length >= 3, 10_000, () => `${receiver.received.length} requests arrived`);
      expect(receiver.received[2]).toMatchObject({ verified: true });
      expect(JSON.parse(receiver.received[2]!.body)).toMatchObject({ event: "webhook.test", resourceKey: created.id });
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });
});
