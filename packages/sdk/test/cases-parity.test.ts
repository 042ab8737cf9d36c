/**
 * The SDK evaluates exactly as the server does: every case of core's cases.json that the admin API
 * accepts is stored on a real server, then evaluated by a Node client over its stream and by
 * POST /sdk/v1/evaluate, and both must equal the case's expected result. (The storing follows
 * apps/server/src/routes/sdk-cases.test.ts.)
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFlagProblems, type EvaluationContext, type FlagDefinition, type Segment } from "@switchyard/core";
import { createClient } from "../src/node/client.js";
import { startServer, type RunningServer } from "./support/server.js";

interface Case {
  name: string;
  flag: FlagDefinition;
  segments?: Segment[];
  context: unknown;
  expected: Record<string, unknown>;
  schemaValid?: boolean;
}

const { cases } = JSON.parse(readFileSync(new URL("../../core/cases.json", import.meta.url), "utf8")) as { cases: Case[] };
const isPlainObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
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

async function store(server: RunningServer, c: Case, environment: string): Promise<string> {
  const expectStatus = async (response: Promise<{ status: number; json: unknown }>, status: number) => {
    const { status: actual, json } = await response;
    expect(actual, JSON.stringify(json)).toBe(status);
  };
  await expectStatus(server.admin("POST", "/api/v1/environments", { key: environment }), 201);
  for (const { version: _version, ...segment } of c.segments ?? []) {
    await expectStatus(server.admin("POST", `/api/v1/environments/${environment}/segments`, segment), 201);
  }
  const { flag } = c;
  await server.admin("POST", "/api/v1/flags", { key: flag.key, kind: flag.kind, variants: flag.variants, salt: flag.salt, clientVisible: flag.clientVisible });
  const configPath = `/api/v1/flags/${flag.key}/environments/${environment}`;
  const current = (await server.admin("GET", configPath)).json;
  const { enabled, targets, rules, fallthrough, offVariant } = flag;
  await expectStatus(server.admin("PATCH", configPath, { version: current.version, enabled, targets, rules, fallthrough, offVariant }), 200);
  if (flag.killed) await server.admin("POST", `${configPath}/kill`, { reason: flag.killReason ?? "case" });
  return server.serverKey(environment);
}

async function serverEvaluate(server: RunningServer, key: string, flagKey: string, context: unknown) {
  const response = await fetch(`${server.url}/sdk/v1/evaluate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ key: flagKey, context }),
  });
  expect(response.status).toBe(200);
  const { key: _key, ...result } = (await response.json()) as Record<string, unknown>;
  return result;
}

describe("SDK evaluation agrees with the server and cases.json", () => {
  it("covers most cases", () => {
    expect(storable.length).toBeGreaterThan(cases.length * 0.85);
  });

  groupsWithUniqueKeys(storable).forEach((group, groupIndex) => {
    describe(`group ${groupIndex + 1}`, () => {
      let server: RunningServer;
      beforeAll(async () => {
        server = await startServer();
      });
      afterAll(() => server.close());

      it(`${group.length} cases`, async () => {
        for (const [index, c] of group.entries()) {
          const sdkKey = await store(server, c, `case-${index}`);
          const client = createClient({ url: server.url, sdkKey, logger: {} });
          try {
            expect(await client.ready(), c.name).toBe(true);
            const local = client.evaluate(c.flag.key, c.context as EvaluationContext);
            const remote = await serverEvaluate(server, sdkKey, c.flag.key, c.context);
            expect(local, c.name).toStrictEqual(remote);
            expect(local, c.name).toEqual(c.expected);
          } finally {
            await client.close();
          }
        }
      }, 120_000);
    });
  });
});
