/** `export` and `import`: an environment's flags as a file, and that file applied back with version checks. */
import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { EnvironmentView } from "@switchyard/core";
import { apiPath, type ApiClient } from "../client.js";
import { commandName, envOption, environmentOf, printResult, reasonOption, stringOption, type CommandContext, type CommandSpec } from "../command.js";
import { CliError, exitCodes, UsageError } from "../errors.js";
import { renderChange } from "../transfer/diff.js";
import type { ExportFileFormat } from "../transfer/document.js";
import type { FlagPlan } from "../transfer/import-plan.js";
import { listAllFlags } from "./flags.js";

/** Loaded when used: a kill in an incident should not wait for zod and the YAML parser to load. */
const transfer = async () => {
  const [document, plan, apply] = await Promise.all([import("../transfer/document.js"), import("../transfer/import-plan.js"), import("../transfer/apply.js")]);
  return { ...document, ...plan, ...apply };
};

/** Archived flags too: an import restores archiving like any other field. */
async function environmentFlags(api: ApiClient, environment: string) {
  const { environments } = await api.get<{ environments: EnvironmentView[] }>(apiPath("environments"));
  if (!environments.some((env) => env.key === environment)) throw new CliError(exitCodes.notFound, `environment '${environment}' not found`);
  const [active, archived] = await Promise.all([listAllFlags(api), listAllFlags(api, { archived: true })]);
  return [...active, ...archived];
}

function fileFormat(spec: CommandSpec, format: string | undefined, out: string | undefined, json: boolean): ExportFileFormat {
  if (format === "json" || format === "yaml") {
    if (json && format === "yaml") throw new UsageError("--json and --format yaml contradict each other", commandName(spec));
    return format;
  }
  if (format !== undefined) throw new UsageError(`--format must be json or yaml, not '${format}'`, commandName(spec));
  return !json && out !== undefined && /\.ya?ml$/i.test(out) ? "yaml" : "json";
}

export const exportCommand: CommandSpec = {
  words: ["export"],
  args: [],
  summary: "write every flag of an environment, with its config and versions, as JSON or YAML",
  details: [
    "Flags are sorted by key and timestamps left out, so the same state exports to the same bytes.",
    "Edit the file and `switchyard import` it: the versions it records let the import refuse to",
    "overwrite anything changed on the server in the meantime.",
    "Example: switchyard export --env production --out flags.yaml",
  ].join("\n"),
  options: {
    env: envOption,
    format: { type: "string", valueName: "json|yaml", description: "file format (default: yaml for a .yaml/.yml --out, else json)" },
    out: { type: "string", valueName: "FILE", description: "write to FILE instead of stdout" },
  },
  async run(context, input) {
    const environment = environmentOf(input);
    const out = stringOption(input, "out");
    const format = fileFormat(this, stringOption(input, "format"), out, context.json && out === undefined);
    const { exportDocument, serializeDocument } = await transfer();
    const document = exportDocument(environment, await environmentFlags(context.api, environment));
    const text = serializeDocument(document, format);
    if (out === undefined) {
      context.output.stdout(text.trimEnd());
      return;
    }
    await writeFile(out, text);
    context.output.stderr(`exported ${document.flags.length} flag(s) of ${environment} to ${out}`);
    if (context.json) context.output.stdout(JSON.stringify({ environment, flags: document.flags.length, out, format }));
  },
};

export const importCommand: CommandSpec = {
  words: ["import"],
  args: ["file"],
  summary: "show (or with --apply, make) the changes an export file describes",
  details: [
    "A dry run by default: prints per flag what would change (+ create, ~ update, ! conflict) and",
    "writes nothing. --apply writes through the API, creating missing flags. A flag the file",
    "changes that was also changed on the server since the export is a conflict: nothing is",
    "written and the exit code is 5. Flags on the server but not in the file are left alone.",
    "FILE may be - for stdin. Example: switchyard import flags.yaml --apply",
  ].join("\n"),
  options: {
    env: { ...envOption, description: "environment to import into (default: the file's, which it must match)" },
    apply: { type: "boolean", description: "write the changes (default: dry run)" },
    reason: { ...reasonOption, description: "recorded in the audit log (default: imported from FILE)" },
  },
  async run(context, input) {
    const [file] = input.args as [string];
    const { applyImport, parseDocument, planImport } = await transfer();
    const text = await readInput(file);
    const document = parseDocument(text, file === "-" ? "stdin" : file);
    const requested = stringOption(input, "env");
    if (requested !== undefined && document.environment !== undefined && requested !== document.environment) {
      throw new UsageError(
        `${file} was exported from '${document.environment}': its versions say nothing about '${requested}'. Export '${requested}', edit that, and import it`,
        commandName(this),
      );
    }
    const environment = requested ?? document.environment ?? environmentOf(input);
    const plans = planImport(document.flags, await environmentFlags(context.api, environment), environment);
    const conflicts = plans.filter((plan) => plan.action === "conflict");
    const apply = input.options.apply === true && conflicts.length === 0;
    if (apply) await applyImport(context.api, plans, environment, stringOption(input, "reason") ?? `imported from ${file === "-" ? "stdin" : basename(file)}`);
    report(context, environment, plans, apply ? "applied" : input.options.apply === true ? "nothing written" : "dry run");
    if (conflicts.length > 0) {
      context.output.stderr(
        `conflict: ${conflicts.map((plan) => plan.key).join(", ")} changed on the server since the export; nothing was written. Export again and re-apply your edits.`,
      );
      return exitCodes.conflict;
    }
    if (!apply && plans.some((plan) => plan.action === "create" || plan.action === "update")) {
      context.output.stderr("dry run: nothing was written; run again with --apply to write these changes");
    }
  },
};

async function readInput(file: string): Promise<string> {
  try {
    if (file !== "-") return await readFile(file, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

const marks: Record<FlagPlan["action"], string> = { create: "+", update: "~", conflict: "!", unchanged: "=" };

function report(context: CommandContext, environment: string, plans: FlagPlan[], outcome: "applied" | "dry run" | "nothing written") {
  const applied = outcome === "applied";
  const count = (action: FlagPlan["action"]) => plans.filter((plan) => plan.action === action).length;
  const summary = { create: count("create"), update: count("update"), conflict: count("conflict"), unchanged: count("unchanged") };
  const json = {
    environment,
    applied,
    summary,
    flags: plans.map((plan) => ({
      key: plan.key,
      action: plan.action,
      changes: plan.changes,
      ...(plan.action === "conflict" ? { reason: plan.reason } : {}),
    })),
  };
  printResult(context, json, () => {
    const lines = plans
      .filter((plan) => plan.action !== "unchanged")
      .flatMap((plan) => [
        `${marks[plan.action]} ${plan.key}: ${plan.action === "conflict" ? `conflict: ${plan.reason}` : plan.action}`,
        ...plan.changes.map((change) => `    ${renderChange(change)}`),
      ]);
    const verb = applied ? ["created", "updated"] : ["to create", "to update"];
    lines.push(
      `${environment}: ${summary.create} ${verb[0]}, ${summary.update} ${verb[1]}, ${summary.conflict} conflict(s), ${summary.unchanged} unchanged` +
        (applied ? "" : ` (${outcome})`),
    );
    return lines.join("\n");
  });
}
