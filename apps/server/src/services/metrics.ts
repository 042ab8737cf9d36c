/**
 * What SDKs report, kept as aggregates per fixed time window (never raw events): evaluation
 * counts per flag and variant (metric `$evaluation`), and `track()` counts, sums and value
 * buckets per metric, flag and variant. Rollout plans judge their guards on `cohorts()`.
 */
import { and, eq, gt, inArray, lt, lte, sql } from "drizzle-orm";
import { VALUE_BUCKET_BOUNDS } from "@switchyard/core";
import type { MetricsBatchInput } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import { metricWindows } from "../db/schema.js";
import type { SnapshotCache } from "./snapshots.js";

export { percentile, VALUE_BUCKET_BOUNDS } from "@switchyard/core";

/** The metric name evaluation counts are stored under; `track()` names cannot start with `$`. */
export const EVALUATION_METRIC = "$evaluation";

/** One cohort (the contexts served one variant) over a time range. */
export interface CohortNumbers {
  /** Evaluations that served this variant. */
  evaluations: number;
  /** `track()` calls of the metric by contexts served this variant. */
  count: number;
  /** Sum of their values. */
  sum: number;
  /** Their values per bucket of VALUE_BUCKET_BOUNDS (not cumulative; calls without a value are not bucketed). */
  buckets: number[];
}

export interface MetricsServiceOptions {
  /** Length of an aggregation window. */
  windowMs: number;
  /** Windows older than this are deleted. */
  retentionMs: number;
  /** Distinct `track()` metric names kept per environment; entries of further names are ignored. */
  maxMetricNames: number;
}

/** The SDK key a batch came with. */
export interface MetricsSource {
  kind: "server_key" | "client_key";
  environmentId: number;
  environmentKey: string;
}

/** One aggregate as accepted: an evaluation count has metric `$evaluation`, sum 0 and no buckets. */
export interface AcceptedEntry {
  flag: string;
  variant: string;
  metric: string;
  count: number;
  sum: number;
  buckets: number[];
}

export interface RecordResult {
  accepted: AcceptedEntry[];
  /** Entries for flags or variants the key cannot see (deleted, archived, not client-visible), or metric names past the limit. */
  ignored: number;
  /** Set when the metric-name limit refused a name, so the caller can log it. */
  namesRefused: string[];
}

const emptyBuckets = () => VALUE_BUCKET_BOUNDS.map(() => 0);

function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i]!;
}

