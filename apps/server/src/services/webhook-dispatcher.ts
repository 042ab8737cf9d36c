/**
 * Sends queued webhook deliveries: POST of the stored JSON body, signed, with a timeout; a
 * failure is retried with exponential backoff and jitter until `maxAttempts`, then the delivery
 * is `failed`. Delivery is at least once: a delivery in flight when the server stops stays
 * pending and is sent again after the restart (receivers drop repeats by `deliveryId`).
 *
 * The dispatcher wakes when a change commits and otherwise sleeps until the next retry is due,
 * so it never polls an idle database.
 */
import { and, asc, eq, isNull, lt, lte, min, ne, notInArray } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/open.js";
import { webhookDeliveries, webhooks } from "../db/schema.js";
import type { ChangeFeed } from "./changes.js";
import { SIGNATURE_HEADER, signWebhookBody } from "./webhooks.js";

export interface WebhookDeliveryOptions {
  /** How long to wait for a receiver's answer. */
  timeoutMs: number;
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; doubles with every further one (with jitter), up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** How long delivered and failed deliveries stay in the log. */
  retentionMs: number;
}

export const defaultWebhookDeliveryOptions: WebhookDeliveryOptions = {
  timeoutMs: 10_000,
  maxAttempts: 10,
  backoffMs: 10_000,
  maxBackoffMs: 3_600_000,
  retentionMs: 30 * 24 * 3_600_000,
};

/** Finished deliveries past the retention are deleted at most this often, from a dispatcher round. */
const PRUNE_EVERY_MS = 3_600_000;

/** Due deliveries taken per round; a webhook's sender wakes the dispatcher again when it is done. */
const BATCH = 100;
/** Longest sleep between rounds with nothing due, so a clock jump cannot strand a retry for long. */
const MAX_SLEEP_MS = 60_000;
/** Characters of a failing receiver's answer kept in the log, to tell why it refused. */
const ERROR_SNIPPET = 300;

type DueDelivery = { id: number; webhookId: string; url: string; attempts: number; payload: unknown };

