/**
 * The export file: every flag of one environment, with the versions it was exported at so an
 * import can tell a flag edited in the file from one changed on the server since.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { updateFlagConfigInputSchema, updateFlagInputSchema } from "@switchyard/core/api-schema";
import { flagKindSchema, keySchema } from "@switchyard/core/schema";
import { UsageError } from "../errors.js";

export const exportFormat = "switchyard.flags/v1";

/** A config as exported: its view without who/when fields, which the file does not carry. */
export type ExportedConfig = Omit<FlagConfigView, "environment" | "killedBy" | "killedAt" | "updatedAt">;

/** A flag as exported: its view without timestamps, and the one environment's config. */
export type ExportedFlag = Omit<FlagView, "createdAt" | "updatedAt" | "environments"> & { config: ExportedConfig };

export interface ExportDocument {
  format: typeof exportFormat;
  environment: string;
  flags: ExportedFlag[];
}

/** A flag as an import file may give it: everything but the key optional, so files can be written by hand. */
export type ImportedFlag = Partial<Omit<ExportedFlag, "config">> & { key: string; config?: Partial<ExportedConfig> };

export interface ImportDocument {
  environment: string | undefined;
  flags: ImportedFlag[];
}

export type ExportFileFormat = "json" | "yaml";

/** Fields written with PATCH /flags/{key}. */
export const flagFieldNames = ["name", "description", "variants", "tags", "clientVisible"] as const;
/** Fields written with PATCH /flags/{key}/environments/{env}. */
export const configFieldNames = ["enabled", "targets", "rules", "fallthrough", "offVariant", "clientVisible"] as const;

const flagFields = ["key", "name", "description", "kind", "variants", "tags", "clientVisible", "salt", "archived", "version", "config"] as const;
const configFields = ["enabled", "killed", "killReason", "targets", "rules", "fallthrough", "offVariant", "clientVisible", "version"] as const;

/**
 * Timestamps and who/when left out, flags sorted by key: the same state exports to the same
 * bytes, so export files diff cleanly in version control.
 */
export function toExportedFlag(flag: FlagView, environment: string): ExportedFlag | undefined {
  const config = flag.environments[environment];
  if (!config) return undefined;
  const { createdAt: _created, updatedAt: _updated, environments: _environments, ...fields } = flag;
  const { environment: _environment, killedBy: _killedBy, killedAt: _killedAt, updatedAt: _configUpdated, ...exported } = config;
  return { ...fields, config: exported };
}

export function exportDocument(environment: string, flags: FlagView[]): ExportDocument {
  const exported = flags.flatMap((flag) => toExportedFlag(flag, environment) ?? []);
  exported.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { format: exportFormat, environment, flags: exported };
}

export function serializeDocument(document: ExportDocument, format: ExportFileFormat): string {
  if (format === "json") return `${JSON.stringify(document, null, 2)}\n`;
  // lineWidth 0: long strings stay on one line, so a one-word edit is a one-line diff. YAML 1.1
  // rules quote the strings 1.1 readers take for booleans (`"on"`, `"off"`, `"y"`), so the
  // file means the same to every YAML tool.
  return stringifyYaml(document, { lineWidth: 0, version: "1.1" });
}

/**
 * Reads a JSON or YAML export (JSON is YAML) and validates it with the schemas the server
 * validates writes with: a dry run then catches what the server would refuse, and values come
 * out as the server stores them (defaults filled in), so the diff shows only real changes.
 */
export function parseDocument(text: string, source: string): ImportDocument {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${source} is neither JSON nor YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (!isObject(value) || !Array.isArray(value.flags)) throw new UsageError(`${source} is not a Switchyard export: it has no \`flags\` list`);
  const problems: string[] = [];
  if (value.format !== undefined && value.format !== exportFormat) problems.push(`format: must be ${exportFormat}`);
  if (value.environment !== undefined && typeof value.environment !== "string") problems.push("environment: must be a string");
  const seen = new Set<string>();
  const flags = value.flags.map((flag: unknown, index: number) => {
    const path = `flags[${index}]`;
    const parsed = parseFlag(flag, path, problems);
    if (parsed && seen.has(parsed.key)) problems.push(`${path}.key: '${parsed.key}' appears twice`);
    if (parsed) seen.add(parsed.key);
    return parsed;
  });
  if (problems.length > 0) throw new UsageError(`${source} cannot be imported:\n  ${problems.join("\n  ")}`);
  return { environment: value.environment as string | undefined, flags: flags as ImportedFlag[] };
}

