/** How a flag stands in one environment, in the words the list and the flag page both use. */
import { BUCKET_COUNT, type FlagConfigView, type FlagView, type Serve } from "@switchyard/core";

export type FlagState =
  | { kind: "killed"; label: string }
  | { kind: "off"; label: string }
  | { kind: "on"; label: string }
  | { kind: "rollout"; label: string; percent: number };

/** Percent of contexts a rollout serves `variant`, in 0.001 steps; null for a serve that is no rollout. */
export function rolloutPercent(serve: Serve, variant: string): number | null {
  if (!("rollout" in serve)) return null;
  const weighted = serve.rollout.variants.find((v) => v.variant === variant);
  return weighted ? (weighted.weight * 100) / BUCKET_COUNT : 0;
}

export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(3))}%`;
}

/**
 * The variant a rollout in `config` gives its share to, as the server's rollout action picks it: a
 * boolean flag's `true` variant; for other kinds the variant everyone else is served now (other
 * than the off variant, which gets the rest), else the first that is not the off variant.
 */
export function rolloutVariant(flag: Pick<FlagView, "kind" | "variants">, config: Pick<FlagConfigView, "fallthrough" | "offVariant">): string {
  if (flag.kind === "boolean") return (flag.variants.find((v) => v.value === true) ?? flag.variants[0]!).key;
  const serve = config.fallthrough;
  const served = "rollout" in serve ? serve.rollout.variants.find((v) => v.variant !== config.offVariant && v.weight > 0)?.variant : serve.variant;
  if (served !== undefined && served !== config.offVariant) return served;
  return (flag.variants.find((v) => v.key !== config.offVariant) ?? flag.variants[0]!).key;
}

export function flagState(flag: Pick<FlagView, "kind" | "variants">, config: FlagConfigView): FlagState {
  if (config.killed) return { kind: "killed", label: "killed" };
  if (!config.enabled) return { kind: "off", label: "off" };
  const percent = rolloutPercent(config.fallthrough, rolloutVariant(flag, config));
  if (percent !== null && percent < 100) return { kind: "rollout", label: formatPercent(percent), percent };
  return { kind: "on", label: config.rules.length > 0 ? "on · targeted" : "on" };
}
