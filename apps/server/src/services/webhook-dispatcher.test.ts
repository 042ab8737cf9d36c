/** Sending webhook deliveries to a real local HTTP receiver, with short timeouts and backoff. */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookDeliveryView } from "@switchyard/core";
import { createHarness, type Harness } from "../test-support/harness.js";
import { startReceiver, verifySignature, type Answer } from "../test-support/webhook-receiver.js";
import { defaultWebhookDeliveryOptions, retryDelay, WebhookDispatcher, type WebhookDeliveryOptions } from "./webhook-dispatcher.js";

const production = "/api/v1/flags/new-checkout/environments/production";
const fast: Partial<WebhookDeliveryOptions> = { timeoutMs: 500, maxAttempts: 3, backoffMs: 40, maxBackoffMs: 1000 };

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(answer?: Answer, options: Partial<WebhookDeliveryOptions> & { start?: boolean } = {}) {
  const receiver = await startReceiver(answer);
  cleanups.push(receiver.close);
  const h = await createHarness({ webhookDelivery: { ...fast, start: true, ...options } });
  cleanups.push(() => h.services.webhookDispatcher.stop());
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  const webhook = (await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: `${receiver.url}/hook?team=checkout`, events: ["flag.kill"] } })).json;
  return { h, receiver, webhook };
}

const kill = (h: Harness, reason = "errors") => h.call("automation", "POST", `${production}/kill`, { body: { reason } });

