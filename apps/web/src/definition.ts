/**
 * The admin API's views turned into the shapes core evaluates, so the browser can answer "who
 * gets what" with the same code the SDKs run, plus the words the flag page uses for a config.
 */
import { BUCKET_COUNT, type FlagConfigView, type FlagDefinition, type FlagView, type Segment, type SegmentView, type Serve } from "@switchyard/core";
import { formatPercent, rolloutPercent } from "./flag-state";

/**
 * The flag as an environment's SDKs evaluate it (mirrors the server's `toDefinition`).
 *
 * @example
 * compileFlag(toDefinition(flag, flag.environments.production!), segments.map(toSegment)).evaluate({ key: "user-1" });
 */
export function toDefinition(flag: FlagView, config: FlagConfigView): FlagDefinition {
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

export function toSegment(view: SegmentView): Segment {
  return {
    key: view.key,
    name: view.name,
    description: view.description,
    included: view.included,
    excluded: view.excluded,
    clauses: view.clauses,
    version: view.version,
  };
}

/**
 * The serve the server's rollout endpoint writes: `variant` gets `percent`, the off variant the
 * rest, bucketed by the attribute the serve already used.
 */
export function withRollout(serve: Serve, percent: number, variant: string, offVariant: string): Serve {
  const weight = Math.round(percent * 1000);
  return {
    rollout: {
      bucketBy: "rollout" in serve ? serve.rollout.bucketBy : "key",
      variants: [
        { variant, weight },
        { variant: offVariant, weight: BUCKET_COUNT - weight },
      ],
    },
  };
}

/** Percent of contexts a serve gives `variant`: a fixed serve gives it to all or none. */
export function servedPercent(serve: Serve, variant: string): number {
  return rolloutPercent(serve, variant) ?? ("variant" in serve && serve.variant === variant ? 100 : 0);
}

/** "on", or "on 10% / off 90%" for a rollout. */
export function describeServe(serve: Serve): string {
  if ("variant" in serve) return serve.variant;
  return serve.rollout.variants.map((v) => `${v.variant} ${formatPercent((v.weight * 100) / BUCKET_COUNT)}`).join(" / ");
}

/** One line for a config, for confirmations and conflicts: "serving, everyone else: on 10% / off 90%, 1 rule". */
export function summarizeConfig(config: FlagConfigView): string {
  const parts = [config.enabled ? "serving" : "off"];
  parts.push(`everyone else: ${describeServe(config.fallthrough)}`);
  parts.push(plural(config.rules.length, "rule"));
  if (config.targets.length > 0) parts.push(plural(config.targets.length, "target list"));
  return parts.join(", ");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The flag with one environment's config replaced, to show a write's answer before the refetch. */
export function withConfig(flag: FlagView, config: FlagConfigView): FlagView {
  return { ...flag, environments: { ...flag.environments, [config.environment]: config } };
}
