/**
 * The server evaluates exactly as core does: every case of core's published cases.json is
 * stored through the admin API and evaluated through POST /sdk/v1/evaluate.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findFlagProblems, type FlagDefinition, type Segment } from "@switchyard/core";
import { createHarness, type Harness } from "../test-support/harness.js";

interface Case {
  name: string;
  flag: FlagDefinition;
  segments?: Segment[];
  context: unknown;
  expected: Record<string, unknown>;
  schemaValid?: boolean;
}

const { cases } = JSON.parse(readFileSync(new URL("../../../../packages/core/cases.json", import.meta.url), "utf8")) as { cases: Case[] };

const isPlainObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
// The API refuses what findFlagProblems reports and contexts that are not objects; those cases stay core's.
const storable = cases.filter((c) => c.schemaValid !== false && isPlainObject(c.context) && findFlagProblems(c.flag, c.segments ?? []).length === 0);

/** Groups in which every flag key appears once, since a flag's variants and salt are global. */
function groupsWithUniqueKeys(all: Case[]): Case[][] {
  const groups: Case[][] = [];
  for (const c of all) {
    const group = groups.find((candidate) => !candidate.some((other) => other.flag.key === c.flag.key));
    if (group) group.push(c);
    else groups.push([c]);
  }
  return groups;
}

async function storeAndEvaluate(h: Harness, c: Case, environment: string) {
  const admin = (method: string, path: string, body?: unknown) => h.call("admin", method, path, body === undefined ? {} : { body });
  expect((await admin("POST", "/api/v1/environments", { key: environment })).status).toBe(201);
  for (const { version: _version, ...segment } of c.segments ?? []) {
    expect((await admin("POST", `/api/v1/environments/${environment}/segments`, segment)).status).toBe(201);
  }
  const { flag } = c;
  await admin("POST", "/api/v1/flags", { key: flag.key, kind: flag.kind, variants: flag.variants, salt: flag.salt, clientVisible: flag.clientVisible });
  const configPath = `/api/v1/flags/${flag.key}/environments/${environment}`;
  const current = (await admin("GET", configPath)).json;
  const patched = await admin("PATCH", configPath, {
    version: current.version,
    enabled: flag.enabled,
    targets: flag.targets,
    rules: flag.rules,
    fallthrough: flag.fallthrough,
    offVariant: flag.offVariant,
  });
  expect(patched.status, JSON.stringify(patched.json)).toBe(200);
  if (flag.killed) await admin("POST", `${configPath}/kill`, { reason: flag.killReason ?? "case" });

  const serverKey = h.token({ kind: "server", name: `key-${environment}`, environment });
  const response = await h.app.request("/sdk/v1/evaluate", {
    method: "POST",
    headers: { Authorization: `Bearer ${serverKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ key: flag.key, context: c.context }),
  });
  expect(response.status).toBe(200);
  const { key: _key, ...result } = (await response.json()) as Record<string, unknown>;
  return result;
}

describe("server evaluation agrees with cases.json", () => {
  it("stores most cases through the API", () => {
    expect(storable.length).toBeGreaterThan(cases.length * 0.85);
  });

  groupsWithUniqueKeys(storable).forEach((group, groupIndex) => {
    it(`group ${groupIndex + 1}: ${group.length} cases`, async () => {
      const h = await createHarness();
      for (const [index, c] of group.entries()) {
        const result = await storeAndEvaluate(h, c, `case-${index}`);
        expect(result, c.name).toEqual(c.expected);
      }
    }, 60_000);
  });
});
