import type { AuditEntryView, AuditPageView } from "@switchyard/core";
import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { Db } from "../db/open.js";
import { auditLog } from "../db/schema.js";

export interface AuditFilter {
  flag?: string;
  environment?: string;
  actor?: string;
  since?: number;
  until?: number;
  limit: number;
  /** Id of the last entry of the previous page; pages run newest first. */
  before?: number;
}

export function toAuditView(row: typeof auditLog.$inferSelect): AuditEntryView {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: { kind: row.actorKind, id: row.actorId, name: row.actorName },
    action: row.action,
    resourceKind: row.resourceKind,
    resourceKey: row.resourceKey,
    flag: row.flagKey,
    environment: row.environmentKey,
    before: row.before,
    after: row.after,
    reason: row.reason,
    details: row.details ?? null,
  };
}

export function queryAudit(db: Db, filter: AuditFilter): AuditPageView {
  const conditions: SQL[] = [];
  if (filter.flag) conditions.push(eq(auditLog.flagKey, filter.flag));
  if (filter.environment) conditions.push(eq(auditLog.environmentKey, filter.environment));
  if (filter.actor) conditions.push(eq(auditLog.actorName, filter.actor));
  if (filter.since !== undefined) conditions.push(gte(auditLog.at, filter.since));
  if (filter.until !== undefined) conditions.push(lte(auditLog.at, filter.until));
  if (filter.before !== undefined) conditions.push(lt(auditLog.id, filter.before));
  const rows = db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit + 1)
    .all();
  const page = rows.slice(0, filter.limit);
  return { entries: page.map(toAuditView), nextCursor: rows.length > filter.limit ? String(page.at(-1)!.id) : null };
}