/** The wait before the next attempt after `attempts` failed ones: half fixed, half random. */
export function retryDelay(attempts: number, options: Pick<WebhookDeliveryOptions, "backoffMs" | "maxBackoffMs">, random = Math.random()): number {
  const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;
  private unsubscribe: () => void = () => {};
  private readonly abort = new AbortController();
  /** One sender per webhook with deliveries due: its deliveries one at a time, oldest first; other webhooks' side by side. */
  private readonly senders = new Map<string, Promise<void>>();
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly secretOf: (webhookId: string) => string,
    private readonly logger: Logger,
    private readonly options: WebhookDeliveryOptions = defaultWebhookDeliveryOptions,
  ) {}

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    // A committed change may have queued deliveries; sending them is the next thing to do.
    this.unsubscribe = this.feed.subscribeAudit(() => this.wake());
    this.wake();
  }

  /** Stops sending. Requests in flight are aborted and their deliveries stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await Promise.all(this.senders.values());
  }

  /** Looks for due deliveries soon (not inside the committing write's call stack). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.round(), 0);
    this.timer.unref();
  }

  private round(): void {
    this.timer = null;
    try {
      this.pruneFinished(Date.now());
      const due = this.due(Date.now());
      for (const [webhookId, deliveries] of groupByWebhook(due)) {
        const sender = this.sendInOrder(deliveries).finally(() => {
          this.senders.delete(webhookId);
          // More may have come due for this webhook while it was busy.
          this.wake();
        });
        this.senders.set(webhookId, sender);
      }
      this.sleepUntilNextDue();
    } catch (error) {
      this.logger.error({ err: error }, "webhook dispatcher round failed");
    }
  }

  /** Keeps the delivery log bounded: every change would otherwise add a row per webhook forever. */
  private pruneFinished(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.db
      .delete(webhookDeliveries)
      .where(and(ne(webhookDeliveries.state, "pending"), lt(webhookDeliveries.createdAt, now - this.options.retentionMs)))
      .run();
  }

  /** Due deliveries of webhooks that have no sender running. */
  private due(now: number): DueDelivery[] {
    return this.db
      .select({ id: webhookDeliveries.id, webhookId: webhookDeliveries.webhookId, url: webhooks.url, attempts: webhookDeliveries.attempts, payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .where(and(this.pendingOfIdleWebhooks(), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.id))
      .limit(BATCH)
      .all();
  }

  private pendingOfIdleWebhooks() {
    return and(eq(webhookDeliveries.state, "pending"), isNull(webhooks.disabledAt), notInArray(webhookDeliveries.webhookId, [...this.senders.keys()]));
  }

  private async sendInOrder(deliveries: DueDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      if (this.stopped) return;
      if (!this.stillPending(delivery.id)) continue; // the webhook was disabled meanwhile
      try {
        await this.send(delivery);
      } catch (error) {
        this.logger.error({ err: error, webhookId: delivery.webhookId, deliveryId: delivery.id }, "webhook delivery could not be recorded");
      }
    }
  }

  private stillPending(id: number): boolean {
    return this.db.select({ state: webhookDeliveries.state }).from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get()?.state === "pending";
  }

  private async send(delivery: DueDelivery): Promise<void> {
    const body = JSON.stringify(delivery.payload);
    const startedAt = Date.now();
    const signature = signWebhookBody(this.secretOf(delivery.webhookId), body, Math.floor(startedAt / 1000));
    const event = (delivery.payload as { event?: string }).event ?? "";
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Switchyard-Webhooks/1",
          [SIGNATURE_HEADER]: signature,
          "Switchyard-Event": event,
          "Switchyard-Delivery": String(delivery.id),
        },
        body,
        // A redirect is not followed: the signed body would go to an address nobody configured.
        redirect: "manual",
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      status = response.status;
      if (status < 200 || status > 299) error = `answered ${status}${await snippet(response)}`;
      else await response.body?.cancel();
    } catch (failure) {
      error = describeFailure(failure, this.options.timeoutMs);
    }
    // Stopped mid-request: the storage may be closing; the delivery stays pending and is resent.
    if (this.stopped) return;
    this.record(delivery, startedAt, status, error);
  }

  /** A delivery failed by disabling its webhook during the request stays failed. */
  private stillPendingRow(id: number) {
    return and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, "pending"));
  }

  private record(delivery: DueDelivery, at: number, status: number | null, error: string | null): void {
    const attempts = delivery.attempts + 1;
    if (error === null) {
      this.db
        .update(webhookDeliveries)
        .set({ state: "delivered", attempts, lastAttemptAt: at, responseStatus: status, error: null, deliveredAt: Date.now() })
        .where(this.stillPendingRow(delivery.id))
        .run();
      return;
    }
    const failed = attempts >= this.options.maxAttempts;
    const nextAttemptAt = failed ? at : Date.now() + retryDelay(attempts, this.options);
    this.db
      .update(webhookDeliveries)
      .set({ state: failed ? "failed" : "pending", attempts, lastAttemptAt: at, nextAttemptAt, responseStatus: status, error })
      .where(this.stillPendingRow(delivery.id))
      .run();
    // Never the URL: it may carry a receiver's credentials.
    this.logger.warn({ webhookId: delivery.webhookId, deliveryId: delivery.id, attempts, status, error, failed }, "webhook delivery failed");
  }

  /** Sleeps until the earliest retry of an idle webhook; a busy one wakes the dispatcher when done. */
  private sleepUntilNextDue(): void {
    const [next] = this.db
      .select({ at: min(webhookDeliveries.nextAttemptAt) })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .where(this.pendingOfIdleWebhooks())
      .all();
    if (next?.at == null) return;
    this.timer = setTimeout(() => this.round(), Math.min(MAX_SLEEP_MS, Math.max(0, next.at - Date.now())));
    this.timer.unref();
  }
}

function groupByWebhook(deliveries: DueDelivery[]): Map<string, DueDelivery[]> {
  const groups = new Map<string, DueDelivery[]>();
  for (const delivery of deliveries) groups.set(delivery.webhookId, [...(groups.get(delivery.webhookId) ?? []), delivery]);
  return groups;
}

/** The start of a refusing receiver's answer, read no further than needed. */
async function snippet(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < ERROR_SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // The answer's status is what matters; a broken body adds nothing.
  } finally {
    void reader.cancel().catch(() => {});
  }
  text = text.trim().slice(0, ERROR_SNIPPET);
  return text ? `: ${text}` : "";
}

function describeFailure(failure: unknown, timeoutMs: number): string {
  const error = failure as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (error.name === "AbortError") return "stopped";
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(failure);
}
