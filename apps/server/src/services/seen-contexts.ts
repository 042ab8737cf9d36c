/**
 * Remembers the contexts evaluations recently ran with, per environment, for the UI's rollout
 * preview. Requests only touch an in-memory map; a timer writes the batch in one transaction and
 * trims each environment to its newest `limit`, so a busy stream costs the database nothing per
 * request.
 */
import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import type { EvaluationContext, JsonValue, SeenContextView } from "@switchyard/core";
import type { Db } from "../db/open.js";
import { seenContexts } from "../db/schema.js";

/** Contexts larger than this are not kept: a preview needs attributes, not documents. */
const MAX_CONTEXT_BYTES = 4096;

export interface SeenContextOptions {
  /** Newest contexts kept per environment; 0 records nothing. */
  limit: number;
  flushIntervalMs?: number;
}

interface Pending {
  context: Record<string, JsonValue>;
  at: number;
}

export class SeenContexts {
  private readonly pending = new Map<number, Map<string, Pending>>();
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: SeenContextOptions,
  ) {
    if (options.limit > 0) {
      this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 2_000);
      this.timer.unref();
    }
  }

  /** Notes a context; keyless contexts are skipped (a rollout cannot place them anyway). */
  record(environmentId: number, context: EvaluationContext, now = Date.now()): void {
    if (this.options.limit === 0) return;
    const key = context.key ?? context.targetingKey;
    if (key === undefined || key === null || (typeof key !== "string" && typeof key !== "number")) return;
    let serialized: string;
    try {
      serialized = JSON.stringify(context);
    } catch {
      return;
    }
    if (serialized.length > MAX_CONTEXT_BYTES) return;
    const forEnvironment = this.pending.get(environmentId) ?? new Map<string, Pending>();
    this.pending.set(environmentId, forEnvironment);
    // Held back from growing without bound between flushes: the newest `limit` are what survive anyway.
    if (forEnvironment.size >= this.options.limit && !forEnvironment.has(String(key))) return;
    forEnvironment.set(String(key), { context: JSON.parse(serialized) as Record<string, JsonValue>, at: now });
  }

  /** Writes what was recorded since the last flush and trims each environment to the limit. */
  flush(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    this.db.transaction((tx) => {
      for (const [environmentId, contexts] of batch) {
        for (const [contextKey, { context, at }] of contexts) {
          tx.insert(seenContexts)
            .values({ environmentId, contextKey, context, lastSeen: at })
            .onConflictDoUpdate({ target: [seenContexts.environmentId, seenContexts.contextKey], set: { context, lastSeen: at } })
            .run();
        }
        const newest = tx
          .select({ contextKey: seenContexts.contextKey })
          .from(seenContexts)
          .where(eq(seenContexts.environmentId, environmentId))
          .orderBy(desc(seenContexts.lastSeen))
          .limit(this.options.limit);
        tx.delete(seenContexts)
          .where(and(eq(seenContexts.environmentId, environmentId), notInArray(seenContexts.contextKey, newest)))
          .run();
      }
    });
  }

  /** Newest first, including contexts not yet flushed. */
  list(environmentId: number, limit: number): SeenContextView[] {
    this.flush();
    return this.db
      .select()
      .from(seenContexts)
      .where(eq(seenContexts.environmentId, environmentId))
      .orderBy(desc(seenContexts.lastSeen), sql`${seenContexts.contextKey}`)
      .limit(limit)
      .all()
      .map((row) => ({ key: row.contextKey, context: row.context, lastSeen: new Date(row.lastSeen).toISOString() }));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}
