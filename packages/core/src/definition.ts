/**
 * The evaluation shapes built from whatever holds a flag's fields: the server's rows, the admin
 * API's views. One definition of "the flag as an environment's SDKs evaluate it", shared by the
 * server (snapshots, validation) and the UI (try a context, rollout previews).
 */
import { BUCKET_COUNT } from "./bucket.js";
import type { FlagDefinition, Segment, Serve } from "./schema.js";

/** What every environment shares. */
export type FlagFields = Pick<FlagDefinition, "key" | "kind" | "variants" | "salt" | "clientVisible">;

/** One environment's config; its `clientVisible`, when not null, overrides the flag's. */
export type ConfigFields = Pick<FlagDefinition, "enabled" | "killed" | "killReason" | "targets" | "rules" | "fallthrough" | "offVariant" | "version"> & {
  clientVisible: boolean | null;
};

/**
 * @example
 * compileFlag(flagDefinition(flag, flag.environments.production), segments.map(segmentDefinition)).evaluate({ key: "user-1" });
 */
export function flagDefinition(flag: FlagFields, config: ConfigFields): FlagDefinition {
  return {
    key: flag.key,
    kind: flag.kind,
    variants: flag.variants,
    salt: flag.salt,
    clientVisible: config.clientVisible ?? flag.clientVisible,
    enabled: config.enabled,
    killed: config.killed,
    killReason: config.killReason,
    targets: config.targets,
    rules: config.rules,
    fallthrough: config.fallthrough,
    offVariant: config.offVariant,
    version: config.version,
  };
}

/** Only the fields SDKs receive, from a row or a view that carries more. */
export function segmentDefinition(segment: Segment): Segment {
  return {
    key: segment.key,
    name: segment.name,
    description: segment.description,
    included: segment.included,
    excluded: segment.excluded,
    clauses: segment.clauses,
    version: segment.version,
  };
}

/**
 * A percentage rollout of `variant` at `weight` (of BUCKET_COUNT), the off variant getting the
 * rest, bucketed by the attribute `current` already used: what setting a rollout writes.
 */
export function rolloutServe(current: Serve, weight: number, variant: string, offVariant: string): Serve {
  return {
    rollout: {
      bucketBy: "rollout" in current ? current.rollout.bucketBy : "key",
      variants: [
        { variant, weight },
        { variant: offVariant, weight: BUCKET_COUNT - weight },
      ],
    },
  };
}
