/** Human-readable renderings for the terminal; `--json` bypasses all of this. */
import type { FlagConfigView, FlagView, Serve } from "@switchyard/core";

/** Weights are in thousandths of a percent (100000 = 100%). */
export function percentOf(weight: number): string {
  return `${Number((weight / 1000).toFixed(3))}%`;
}

export function describeServe(serve: Serve): string {
  if ("variant" in serve) return serve.variant;
  return serve.rollout.variants.map((v) => `${v.variant} ${percentOf(v.weight)}`).join(" / ");
}

/** `on`, `off` or `KILLED`, then what the fallthrough serves when on. */
export function describeState(config: FlagConfigView): string {
  if (config.killed) return "KILLED";
  if (!config.enabled) return "off";
  const rules = config.rules.length > 0 ? `, ${config.rules.length} rule${config.rules.length === 1 ? "" : "s"}` : "";
  return `on (${describeServe(config.fallthrough)}${rules})`;
}

export function describeConfig(config: FlagConfigView): string[] {
  const lines = [`${config.environment}: ${describeState(config)}  [config v${config.version}]`];
  if (config.killed) lines.push(`  killed by ${config.killedBy ?? "?"} at ${config.killedAt ?? "?"}: ${config.killReason ?? ""}`);
  lines.push(`  fallthrough: ${describeServe(config.fallthrough)}; off variant: ${config.offVariant}`);
  config.targets.forEach((target) => lines.push(`  target ${target.variant}: ${target.values.length} context key(s)`));
  config.rules.forEach((rule, index) => {
    const label = rule.description ? ` (${rule.description})` : "";
    lines.push(`  rule ${index}${label}: ${rule.clauses.length} clause(s) → ${describeServe(rule.serve)}`);
  });
  return lines;
}

export function describeFlag(flag: FlagView): string {
  const lines = [
    `${flag.key}${flag.archived ? " (archived)" : ""}  [flag v${flag.version}]`,
    `  name: ${flag.name}`,
    ...(flag.description ? [`  description: ${flag.description}`] : []),
    `  kind: ${flag.kind}; variants: ${flag.variants.map((v) => `${v.key}=${JSON.stringify(v.value)}`).join(", ")}`,
    `  tags: ${flag.tags.length > 0 ? flag.tags.join(", ") : "(none)"}; client-visible: ${flag.clientVisible ? "yes" : "no"}`,
  ];
  for (const config of Object.values(flag.environments)) lines.push(...describeConfig(config));
  return lines.join("\n");
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
