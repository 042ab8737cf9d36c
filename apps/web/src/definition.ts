/** The words the flag page uses for serves and configs. */
import { BUCKET_COUNT, type FlagConfigView, type FlagView, type Serve } from "@switchyard/core";
import { formatPercent, rolloutPercent } from "./flag-state";

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
