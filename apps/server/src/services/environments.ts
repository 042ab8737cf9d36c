import type { EnvironmentView } from "@switchyard/core";
import { asc, eq } from "drizzle-orm";
import type { CreateEnvironmentInput } from "@switchyard/core/api-schema";
import type { Db, Tx } from "../db/open.js";
import { environments, flagConfigs, flags } from "../db/schema.js";
import { ApiError, notFound } from "../errors.js";
import { recordChange, type Actor, type Commit } from "./changes.js";
import { initialConfig } from "./flag-model.js";

export type EnvironmentRow = typeof environments.$inferSelect;

export const defaultEnvironments = [
  { key: "development", name: "Development" },
  { key: "staging", name: "Staging" },
  { key: "production", name: "Production" },
] as const;

export function requireEnvironment(tx: Tx, key: string): EnvironmentRow {
  const environment = tx.select().from(environments).where(eq(environments.key, key)).get();
  if (!environment) throw notFound(`environment '${key}'`);
  return environment;
}

export function listEnvironments(db: Db) {
  return db.select().from(environments).orderBy(asc(environments.id)).all().map(toEnvironmentView);
}

export function toEnvironmentView(row: EnvironmentRow): EnvironmentView {
  return { key: row.key, name: row.name, revision: row.revision, createdAt: new Date(row.createdAt).toISOString() };
}

/** Creates the environment with a disabled config for every existing flag. */
export function createEnvironment(db: Tx, input: CreateEnvironmentInput, actor: Actor, now = Date.now()): { view: EnvironmentView; commit: Commit } {
  return db.transaction((tx) => {
    if (tx.select({ id: environments.id }).from(environments).where(eq(environments.key, input.key)).get()) {
      throw new ApiError("conflict", `environment '${input.key}' already exists`, [{ path: "key", message: "is already taken" }]);
    }
    const [created] = tx
      .insert(environments)
      .values({ key: input.key, name: input.name ?? input.key, revision: 0, createdAt: now })
      .returning()
      .all();
    const environment = created!;
    for (const flag of tx.select().from(flags).all()) {
      tx.insert(flagConfigs).values({ ...initialConfig(flag), flagId: flag.id, environmentId: environment.id, updatedAt: now }).run();
    }
    const view = toEnvironmentView(environment);
    const commit = recordChange(tx, {
      actor,
      action: "environment.create",
      resourceKind: "environment",
      resourceKey: environment.key,
      environmentKey: environment.key,
      before: null,
      after: view,
    }, [], now);
    return { view, commit };
  });
}

/** First start: the three usual environments, so a new install is usable at once. */
export function ensureDefaultEnvironments(db: Db, actor: Actor) {
  db.transaction((tx) => {
    if (tx.select({ id: environments.id }).from(environments).limit(1).get()) return;
    for (const environment of defaultEnvironments) createEnvironment(tx, environment, actor);
  });
}
