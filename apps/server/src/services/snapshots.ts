/**
 * What an environment's SDKs see: the snapshot (flags, segments, revision) and its compiled
 * flags for server-side evaluation. Built once per revision and dropped when the change feed
 * reports a newer one, so reads never hit the database between changes.
 */
import { and, asc, eq } from "drizzle-orm";
import { compileFlag, flagDefinition, type CompiledFlag, type EnvironmentSnapshot } from "@switchyard/core";
import type { Db } from "../db/open.js";
import { flagConfigs, flags } from "../db/schema.js";
import type { ChangeFeed } from "./changes.js";
import { requireEnvironment } from "./environments.js";
import { loadSegments } from "./segments.js";

export interface CachedSnapshot {
  snapshot: EnvironmentSnapshot;
  /** The snapshot serialized once, for every SDK that fetches it. */
  body: string;
  etag: string;
  compiled: Map<string, CompiledFlag>;
}

export class SnapshotCache {
  private readonly byEnvironment = new Map<string, CachedSnapshot>();

  constructor(
    private readonly db: Db,
    feed: ChangeFeed,
  ) {
    feed.subscribe((change) => this.byEnvironment.delete(change.environmentKey));
  }

  get(environmentKey: string): CachedSnapshot {
    const cached = this.byEnvironment.get(environmentKey);
    if (cached) return cached;
    const built = this.db.transaction((tx) => {
      const environment = requireEnvironment(tx, environmentKey);
      const segments = loadSegments(tx, environment.id);
      const definitions = tx
        .select({ flag: flags, config: flagConfigs })
        .from(flagConfigs)
        .innerJoin(flags, eq(flags.id, flagConfigs.flagId))
        .where(and(eq(flagConfigs.environmentId, environment.id), eq(flags.archived, false)))
        .orderBy(asc(flags.key))
        .all()
        .map(({ flag, config }) => flagDefinition(flag, config));
      const snapshot: EnvironmentSnapshot = { environment: environment.key, revision: environment.revision, flags: definitions, segments };
      return {
        snapshot,
        body: JSON.stringify(snapshot),
        etag: `"${environment.key}-${environment.revision}"`,
        compiled: new Map(definitions.map((definition) => [definition.key, compileFlag(definition, segments)])),
      };
    });
    this.byEnvironment.set(environmentKey, built);
    return built;
  }
}
