/**
 * Every write goes through `recordChange`, inside the write's transaction: one audit entry,
 * and for each environment whose SDKs see the change, a revision bump and a change-log entry.
 * After the transaction commits, the write publishes the entries on the `ChangeFeed`, which the
 * snapshot cache (and the stream hub) follow.
 */
import { eq, sql } from "drizzle-orm";
import type { JsonValue } from "@switchyard/core";
import type { Tx } from "../db/open.js";
import { auditLog, changeLog, environments, type ActorKind } from "../db/schema.js";

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
}

export interface PublishedChange extends SdkChange {
  revision: number;
  auditId: number;
  at: number;
  actor: Actor;
  action: string;
}

export function recordChange(tx: Tx, audit: AuditInput, sdkChanges: SdkChange[], now = Date.now()): PublishedChange[] {
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
    })
    .returning({ id: auditLog.id })
    .all();
  const auditId = entry!.id;

  return sdkChanges.map((change) => {
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
}

export type ChangeListener = (change: PublishedChange) => void;

/** In-process fan-out of committed changes. A listener that throws is reported and isolated. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(changes: readonly PublishedChange[]): void {
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          // A failing follower must not undo or hide a committed write from the others.
          this.onListenerError(error);
        }
      }
    }
  }
}
