/**
 * Core's published cases.json, stored on a real server through the admin API, so the server's
 * and the SDK's evaluation can both be checked against it.
 */
import { readFileSync } from "node:fs";
import { findFlagProblems, type FlagDefinition, type Segment } from "@switchyard/core";

export interface Case {
  name: string;
  flag: FlagDefinition;
  segments?: Segment[];
  context: unknown;
  expected: Record<string, unknown>;
  schemaValid?: boolean;
}

export const cases = (JSON.parse(readFileSync(new URL("../../../../packages/core/cases.json", import.meta.url), "utf8")) as { cases: Case[] }).cases;

const isPlainObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
/** The API refuses what findFlagProblems reports and contexts that are not objects; those cases stay core's. */
export const storableCases = cases.filter(
  (c) => c.schemaValid !== false && isPlainObject(c.context) && findFlagProblems(c.flag, c.segments ?? []).length === 0,
);

/** Groups in which every flag key appears once, since a flag's variants and salt are global. */
export function groupsWithUniqueKeys(all: Case[]): Case[][] {
  const groups: Case[][] = [];
  for (const c of all) {
    const group = groups.find((candidate) => !candidate.some((other) => other.flag.key === c.flag.key));
    if (group) group.push(c);
    else groups.push([c]);
  }
  return groups;
}

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

/** Stores one case's segments and flag in a new environment of that name. */
export async function storeCase(admin: AdminCall, c: Case, environment: string): Promise<void> {
  const expectStatus = async (call: Promise<{ status: number; json: unknown }>, status: number, what: string) => {
    const response = await call;
    if (response.status !== status) throw new Error(`${c.name}: ${what} gave ${response.status}: ${JSON.stringify(response.json)}`);
  };
  await expectStatus(admin("POST", "/api/v1/environments", { key: environment }), 201, "creating the environment");
  for (const { version: _version, ...segment } of c.segments ?? []) {
    await expectStatus(admin("POST", `/api/v1/environments/${environment}/segments`, segment), 201, `creating segment ${segment.key}`);
  }
  const { flag } = c;
  // The same flag key may already exist from another environment of the group: 201 or 409 both do.
  await admin("POST", "/api/v1/flags", { key: flag.key, kind: flag.kind, variants: flag.variants, salt: flag.salt, clientVisible: flag.clientVisible });
  const configPath = `/api/v1/flags/${flag.key}/environments/${environment}`;
  const current = (await admin("GET", configPath)).json;
  const { enabled, targets, rules, fallthrough, offVariant } = flag;
  await expectStatus(admin("PATCH", configPath, { version: current.version, enabled, targets, rules, fallthrough, offVariant }), 200, "configuring the flag");
  if (flag.killed) await expectStatus(admin("POST", `${configPath}/kill`, { reason: flag.killReason ?? "case" }), 200, "killing the flag");
}