export class MetricsService {
  /** Metric names per environment id, loaded from the database on first use and after each prune. */
  private readonly names = new Map<number, Set<string>>();
  private lastPrunedWindow = Number.NEGATIVE_INFINITY;
  /** One window's row for a flag, variant and metric, and its write with the totals already added up. */
  private readonly current;
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly snapshots: SnapshotCache,
    readonly options: MetricsServiceOptions,
  ) {
    const column = (name: string) => sql.placeholder(name);
    this.current = db
      .select({ count: metricWindows.count, sum: metricWindows.sum, buckets: metricWindows.buckets })
      .from(metricWindows)
      .where(
        and(
          eq(metricWindows.environmentId, column("environmentId")),
          eq(metricWindows.flagKey, column("flagKey")),
          eq(metricWindows.variant, column("variant")),
          eq(metricWindows.metric, column("metric")),
          eq(metricWindows.windowStart, column("windowStart")),
        ),
      )
      .prepare();
    this.upsert = db
      .insert(metricWindows)
      .values({
        environmentId: column("environmentId"),
        flagKey: column("flagKey"),
        variant: column("variant"),
        metric: column("metric"),
        windowStart: column("windowStart"),
        count: column("count"),
        sum: column("sum"),
        buckets: column("buckets"),
      })
      .onConflictDoUpdate({
        target: [metricWindows.environmentId, metricWindows.flagKey, metricWindows.variant, metricWindows.metric, metricWindows.windowStart],
        set: { count: sql`excluded.count`, sum: sql`excluded.sum`, buckets: sql`excluded.buckets` },
      })
      .prepare();
  }

  windowOf(now: number): number {
    return Math.floor(now / this.options.windowMs) * this.options.windowMs;
  }

  /**
   * Adds one SDK batch to the window `now` falls in, in one transaction. Entries for flags the
   * key cannot see or for variants the flag does not have are ignored rather than refused: an
   * SDK may still hold a flag that was just deleted.
   */
  record(source: MetricsSource, batch: MetricsBatchInput, now = Date.now()): RecordResult {
    const { compiled } = this.snapshots.get(source.environmentKey);
    const visible = (flagKey: string, variant: string) => {
      const flag = compiled.get(flagKey)?.flag;
      // Client keys are public: they may only report on flags their browsers can see.
      if (!flag || (source.kind === "client_key" && !flag.clientVisible)) return false;
      return flag.variants.some((v) => v.key === variant);
    };
    const merged = new Map<string, AcceptedEntry>();
    const add = (entry: AcceptedEntry) => {
      const id = `${entry.flag}\n${entry.variant}\n${entry.metric}`;
      const found = merged.get(id);
      if (!found) return void merged.set(id, { ...entry, buckets: [...entry.buckets] });
      found.count += entry.count;
      found.sum += entry.sum;
      addInto(found.buckets, entry.buckets);
    };
    let ignored = 0;
    for (const { flag, variant, count } of batch.evaluations) {
      if (visible(flag, variant)) add({ flag, variant, metric: EVALUATION_METRIC, count, sum: 0, buckets: [] });
      else ignored++;
    }
    const names = this.metricNames(source.environmentId);
    const namesRefused = new Set<string>();
    for (const event of batch.events) {
      if (!visible(event.flag, event.variant)) {
        ignored++;
      } else if (!names.has(event.metric) && names.size >= this.options.maxMetricNames) {
        // Metric names become database rows and Prometheus series: a public client key must not grow them without bound.
        namesRefused.add(event.metric);
        ignored++;
      } else {
        names.add(event.metric);
        add(event);
      }
    }

    const windowStart = this.windowOf(now);
    const accepted = [...merged.values()];
    // Prepared statements: building two queries per entry cost 0.2 ms each, so a full batch
    // (2,000 entries) held the event loop for 300 ms; prepared, about 20 ms (0.5 ms for 40 entries).
    this.db.transaction(
      (tx) => {
        for (const entry of accepted) {
          const key = { environmentId: source.environmentId, flagKey: entry.flag, variant: entry.variant, metric: entry.metric, windowStart };
          const found = this.current.get(key);
          const buckets = found ? [...found.buckets] : [];
          addInto(buckets, entry.buckets);
          this.upsert.run({
            ...key,
            count: (found?.count ?? 0) + entry.count,
            sum: (found?.sum ?? 0) + entry.sum,
            buckets,
          });
        }
      },
      // Read and write under one write lock: another process on the same file cannot slip a batch in between.
      { behavior: "immediate" },
    );
    // The first batch of each window clears out expired ones: no timer of its own to run or stop.
    if (windowStart !== this.lastPrunedWindow) {
      this.lastPrunedWindow = windowStart;
      this.prune(now);
    }
    return { accepted, ignored, namesRefused: [...namesRefused] };
  }

  /**
   * The numbers per variant of `flagKey` for `metric`, over every window that overlaps
   * `[sinceMs, untilMs]`: so the window `sinceMs` falls in counts whole, including what was
   * reported in it before `sinceMs`. Variants nobody was served are absent.
   *
   * @example
   * const cohorts = metrics.cohorts(environmentId, "new-checkout", "error", stepStartedAt, Date.now());
   * const rollout = cohorts.get("on"); // { evaluations, count, sum, buckets }
   */
  cohorts(environmentId: number, flagKey: string, metric: string, sinceMs: number, untilMs: number): Map<string, CohortNumbers> {
    const rows = this.db
      .select()
      .from(metricWindows)
      .where(
        and(
          eq(metricWindows.environmentId, environmentId),
          eq(metricWindows.flagKey, flagKey),
          inArray(metricWindows.metric, [EVALUATION_METRIC, metric]),
          gt(metricWindows.windowStart, sinceMs - this.options.windowMs),
          lte(metricWindows.windowStart, untilMs),
        ),
      )
      .all();
    const cohorts = new Map<string, CohortNumbers>();
    for (const row of rows) {
      let cohort = cohorts.get(row.variant);
      if (!cohort) cohorts.set(row.variant, (cohort = { evaluations: 0, count: 0, sum: 0, buckets: emptyBuckets() }));
      if (row.metric === EVALUATION_METRIC) {
        cohort.evaluations += row.count;
      } else {
        cohort.count += row.count;
        cohort.sum += row.sum;
        addInto(cohort.buckets, row.buckets);
      }
    }
    return cohorts;
  }

  /** Deletes the windows that ended before the retention; returns how many rows went. */
  prune(now = Date.now()): number {
    const { changes } = this.db.delete(metricWindows).where(lt(metricWindows.windowStart, now - this.options.retentionMs - this.options.windowMs)).run();
    // Names that only lived in deleted windows free their place under the limit.
    if (changes > 0) this.names.clear();
    return changes;
  }

  private metricNames(environmentId: number): Set<string> {
    let names = this.names.get(environmentId);
    if (!names) {
      const rows = this.db
        .selectDistinct({ metric: metricWindows.metric })
        .from(metricWindows)
        .where(and(eq(metricWindows.environmentId, environmentId), sql`${metricWindows.metric} <> ${EVALUATION_METRIC}`))
        .all();
      names = new Set(rows.map((row) => row.metric));
      this.names.set(environmentId, names);
    }
    return names;
  }
}
