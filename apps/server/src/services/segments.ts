/** Segments: per-environment audiences referenced by rules through the `inSegment` operator. */
import { and, asc, eq } from "drizzle-orm";
import { findSegmentProblems, segmentDefinition, type JsonValue, type Segment, type SegmentView } from "@switchyard/core";
import type { CreateSegmentInput, UpdateSegmentInput } from "@switchyard/core/api-schema";
import type { Db, Tx } from "../db/open.js";
import { flagConfigs, flags, segments } from "../db/schema.js";
import { ApiError, formatPath, invalidFields, notFound } from "../errors.js";
import { recordChange, type Actor, type ChangeFeed } from "./changes.js";
import { requireEnvironment } from "./environments.js";
import { assertVersion } from "./flag-model.js";

type SegmentRow = typeof segments.$inferSelect;

export function toSegmentView(environmentKey: string, row: SegmentRow): SegmentView {
  return {
    ...segmentDefinition(row),
    name: row.name,
    description: row.description,
    environment: environmentKey,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export function loadSegments(tx: Tx, environmentId: number): Segment[] {
  return tx.select().from(segments).where(eq(segments.environmentId, environmentId)).orderBy(asc(segments.key)).all().map(segmentDefinition);
}

function assertValidSegment(segment: Segment) {
  const problems = findSegmentProblems(segment);
  if (problems.length === 0) return;
  throw invalidFields(problems.map((problem) => ({ path: formatPath(problem.path), message: problem.message })));
}

export class SegmentService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
  ) {}

  list(environmentKey: string) {
    const environment = requireEnvironment(this.db, environmentKey);
    return this.db
      .select()
      .from(segments)
      .where(eq(segments.environmentId, environment.id))
      .orderBy(asc(segments.key))
      .all()
      .map((row) => toSegmentView(environment.key, row));
  }

  get(environmentKey: string, key: string) {
    const environment = requireEnvironment(this.db, environmentKey);
    return toSegmentView(environment.key, this.requireSegment(this.db, environment.id, key));
  }

  private requireSegment(tx: Tx, environmentId: number, key: string) {
    const row = tx.select().from(segments).where(and(eq(segments.environmentId, environmentId), eq(segments.key, key))).get();
    if (!row) throw notFound(`segment '${key}'`);
    return row;
  }

  create(environmentKey: string, input: CreateSegmentInput, actor: Actor, now = Date.now()) {
    return this.write(environmentKey, input.key, "segment.create", actor, undefined, (tx, environmentId) => {
      if (tx.select({ id: segments.id }).from(segments).where(and(eq(segments.environmentId, environmentId), eq(segments.key, input.key))).get()) {
        throw new ApiError("conflict", `segment '${input.key}' already exists`, [{ path: "key", message: "is already taken" }]);
      }
      const row = { environmentId, ...input, name: input.name ?? input.key, description: input.description ?? "", version: 1, createdAt: now, updatedAt: now };
      assertValidSegment(segmentDefinition(row as SegmentRow));
      const [created] = tx.insert(segments).values(row).returning().all();
      return { before: null, after: created! };
    });
  }

  update(environmentKey: string, key: string, input: UpdateSegmentInput, expected: number | undefined, actor: Actor, now = Date.now()) {
    const { version: _version, reason, ...changes } = input;
    return this.write(environmentKey, key, "segment.update", actor, reason, (tx, environmentId, environmentKeyResolved) => {
      const row = this.requireSegment(tx, environmentId, key);
      assertVersion(expected, row.version, toSegmentView(environmentKeyResolved, row), true);
      const next: SegmentRow = { ...row, ...changes, version: row.version + 1, updatedAt: now };
      assertValidSegment(segmentDefinition(next));
      tx.update(segments).set(next).where(eq(segments.id, row.id)).run();
      return { before: row, after: next };
    });
  }

  /** Refused while a flag in the environment still references the segment. */
  delete(environmentKey: string, key: string, expected: number | undefined, actor: Actor) {
    return this.write(environmentKey, key, "segment.delete", actor, undefined, (tx, environmentId, environmentKeyResolved) => {
      const row = this.requireSegment(tx, environmentId, key);
      assertVersion(expected, row.version, toSegmentView(environmentKeyResolved, row), false);
      const users = tx
        .select({ key: flags.key, rules: flagConfigs.rules })
        .from(flagConfigs)
        .innerJoin(flags, eq(flags.id, flagConfigs.flagId))
        .where(eq(flagConfigs.environmentId, environmentId))
        .all()
        .filter(({ rules }) => rules.some((rule) => rule.clauses.some((clause) => clause.op === "inSegment" && clause.values.includes(key))))
        .map(({ key: flagKey }) => flagKey);
      if (users.length > 0) {
        throw new ApiError("conflict", `segment '${key}' is used by flags: ${users.join(", ")}`, [], toSegmentView(environmentKeyResolved, row));
      }
      tx.delete(segments).where(eq(segments.id, row.id)).run();
      return { before: row, after: null };
    });
  }

  private write(
    environmentKey: string,
    key: string,
    action: string,
    actor: Actor,
    reason: string | undefined,
    apply: (tx: Tx, environmentId: number, environmentKey: string) => { before: SegmentRow | null; after: SegmentRow | null },
    now = Date.now(),
  ) {
    const committed = this.db.transaction((tx) => {
      const environment = requireEnvironment(tx, environmentKey);
      const { before, after } = apply(tx, environment.id, environment.key);
      const beforeView = before && toSegmentView(environment.key, before);
      const afterView = after && toSegmentView(environment.key, after);
      const published = recordChange(
        tx,
        { actor, action, resourceKind: "segment", resourceKey: key, environmentKey: environment.key, before: beforeView, after: afterView, reason: reason ?? null },
        [
          {
            environmentId: environment.id,
            environmentKey: environment.key,
            resourceKind: "segment",
            resourceKey: key,
            payload: after && (segmentDefinition(after) as unknown as JsonValue),
          },
        ],
        now,
      );
      return { view: afterView, published };
    });
    this.feed.publish(committed.published);
    return committed.view;
  }
}
