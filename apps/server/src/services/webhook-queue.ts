/**
 * Queues one delivery per enabled webhook for an audit entry. Called by `recordChange` inside the
 * write's transaction: the change and its deliveries commit together or not at all, so a
 * receiver misses no committed change, even across a crash (the dispatcher resends what is due).
 */
import type { JsonValue } from "@switchyard/core";
import { eq, isNull } from "drizzle-orm";
import type { Tx } from "../db/open.js";
import { webhookDeliveries, webhooks, type auditLog } from "../db/schema.js";
import { toAuditView } from "./audit.js";

/** A test ping goes to the webhook it tests, and to no other. */
export const WEBHOOK_TEST_ACTION = "webhook.test";

/** `*` matches every action; anything else is a prefix (`flag.` matches `flag.kill`). */
export function eventMatches(events: readonly string[], action: string): boolean {
  return events.some((event) => event === "*" || action.startsWith(event));
}

export function enqueueWebhookDeliveries(tx: Tx, entry: typeof auditLog.$inferSelect, now: number): void {
  const enabled = tx.select({ id: webhooks.id, events: webhooks.events }).from(webhooks).where(isNull(webhooks.disabledAt)).all();
  const targets =
    entry.action === WEBHOOK_TEST_ACTION
      ? enabled.filter((webhook) => webhook.id === entry.resourceKey)
      : enabled.filter((webhook) => eventMatches(webhook.events, entry.action));
  if (targets.length === 0) return;
  const view = toAuditView(entry);
  for (const webhook of targets) {
    const [row] = tx
      .insert(webhookDeliveries)
      .values({ webhookId: webhook.id, auditId: entry.id, payload: {}, state: "pending", nextAttemptAt: now, createdAt: now })
      .returning({ id: webhookDeliveries.id })
      .all();
    // The body is stored exactly as sent, its own id included, so the delivery log shows what
    // the receiver got and a receiver can drop a delivery it has already seen.
    const payload = { event: entry.action, deliveryId: row!.id, ...view } as unknown as JsonValue;
    tx.update(webhookDeliveries).set({ payload }).where(eq(webhookDeliveries.id, row!.id)).run();
  }
}
