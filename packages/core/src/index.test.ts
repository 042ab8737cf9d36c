import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as core from "./index.js";

describe("@switchyard/core entry point", () => {
  it("exports exactly the public runtime API", () => {
    expect(Object.keys(core).sort()).toEqual(["BUCKET_COUNT", "MAX_KEY_LENGTH", "MAX_METRIC_ENTRIES", "VALUE_BUCKET_BOUNDS", "bucket", "compileFlag", "evaluate", "findFlagProblems", "findSegmentProblems", "flagDefinition", "isSafePattern", "keyProblem", "metricNameProblem", "murmur3", "openFeatureErrorCode", "openFeatureMetadata", "openFeatureReason", "percentile", "rolloutServe", "segmentDefinition", "toSwitchyardContext", "valueBucket"]);
  });

  it("never loads zod or the schema module at runtime from the evaluation path", () => {
    // Follow the value imports (not `import type`) from index.ts through every module it loads.
    const seen = new Set<string>();
    const pending = ["index.ts"];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
        if (match[1] !== undefined) continue;
        const target = match[2]!;
        expect(target, `${file} imports ${target}`).toMatch(/^\.\/[a-z0-9-]+\.js$/);
        expect(target, `${file} loads the schema at runtime`).not.toBe("./schema.js");
        pending.push(target.replace(/^\.\//, "").replace(/\.js$/, ".ts"));
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});
