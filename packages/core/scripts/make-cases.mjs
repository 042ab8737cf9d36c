// Writes ../cases.json: the language-neutral evaluation cases every evaluator runs (core, SDK,
// server). Rollout expectations come from the independent reference hash, not from the core.
// Run: node scripts/make-cases.mjs
import { writeFileSync } from "node:fs";
import { flowCases } from "./cases/flow.mjs";
import { operatorCases } from "./cases/operators.mjs";

const cases = [...operatorCases, ...flowCases];
const names = new Set();
for (const c of cases) {
  if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
  names.add(c.name);
}

const description = [
  "Switchyard evaluation cases. Each case evaluates `flag` (with `segments` when given) for",
  "`context` and expects `expected` exactly: value, variant, reason, and ruleIndex / errorCode / killReason",
  "when present (absent means the result has no such property). Every flag passes",
  "flagDefinitionSchema unless the case has \"schemaValid\": false. Rollout expectations are",
  "computed from murmur3 x86_32 buckets (see bucket-vectors.json).",
].join(" ");

const file = new URL("../cases.json", import.meta.url);
writeFileSync(file, JSON.stringify({ description, cases }, null, 2) + "\n");
console.log(`wrote ${cases.length} cases to ${file.pathname}`);
