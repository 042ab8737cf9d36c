/** Conversions between stored rows and what the API and SDKs see, and whole-flag validation. */
import { findFlagProblems, type FlagConfigView, type FlagDefinition, type FlagView, type Segment, type Variant } from "@switchyard/core";
import type { environments, flagConfigs, flags } from "../db/schema.js";
import { ApiError, formatPath, invalid, invalidFields } from "../errors.js";

export type FlagRow = typeof flags.$inferSelect;
export type FlagConfigRow = typeof flagConfigs.$inferSelect;
type EnvironmentRow = typeof environments.$inferSelect;

export const booleanVariants: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];

/** A new flag, or a flag in a new environment: off, serving its first variant once turned on. */
export function initialConfig(flag: Pick<FlagRow, "kind" | "variants">) {
  const variants = flag.variants;
  const onVariant = flag.kind === "boolean" ? (variants.find((v) => v.value === true) ?? variants[0]!) : variants[0]!;
  const offVariant = flag.kind === "boolean" ? (variants.find((v) => v.value === false) ?? variants.at(-1)!) : variants.at(-1)!;
  return {
    enabled: false,
    killed: false,
    killReason: null,
    killedBy: null,
    killedAt: null,
    targets: [],
    rules: [],
    fallthrough: { variant: onVariant.key },
    offVariant: offVariant.key,
    clientVisible: null,
    version: 1,
  };
}

export function toConfigView(environment: Pick<EnvironmentRow, "key">, config: FlagConfigRow): FlagConfigView {
  return {
    environment: environment.key,
    enabled: config.enabled,
    killed: config.killed,
    killReason: config.killReason,
    killedBy: config.killedBy,
    killedAt: config.killedAt === null ? null : new Date(config.killedAt).toISOString(),
    targets: config.targets,
    rules: config.rules,
    fallthrough: config.fallthrough,
    offVariant: config.offVariant,
    clientVisible: config.clientVisible,
    version: config.version,
    updatedAt: new Date(config.updatedAt).toISOString(),
  };
}

export function toFlagView(flag: FlagRow, configs: { environment: EnvironmentRow; config: FlagConfigRow }[]): FlagView {
  return {
    key: flag.key,
    name: flag.name,
    description: flag.description,
    kind: flag.kind,
    variants: flag.variants,
    tags: flag.tags,
    clientVisible: flag.clientVisible,
    salt: flag.salt,
    archived: flag.archived,
    version: flag.version,
    createdAt: new Date(flag.createdAt).toISOString(),
    updatedAt: new Date(flag.updatedAt).toISOString(),
    environments: Object.fromEntries(configs.map(({ environment, config }) => [environment.key, toConfigView(environment, config)])),
  };
}

/** Rejects a definition that names unknown variants or segments, or carries unusable clauses. */
export function assertValidDefinition(definition: FlagDefinition, segments: readonly Segment[], pathPrefix = ""): void {
  const problems = findFlagProblems(definition, segments);
  if (problems.length === 0) return;
  throw invalidFields(problems.map((problem) => ({ path: pathPrefix + formatPath(problem.path), message: problem.message })));
}

/** The expected version named by a write: the body's `version` or the `If-Match` header (a strong tag). */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return bodyVersion;
  const match = /^\s*"?(\d{1,15})"?\s*$/.exec(ifMatch);
  const headerVersion = match ? Number(match[1]) : 0;
  if (headerVersion < 1) throw invalid("If-Match", 'must be a version number, such as "3"');
  if (bodyVersion !== undefined && bodyVersion !== headerVersion) throw invalid("version", "differs from the If-Match header");
  return headerVersion;
}

/** Optimistic concurrency: a write against an old version loses nothing and reports what is there now. */
export function assertVersion(expected: number | undefined, actual: number, current: unknown, required: boolean): void {
  if (expected === undefined) {
    if (!required) return;
    throw new ApiError("precondition_required", "name the version you edited, as `version` in the body or an If-Match header", [
      { path: "version", message: "is required" },
    ]);
  }
  if (expected !== actual) throw new ApiError("conflict", `version ${expected} is stale; the current version is ${actual}`, [], current);
}
