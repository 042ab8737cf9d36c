/** Webhook configuration and the delivery queue; sending is in services/webhook-dispatcher.test.ts. */
import { beforeEach, describe, expect, it } from "vitest";
import { webhookDeliveries, webhooks } from "../db/schema.js";
import { createHarness, type Harness } from "../test-support/harness.js";

const production = "/api/v1/flags/new-checkout/environments/production";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
});

const create = async (body: Record<string, unknown>) => {
  const response = await h.call("admin", "POST", "/api/v1/webhooks", { body });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  return response.json;
};
const deliveries = async (id: string, query = "") => (await h.call("admin", "GET", `/api/v1/webhooks/${id}/deliveries${query}`)).json;
const auditCount = async () => (await h.call("viewer", "GET", "/api/v1/audit?limit=500")).json.entries.length;

describe("webhooks", () => {
  it("shows the signing secret once, at creation, and stores none", async () => {
    const created = await create({ url: "https://hooks.example/switchyard", description: "on-call bot" });
    expect(created).toMatchObject({ url: "https://hooks.example/switchyard", description: "on-call bot", events: ["*"], createdBy: "scripts", disabledAt: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(h.services.webhooks.secretOf(created.id)).toBe(created.secret);

    const { secret: _secret, ...view } = created;
    expect((await h.call("admin", "GET", "/api/v1/webhooks")).json.webhooks).toEqual([view]);
    const stored = JSON.stringify([h.storage.db.select().from(webhooks).all(), (await h.call("viewer", "GET", "/api/v1/audit")).json]);
    expect(stored).not.toContain(created.secret);
    expect(stored).toContain('"action":"webhook.create"');
  });

  it("refuses bad input naming each field, creating nothing", async () => {
    const before = await auditCount();
    const response = await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: "ftp://hooks.example/x", events: ["flag.kill", "Flag Kill"], secret: "mine" } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(["events[1]", "secret", "url"]);
    expect((await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: "not a url" } })).json.error.issues[0].path).toBe("url");
    expect((await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: "https://x.example", events: [] } })).json.error.issues[0].path).toBe("events");
    expect((await h.call("admin", "GET", "/api/v1/webhooks")).json.webhooks).toEqual([]);
    expect(await auditCount()).toBe(before);
  });

  it("queues each change, in its own transaction, for every enabled webhook whose events match", async () => {
    const all = await create({ url: "https://a.example/", events: ["*"] });
    const kills = await create({ url: "https://b.example/", events: ["flag.kill"] });
    const flags = await create({ url: "https://c.example/", events: ["flag."] });
    const segments = await create({ url: "https://d.example/", events: ["segment."] });
    const disabled = await create({ url: "https://e.example/", events: ["*"] });
    await h.call("admin", "DELETE", `/api/v1/webhooks/${disabled.id}`);
    const queuedBefore = h.storage.db.select().from(webhookDeliveries).all().length;

    const killed = await h.call("automation", "POST", `${production}/kill`, { body: { reason: "errors" } });
    expect(killed.status).toBe(200);
    const rows = h.storage.db.select().from(webhookDeliveries).all().slice(queuedBefore);
    expect(rows.map((row) => row.webhookId).sort()).toEqual([all.id, kills.id, flags.id].sort());

    const [delivery] = (await deliveries(kills.id)).deliveries;
    const entry = (await h.call("viewer", "GET", "/api/v1/audit?limit=1")).json.entries[0];
    expect(delivery).toMatchObject({ webhookId: kills.id, event: "flag.kill", auditId: entry.id, state: "pending", attempts: 0, responseStatus: null });
    // The body: the audit entry as the API shows it, plus the event and the delivery's own id.
    expect(delivery.payload).toEqual({ event: "flag.kill", deliveryId: delivery.id, ...entry });
    expect(delivery.payload).toMatchObject({ actor: { kind: "automation", name: "pager" }, reason: "errors", after: { killed: true } });

    // Writes that change nothing or are refused queue nothing.
    const queued = h.storage.db.select().from(webhookDeliveries).all().length;
    await h.call("automation", "POST", `${production}/kill`, { body: { reason: "again" } });
    expect((await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true } })).status).toBe(409);
    expect(h.storage.db.select().from(webhookDeliveries).all()).toHaveLength(queued);
    expect((await deliveries(segments.id)).deliveries.map((d: { event: string }) => d.event)).toEqual([]);
  });

  it("sends a test ping to the one webhook tested, even one that takes only kills", async () => {
    const tested = await create({ url: "https://a.example/", events: ["flag.kill"] });
    const other = await create({ url: "https://b.example/", events: ["*"] });
    const ping = await h.call("admin", "POST", `/api/v1/webhooks/${tested.id}/test`);
    expect(ping.status).toBe(202);
    expect(ping.json).toMatchObject({ webhookId: tested.id, event: "webhook.test", state: "pending", payload: { event: "webhook.test", resourceKey: tested.id } });
    expect((await deliveries(tested.id)).deliveries).toHaveLength(1);
    // `other` takes everything, but was created after `tested` and is not sent the ping.
    expect((await deliveries(other.id)).deliveries.map((d: { event: string }) => d.event)).toEqual([]);
    expect((await h.call("admin", "POST", "/api/v1/webhooks/nope/test")).status).toBe(404);
  });

  it("disables on DELETE: nothing more is queued, pending deliveries fail, and the log stays", async () => {
    const webhook = await create({ url: "https://a.example/" });
    await h.call("editor", "POST", `${production}/kill`, { body: { reason: "one" } });
    const disabled = await h.call("admin", "DELETE", `/api/v1/webhooks/${webhook.id}`);
    expect(disabled.status).toBe(200);
    expect(disabled.json.disabledAt).not.toBeNull();
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "two" } });

    const log = (await deliveries(webhook.id)).deliveries;
    expect(log).toMatchObject([{ event: "flag.kill", state: "failed", error: "the webhook was disabled", nextAttemptAt: null }]);
    const before = await auditCount();
    expect((await h.call("admin", "DELETE", `/api/v1/webhooks/${webhook.id}`)).json).toEqual(disabled.json);
    expect(await auditCount()).toBe(before);
    expect((await h.call("admin", "POST", `/api/v1/webhooks/${webhook.id}/test`)).status).toBe(409);
    expect((await h.call("admin", "DELETE", "/api/v1/webhooks/nope")).status).toBe(404);
  });

  it("pages the delivery log newest first and filters by state", async () => {
    const webhook = await create({ url: "https://a.example/", events: ["flag.kill", "flag.unkill"] });
    for (let i = 0; i < 3; i++) {
      await h.call("editor", "POST", `${production}/kill`, { body: { reason: `k${i}` } });
      await h.call("editor", "POST", `${production}/unkill`, { body: { reason: `u${i}` } });
    }
    const first = await deliveries(webhook.id, "?limit=4");
    expect(first.deliveries.map((d: { payload: { reason: string } }) => d.payload.reason)).toEqual(["u2", "k2", "u1", "k1"]);
    const second = await deliveries(webhook.id, `?limit=4&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ nextCursor: null });
    expect(second.deliveries.map((d: { payload: { reason: string } }) => d.payload.reason)).toEqual(["u0", "k0"]);
    expect((await deliveries(webhook.id, "?state=delivered")).deliveries).toEqual([]);
    expect((await deliveries(webhook.id, "?state=pending")).deliveries).toHaveLength(6);
    expect((await h.call("admin", "GET", `/api/v1/webhooks/${webhook.id}/deliveries?state=lost`)).json.error.issues[0].path).toBe("state");
    expect((await h.call("admin", "GET", "/api/v1/webhooks/nope/deliveries")).status).toBe(404);
  });
});