function parseFlag(flag: unknown, path: string, problems: string[]): ImportedFlag | undefined {
  if (!isObject(flag)) return void problems.push(`${path}: must be an object`);
  problems.push(...unknownFields(flag, flagFields, path));
  const key = keySchema.safeParse(flag.key);
  if (!key.success) problems.push(...issuesOf(key.error.issues, `${path}.key`));
  const { key: _key, kind, salt, archived, version, config, ...fields } = flag;
  const parsed: Record<string, unknown> = { key: flag.key, ...pick(updateFlagInputSchema, flagFieldNames, fields, path, problems) };
  if (kind !== undefined) parsed.kind = pick(z.strictObject({ kind: flagKindSchema }), ["kind"], { kind }, path, problems).kind;
  if (salt !== undefined) parsed.salt = typeof salt === "string" ? salt : void problems.push(`${path}.salt: must be a string`);
  if (archived !== undefined) parsed.archived = typeof archived === "boolean" ? archived : void problems.push(`${path}.archived: must be true or false`);
  parsed.version = checkVersion(version, `${path}.version`, problems);
  if (config !== undefined) parsed.config = parseConfig(config, `${path}.config`, problems);
  return parsed as ImportedFlag;
}

function parseConfig(config: unknown, path: string, problems: string[]): Partial<ExportedConfig> | undefined {
  if (!isObject(config)) return void problems.push(`${path}: must be an object`);
  problems.push(...unknownFields(config, configFields, path));
  const { killed, killReason, version, ...fields } = config;
  const parsed: Record<string, unknown> = pick(updateFlagConfigInputSchema, configFieldNames, fields, path, problems);
  if (killed !== undefined) parsed.killed = typeof killed === "boolean" ? killed : void problems.push(`${path}.killed: must be true or false`);
  if (killReason !== undefined && killReason !== null && typeof killReason !== "string") problems.push(`${path}.killReason: must be a string or null`);
  parsed.killReason = killReason;
  parsed.version = checkVersion(version, `${path}.version`, problems);
  return parsed as Partial<ExportedConfig>;
}

/** The schema's output for the fields named (the others are reported by unknownFields). */
function pick(schema: z.ZodObject, names: readonly string[], fields: Record<string, unknown>, path: string, problems: string[]): Record<string, unknown> {
  const known = Object.fromEntries(Object.entries(fields).filter(([field]) => names.includes(field)));
  const result = schema.safeParse(known);
  if (result.success) return result.data as Record<string, unknown>;
  problems.push(...issuesOf(result.error.issues, path));
  return {};
}

/** `rules[0].clauses[1].op: …` as the server names fields; for a union, the alternative the input got furthest into. */
export function issuesOf(issues: readonly z.core.$ZodIssue[], prefix: string): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${String(part)}`), prefix);
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${path}.${key}: is not a known field`);
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const depth = (alternative: readonly z.core.$ZodIssue[]) => Math.max(...alternative.map((inner) => inner.path.length));
      return issuesOf(issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a)), path);
    }
    return [`${path}: ${issue.message}`];
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A misspelt field would otherwise be ignored, and the import would silently not do what the file says. */
function unknownFields(object: Record<string, unknown>, known: readonly string[], path: string): string[] {
  return Object.keys(object)
    .filter((field) => !known.includes(field))
    .map((field) => `${path}.${field}: is not a known field`);
}

function checkVersion(version: unknown, path: string, problems: string[]): number | undefined {
  if (version === undefined || (Number.isInteger(version) && (version as number) >= 1)) return version as number | undefined;
  problems.push(`${path}: must be a whole number from 1`);
  return undefined;
}
