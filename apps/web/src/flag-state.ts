/** How a flag stands in one environment, in the words the list and the flag page both use. */
import { BUCKET_COUNT, type FlagConfigView, type FlagView, type Serve } from "@switchyard/core";

export type FlagState =
  | { kind: "killed"; label: string }
  | { kind: "off"; label: string }
  | { kind: "on"; label: string }
  | { kind: "rollout"; label: string; percent: number };

/** Percent of contexts a rollout serves `variant` (its first variant when not named), in 0.001 steps. */
export function rolloutPercent(serve: Serve, variant?: string): number | null {
  if (!("rollout" in serve)) return null;
  const weighted = variant === undefined ? serve.rollout.variants[0] : serve.rollout.variants.find((v) => v.variant === variant);
  return weighted ? (weighted.weight * 100) / BUCKET_COUNT : 0;
}

export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(3))}%`;
}

/** The variant a boolean flag rolls out (its `true` variant); other kinds roll out their first. */
export function rolloutVariant(flag: Pick<FlagView, "kind" | "variants">): string {
  if (flag.kind === "boolean") return (flag.variants.find((v) => v.value === true) ?? flag.variants[0]!).key;
  return flag.variants[0]!.key;
}

export function flagState(flag: Pick<FlagView, "kind" | "variants">, config: FlagConfigView): FlagState {
  if (config.killed) return { kind: "killed", label: "killed" };
  if (!config.enabled) return { kind: "off", label: "off" };
  const percent = rolloutPercent(config.fallthrough, rolloutVariant(flag));
  if (percent !== null && percent < 100) return { kind: "rollout", label: formatPercent(percent), percent };
  return { kind: "on", label: config.rules.length > 0 ? "on · targeted" : "on" };
}
