/**
 * What an import would do, decided before anything is written: per flag create, update,
 * unchanged or conflict. A part of a flag (its own fields, or its config in the environment)
 * that the file changes must still be at the version the file records; otherwise someone
 * changed it since the export and writing the file would overwrite their change unseen.
 */
import type { FlagView } from "@switchyard/core";
import { UsageError } from "../errors.js";
import { diffValues, type FieldChange } from "./diff.js";
import { createFlagInputSchema } from "@switchyard/core/api-schema";
import {
  configFieldNames,
  flagFieldNames,
  issuesOf,
  toExportedFlag,
  type ExportedConfig,
  type ExportedFlag,
  type ImportedFlag,
} from "./document.js";

/** Fixed at creation: the bucketing salt and the value type. */
const immutableFieldNames = ["kind", "salt"] as const;

export type FlagFields = Partial<Pick<ExportedFlag, (typeof flagFieldNames)[number]>>;
export type ConfigFields = Partial<Pick<ExportedConfig, (typeof configFieldNames)[number]>>;

/** The writes one flag needs, each guarded by the version it was planned against. */
export interface FlagWrites {
  flag: FlagFields;
  config: ConfigFields;
  /** Kill or unkill; undefined to leave as is. */
  killed?: boolean;
  killReason?: string | null;
  archived?: boolean;
}

export type FlagPlan =
  | { key: string; action: "create"; changes: FieldChange[]; input: ImportedFlag }
  | { key: string; action: "update"; changes: FieldChange[]; server: ExportedFlag; writes: FlagWrites }
  | { key: string; action: "unchanged"; changes: [] }
  | { key: string; action: "conflict"; changes: FieldChange[]; reason: string };

export function planImport(flags: ImportedFlag[], serverFlags: FlagView[], environment: string): FlagPlan[] {
  const server = new Map(serverFlags.map((flag) => [flag.key, flag]));
  const problems: string[] = [];
  const plans = flags.map((input): FlagPlan => {
    const current = server.get(input.key);
    if (!current) {
      const { config: _config, archived: _archived, version: _version, ...fields } = input;
      const creation = createFlagInputSchema.safeParse(fields);
      if (!creation.success) problems.push(...issuesOf(creation.error.issues, input.key));
      return { key: input.key, action: "create", changes: creationChanges(input), input };
    }
    const exported = toExportedFlag(current, environment);
    if (!exported) throw new UsageError(`flag '${input.key}' has no config in environment '${environment}'`);
    for (const field of immutableFieldNames) {
      if (input[field] !== undefined && input[field] !== exported[field]) problems.push(`${input.key}.${field}: cannot change (server: ${exported[field]}, file: ${input[field]})`);
    }
    return planUpdate(input, exported);
  });
  if (problems.length > 0) throw new UsageError(`the file cannot be applied as written:\n  ${problems.join("\n  ")}`);
  return plans.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function planUpdate(input: ImportedFlag, server: ExportedFlag): FlagPlan {
  const changes: FieldChange[] = [];
  const writes: FlagWrites = { flag: {}, config: {} };
  type Fields = Record<string, unknown>;
  const compare = (target: Fields, fields: readonly string[], from: Fields, to: Fields, prefix: string) => {
    for (const field of fields) {
      if (to[field] === undefined) continue;
      const differences = diffValues(from[field], to[field], `${prefix}${field}`);
      if (differences.length === 0) continue;
      changes.push(...differences);
      target[field] = to[field];
    }
  };
  compare(writes.flag, flagFieldNames, { ...server }, input, "");
  if (input.archived !== undefined && input.archived !== server.archived) {
    changes.push({ path: "archived", before: server.archived, after: input.archived });
    writes.archived = input.archived;
  }
  const config = input.config ?? {};
  compare(writes.config, configFieldNames, { ...server.config }, config, "config.");
  if (config.killed !== undefined && config.killed !== server.config.killed) {
    changes.push({ path: "config.killed", before: server.config.killed, after: config.killed });
    writes.killed = config.killed;
    writes.killReason = config.killReason;
  }
  if (changes.length === 0) return { key: input.key, action: "unchanged", changes: [] };

  const flagTouched = Object.keys(writes.flag).length > 0 || writes.archived !== undefined;
  const configTouched = Object.keys(writes.config).length > 0 || writes.killed !== undefined;
  const stale = [
    flagTouched && staleness("flag", input.version, server.version),
    configTouched && staleness("config", config.version, server.config.version),
  ].filter((reason): reason is string => typeof reason === "string");
  if (stale.length > 0) return { key: input.key, action: "conflict", changes, reason: stale.join("; ") };
  return { key: input.key, action: "update", changes, server, writes };
}

function staleness(part: string, recorded: number | undefined, current: number): string | undefined {
  if (recorded === undefined) return `the file records no ${part} version, so a change made on the server cannot be told apart (export again)`;
  if (recorded !== current) return `the ${part} changed on the server since the export (v${current} there, v${recorded} in the file)`;
  return undefined;
}

/** A new flag: every field the file gives, at the top level. */
function creationChanges(input: ImportedFlag): FieldChange[] {
  const { key: _key, version: _version, config, ...fields } = input;
  const { version: _configVersion, ...configFields } = config ?? {};
  const given = (entries: [string, unknown][], prefix: string) =>
    entries.filter(([, after]) => after !== undefined).map(([field, after]) => ({ path: `${prefix}${field}`, before: undefined, after }));
  return [...given(Object.entries(fields), ""), ...given(Object.entries(configFields), "config.")];
}
