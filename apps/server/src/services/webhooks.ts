/**
 * Outgoing webhooks: configuration, signing and the delivery log. Deliveries are queued by
 * `recordChange` (webhook-queue.ts) and sent by the dispatcher (webhook-dispatcher.ts).
 *
 * A webhook's signing secret is derived from the server's secret key and the webhook's id, so it
 * is never stored: shown once at creation, recomputed when signing.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { CreatedWebhookView, WebhookDeliveryPageView, WebhookDeliveryView, WebhookView } from "@switchyard/core";
import type { CreateWebhookInput } from "@switchyard/core/api-schema";
import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db, Tx } from "../db/open.js";
import { webhookDeliveries, webhooks } from "../db/schema.js";
import { conflict, notFound } from "../errors.js";
import { recordChange, type Actor, type ChangeFeed } from "./changes.js";
import { WEBHOOK_TEST_ACTION } from "./webhook-queue.js";

type WebhookRow = typeof webhooks.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const SIGNATURE_HEADER = "Switchyard-Signature";

/** `whsec_…`: receivers use the whole string, as UTF-8, as the HMAC key. */
export function deriveWebhookSecret(serverKey: string, webhookId: string): string {
  return `whsec_${createHmac("sha256", serverKey).update(`webhook:${webhookId}`).digest("base64url")}`;
}

/**
 * The `Switchyard-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed too, so a receiver can refuse old deliveries replayed at it.
 */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const signature = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${signature}`;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toWebhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    disabledAt: iso(row.disabledAt),
  };
}

export function toDeliveryView(row: DeliveryRow): WebhookDeliveryView {
  const payload = row.payload as { event?: string } | null;
  return {
    id: row.id,
    webhookId: row.webhookId,
    event: payload?.event ?? "",
    auditId: row.auditId,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.state === "pending" ? iso(row.nextAttemptAt) : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    responseStatus: row.responseStatus,
    error: row.error,
    createdAt: new Date(row.createdAt).toISOString(),
    deliveredAt: iso(row.deliveredAt),
    payload: row.payload,
  };
}

export interface DeliveryFilter {
  state?: DeliveryRow["state"];
  limit: number;
  /** Id of the last delivery of the previous page; pages run newest first. */
  before?: number;
}

export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly serverKey: string,
  ) {}

  secretOf(webhookId: string): string {
    return deriveWebhookSecret(this.serverKey, webhookId);
  }

  list(): WebhookView[] {
    return this.db.select().from(webhooks).orderBy(asc(webhooks.createdAt), asc(webhooks.id)).all().map(toWebhookView);
  }

  create(input: CreateWebhookInput, actor: Actor, now = Date.now()): CreatedWebhookView {
    const committed = this.db.transaction((tx) => {
      const row: WebhookRow = {
        id: randomBytes(8).toString("hex"),
        url: input.url,
        description: input.description ?? "",
        events: input.events,
        createdBy: actor.name,
        createdAt: now,
        disabledAt: null,
      };
      const view = toWebhookView(row);
      // Recorded before the webhook exists: it is not sent the news of its own creation.
      const published = recordChange(tx, { actor, action: "webhook.create", resourceKind: "webhook", resourceKey: view.id, before: null, after: view }, [], now);
      tx.insert(webhooks).values(row).run();
      return { view, published };
    });
    this.feed.publish(committed.published);
    return { ...committed.view, secret: this.secretOf(committed.view.id) };
  }

  /** Stops deliveries: the webhook gets nothing more, and what was still pending fails. Idempotent. */
  disable(id: string, actor: Actor, now = Date.now()): WebhookView {
    const committed = this.db.transaction((tx) => {
      const row = this.require(id, tx);
      const before = toWebhookView(row);
      if (row.disabledAt !== null) return { view: before, published: null };
      const [disabled] = tx.update(webhooks).set({ disabledAt: now }).where(eq(webhooks.id, id)).returning().all();
      tx.update(webhookDeliveries)
        .set({ state: "failed", error: "the webhook was disabled" })
        .where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.state, "pending")))
        .run();
      const view = toWebhookView(disabled!);
      const published = recordChange(tx, { actor, action: "webhook.disable", resourceKind: "webhook", resourceKey: id, before, after: view }, [], now);
      return { view, published };
    });
    this.feed.publish(committed.published);
    return committed.view;
  }

  /** Queues a `webhook.test` ping to this webhook only; it shows in the delivery log like any other. */
  test(id: string, actor: Actor, now = Date.now()): WebhookDeliveryView {
    const committed = this.db.transaction((tx) => {
      const row = this.require(id, tx);
      if (row.disabledAt !== null) throw conflict(`webhook '${id}' is disabled`, toWebhookView(row));
      const published = recordChange(tx, { actor, action: WEBHOOK_TEST_ACTION, resourceKind: "webhook", resourceKey: id, before: null, after: null }, [], now);
      const delivery = tx
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.auditId, published.audit.auditId)))
        .get();
      return { delivery: toDeliveryView(delivery!), published };
    });
    this.feed.publish(committed.published);
    return committed.delivery;
  }

  deliveries(id: string, filter: DeliveryFilter): WebhookDeliveryPageView {
    this.require(id);
    const conditions: SQL[] = [eq(webhookDeliveries.webhookId, id)];
    if (filter.state) conditions.push(eq(webhookDeliveries.state, filter.state));
    if (filter.before !== undefined) conditions.push(lt(webhookDeliveries.id, filter.before));
    const rows = this.db
      .select()
      .from(webhookDeliveries)
      .where(and(...conditions))
      .orderBy(desc(webhookDeliveries.id))
      .limit(filter.limit + 1)
      .all();
    const page = rows.slice(0, filter.limit);
    return { deliveries: page.map(toDeliveryView), nextCursor: rows.length > filter.limit ? String(page.at(-1)!.id) : null };
  }

  private require(id: string, tx: Tx = this.db): WebhookRow {
    const row = tx.select().from(webhooks).where(eq(webhooks.id, id)).get();
    if (!row) throw notFound(`webhook '${id}'`);
    return row;
  }
}
