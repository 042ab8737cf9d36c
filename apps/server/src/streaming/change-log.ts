/** Reading the change log for resuming streams, and keeping it bounded. */
import { and, asc, eq, gt, lte } from "drizzle-orm";
import type { Db } from "../db/open.js";
import { changeLog } from "../db/schema.js";
import type { ChangeFeed } from "../services/changes.js";

export interface LoggedChange {
  revision: number;
  resourceKind: "flag" | "segment";
  resourceKey: string;
  payload: unknown;
}

/**
 * The changes after `revision`, or null when the log cannot tell the whole story (trimmed past
 * it, or the revision is from the future) and the subscriber needs a full snapshot instead.
 */
export function changesSince(db: Db, environmentId: number, revision: number, currentRevision: number): LoggedChange[] | null {
  if (revision > currentRevision) return null;
  if (revision === currentRevision) return [];
  const entries = db
    .select({ revision: changeLog.revision, resourceKind: changeLog.resourceKind, resourceKey: changeLog.resourceKey, payload: changeLog.payload })
    .from(changeLog)
    .where(and(eq(changeLog.environmentId, environmentId), gt(changeLog.revision, revision)))
    .orderBy(asc(changeLog.revision))
    .all();
  const contiguous = entries.length === currentRevision - revision && entries[0]?.revision === revision + 1;
  return contiguous ? entries : null;
}

/** When the change that made `revision` committed (milliseconds), or undefined when the log no longer holds it. */
export function changedAt(db: Db, environmentId: number, revision: number): number | undefined {
  return db
    .select({ at: changeLog.at })
    .from(changeLog)
    .where(and(eq(changeLog.environmentId, environmentId), eq(changeLog.revision, revision)))
    .get()?.at;
}

/** Keeps the newest `retention` entries per environment; older subscribers get a put instead. */
export function trimChangeLog(db: Db, feed: ChangeFeed, retention: number): () => void {
  return feed.subscribe((change) => {
    db.delete(changeLog)
      .where(and(eq(changeLog.environmentId, change.environmentId), lte(changeLog.revision, change.revision - retention)))
      .run();
  });
}