async function settled(h: Harness, webhookId: string, timeoutMs = 5000): Promise<WebhookDeliveryView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { deliveries } = (await h.call("admin", "GET", `/api/v1/webhooks/${webhookId}/deliveries`)).json as { deliveries: WebhookDeliveryView[] };
    if (deliveries.length > 0 && deliveries.every((d) => d.state !== "pending")) return deliveries;
    if (Date.now() > deadline) throw new Error(`deliveries still pending: ${JSON.stringify(deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("webhook dispatcher", () => {
  it("POSTs the stored body, signed with the webhook's secret over the timestamp and body", async () => {
    const { h, receiver, webhook } = await setup();
    await kill(h);
    const [request] = await receiver.waitFor(1);
    expect(request!.path).toBe("/hook?team=checkout");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["switchyard-event"]).toBe("flag.kill");
    expect(verifySignature(webhook.secret, request!.headers["switchyard-signature"], request!.body)).toBe(true);
    expect(verifySignature(webhook.secret, request!.headers["switchyard-signature"], request!.body.replace("errors", "errorz"))).toBe(false);
    const t = Number(/t=(\d+)/.exec(String(request!.headers["switchyard-signature"]))![1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(5);

    const [delivery] = await settled(h, webhook.id);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 1, responseStatus: 200, error: null, nextAttemptAt: null });
    expect(request!.headers["switchyard-delivery"]).toBe(String(delivery!.id));
    expect(JSON.parse(request!.body)).toEqual(delivery!.payload);
    expect(JSON.parse(request!.body)).toMatchObject({ event: "flag.kill", deliveryId: delivery!.id, action: "flag.kill", flag: "new-checkout", reason: "errors" });
  });

  it("retries a failed delivery with growing, jittered delays until it is accepted", async () => {
    const { h, receiver, webhook } = await setup((response, _request, index) => {
      response.statusCode = index < 2 ? 500 : 200;
      response.end(index < 2 ? "database down" : "ok");
    });
    await kill(h);
    const requests = await receiver.waitFor(3);
    const [delivery] = await settled(h, webhook.id);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 3, responseStatus: 200, error: null });
    // Each retry carries the same body, signed afresh.
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const request of requests) expect(verifySignature(webhook.secret, request.headers["switchyard-signature"], request.body)).toBe(true);
    // Backoff 40 ms, doubling, half of it jitter: at least 20 ms, then at least 40 ms.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(20);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(40);
  });

  it("gives up after maxAttempts and keeps the last answer in the log", async () => {
    const { h, receiver, webhook } = await setup((response) => {
      response.statusCode = 503;
      response.end("maintenance until 10:00".repeat(100));
    });
    await kill(h);
    const [delivery] = await settled(h, webhook.id);
    expect(receiver.received).toHaveLength(3);
    expect(delivery).toMatchObject({ state: "failed", attempts: 3, responseStatus: 503, nextAttemptAt: null, deliveredAt: null });
    expect(delivery!.error).toMatch(/^answered 503: maintenance until 10:00/);
    expect(delivery!.error!.length).toBeLessThanOrEqual(320);
  });

  it("counts a receiver that does not answer in time, or redirects, as failed", async () => {
    const hung = await setup(() => {}, { maxAttempts: 1, timeoutMs: 200 });
    await kill(hung.h);
    expect(await settled(hung.h, hung.webhook.id)).toMatchObject([{ state: "failed", responseStatus: null, error: "no answer within 200 ms" }]);

    const redirecting = await setup(
      (response) => {
        response.writeHead(307, { Location: "https://elsewhere.example/" });
        response.end();
      },
      { maxAttempts: 1 },
    );
    await kill(redirecting.h);
    expect(await settled(redirecting.h, redirecting.webhook.id)).toMatchObject([{ state: "failed", responseStatus: 307, error: "answered 307" }]);
    expect(redirecting.receiver.received).toHaveLength(1);
  });

  it("does not let a hanging receiver hold up another webhook", async () => {
    const { h, webhook: hanging } = await setup(() => {}, { maxAttempts: 1, timeoutMs: 3000 });
    const healthy = await startReceiver();
    cleanups.push(healthy.close);
    const other = (await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: healthy.url, events: ["flag."] } })).json;
    await kill(h, "one");
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "two" } });
    await healthy.waitFor(2, 1500);
    expect(healthy.received.map((r) => JSON.parse(r.body).reason)).toEqual(["one", "two"]);
    expect((await settled(h, other.id)).map((d) => d.state)).toEqual(["delivered", "delivered"]);
    const [pending] = (await h.call("admin", "GET", `/api/v1/webhooks/${hanging.id}/deliveries`)).json.deliveries;
    expect(pending.state).toBe("pending");
  });

  it("sends nothing more once its webhook is disabled, not even what was due, and a late answer does not undo that", async () => {
    const { h, receiver, webhook } = await setup((response) => setTimeout(() => response.end("ok"), 300));
    await kill(h, "one");
    await receiver.waitFor(1);
    // Queued behind the one in flight, in the same sender.
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "x" } });
    await kill(h, "two");
    await h.call("admin", "DELETE", `/api/v1/webhooks/${webhook.id}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.received).toHaveLength(1);
    const log = (await h.call("admin", "GET", `/api/v1/webhooks/${webhook.id}/deliveries`)).json.deliveries;
    expect(log.map((d: WebhookDeliveryView) => [d.payload && (d.payload as { reason: string }).reason, d.state, d.error])).toEqual([
      ["two", "failed", "the webhook was disabled"],
      ["one", "failed", "the webhook was disabled"],
    ]);
  });

  it("leaves a delivery in flight at stop pending, and sends what is due when a dispatcher starts", async () => {
    let answered = 0;
    const { h, receiver, webhook } = await setup((response, _request, index) => {
      if (index === 0) return; // still waiting when the dispatcher stops
      answered++;
      response.end("ok");
    });
    await kill(h);
    await receiver.waitFor(1);
    await h.services.webhookDispatcher.stop();
    const [inFlight] = (await h.call("admin", "GET", `/api/v1/webhooks/${webhook.id}/deliveries`)).json.deliveries;
    expect(inFlight).toMatchObject({ state: "pending", attempts: 0 });

    // As after a restart: a new dispatcher on the same database.
    const restarted = new WebhookDispatcher(h.storage.db, h.services.feed, (id) => h.services.webhooks.secretOf(id), pino({ level: "silent" }), {
      ...defaultWebhookDeliveryOptions,
      ...fast,
    });
    cleanups.push(() => restarted.stop());
    restarted.start();
    await receiver.waitFor(2);
    expect(await settled(h, webhook.id)).toMatchObject([{ state: "delivered", attempts: 1 }]);
    expect(answered).toBe(1);
  });

  it("drops finished deliveries from the log once past the retention, never pending ones", async () => {
    const { h, receiver, webhook } = await setup(undefined, { retentionMs: 50 });
    await kill(h);
    await receiver.waitFor(1);
    expect(await settled(h, webhook.id)).toHaveLength(1);
    await h.services.webhookDispatcher.stop();

    // One delivered long ago; one pending (its receiver has not been reached yet) just as old.
    await new Promise((resolve) => setTimeout(resolve, 80));
    await h.call("automation", "POST", `${production}/unkill`, { body: { reason: "fixed" } });
    await kill(h, "errors again");
    const later = new WebhookDispatcher(h.storage.db, h.services.feed, (id) => h.services.webhooks.secretOf(id), pino({ level: "silent" }), {
      ...defaultWebhookDeliveryOptions,
      ...fast,
      retentionMs: 50,
    });
    cleanups.push(() => later.stop());
    const pendingBefore = (await h.call("admin", "GET", `/api/v1/webhooks/${webhook.id}/deliveries`)).json.deliveries;
    expect(pendingBefore.map((d: WebhookDeliveryView) => d.state)).toEqual(["pending", "delivered"]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    later.start();
    await receiver.waitFor(2);
    const kept = await settled(h, webhook.id);
    expect(kept.map((d) => [(d.payload as { reason: string }).reason, d.state])).toEqual([["errors again", "delivered"]]);
  });
});

describe("retryDelay", () => {
  it("doubles from backoffMs up to maxBackoffMs, with up to half of it random", () => {
    const options = { backoffMs: 1000, maxBackoffMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempts) => retryDelay(attempts, options, 1))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect([1, 2, 3].map((attempts) => retryDelay(attempts, options, 0))).toEqual([500, 1000, 2000]);
  });
});
