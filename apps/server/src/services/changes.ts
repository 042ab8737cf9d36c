/**
 * Every write goes through `recordChange`, inside the write's transaction: one audit entry,
 * and for each environment whose SDKs see the change, a revision bump and a change-log entry.
 * After the transaction commits, the write publishes the commit on the `ChangeFeed`: the snapshot
 * cache and the stream hub follow its SDK changes, the admin event stream its audit notice.
 * Outgoing webhooks get their deliveries queued in the same transaction (services/webhook-queue.ts).
 */
import { eq, sql } from "drizzle-orm";
import type { JsonValue } from "@switchyard/core";
import type { Tx } from "../db/open.js";
import { auditLog, changeLog, environments, type ActorKind } from "../db/schema.js";
import { enqueueWebhookDeliveries } from "./webhook-queue.js";

export interface Actor {
  kind: ActorKind;
  id: string;
  name: string;
}

export const systemActor: Actor = { kind: "system", id: "system", name: "system" };

export interface SdkChange {
  environmentId: number;
  environmentKey: string;
  resourceKind: "flag" | "segment";
  resourceKey: string;
  /** What SDKs see after the change; null when the resource is gone for them. */
  payload: JsonValue | null;
}

export interface AuditInput {
  actor: Actor;
  action: string;
  resourceKind: string;
  resourceKey: string;
  flagKey?: string | null;
  environmentKey?: string | null;
  before: unknown;
  after: unknown;
  reason?: string | null;
  /** What caused a machine's write: the alert, the guard's measured numbers. */
  details?: JsonValue | null;
}

export interface PublishedChange extends SdkChange {
  revision: number;
  auditId: number;
  at: number;
  actor: Actor;
  action: string;
}

/** What the admin event stream tells open UIs about one audit entry. */
export interface AuditNotice {
  auditId: number;
  at: number;
  actor: Actor;
  action: string;
  resourceKind: string;
  resourceKey: string;
  flagKey: string | null;
  environmentKey: string | null;
}

export interface Commit {
  audit: AuditNotice;
  changes: PublishedChange[];
}

export function recordChange(tx: Tx, audit: AuditInput, sdkChanges: SdkChange[], now = Date.now()): Commit {
  const [entry] = tx
    .insert(auditLog)
    .values({
      at: now,
      actorKind: audit.actor.kind,
      actorId: audit.actor.id,
      actorName: audit.actor.name,
      action: audit.action,
      resourceKind: audit.resourceKind,
      resourceKey: audit.resourceKey,
      flagKey: audit.flagKey ?? null,
      environmentKey: audit.environmentKey ?? null,
      before: (audit.before ?? null) as JsonValue,
      after: (audit.after ?? null) as JsonValue,
      reason: audit.reason ?? null,
      details: audit.details ?? null,
    })
    .returning()
    .all();
  const auditId = entry!.id;
  enqueueWebhookDeliveries(tx, entry!, now);

  const changes = sdkChanges.map((change) => {
    const [bumped] = tx
      .update(environments)
      .set({ revision: sql`${environments.revision} + 1` })
      .where(eq(environments.id, change.environmentId))
      .returning({ revision: environments.revision })
      .all();
    const revision = bumped!.revision;
    tx.insert(changeLog)
      .values({
        environmentId: change.environmentId,
        revision,
        resourceKind: change.resourceKind,
        resourceKey: change.resourceKey,
        payload: change.payload,
        auditId,
        at: now,
      })
      .run();
    return { ...change, revision, auditId, at: now, actor: audit.actor, action: audit.action };
  });
  const notice: AuditNotice = {
    auditId,
    at: now,
    actor: audit.actor,
    action: audit.action,
    resourceKind: audit.resourceKind,
    resourceKey: audit.resourceKey,
    flagKey: audit.flagKey ?? null,
    environmentKey: audit.environmentKey ?? null,
  };
  return { audit: notice, changes };
}

export type ChangeListener = (change: PublishedChange) => void;
export type AuditListener = (notice: AuditNotice) => void;

/** In-process fan-out of committed writes. A listener that throws is reported and isolated. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly auditListeners = new Set<AuditListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Each change SDKs see, in revision order per environment. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each audit entry written, including those SDKs never see (archived flags, say). */
  subscribeAudit(listener: AuditListener): () => void {
    this.auditListeners.add(listener);
    return () => this.auditListeners.delete(listener);
  }

  /** Called after the write's transaction commits; null when the write changed nothing. */
  publish(commit: Commit | null): void {
    if (commit === null) return;
    for (const change of commit.changes) {
      for (const listener of this.listeners) this.deliver(listener, change);
    }
    for (const listener of this.auditListeners) this.deliver(listener, commit.audit);
  }

  private deliver<T>(listener: (value: T) => void, value: T) {
    try {
      listener(value);
    } catch (error) {
      // A failing follower must not undo or hide a committed write from the others.
      this.onListenerError(error);
    }
  }
}
