/**
 * Carries out an import plan through the API. Every write names the version it was planned
 * against, so a change on the server between planning and writing is refused by the server
 * (409) rather than overwritten.
 */
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { apiPath, type ApiClient } from "../client.js";
import { CliError, exitCodes } from "../errors.js";
import type { FlagPlan, FlagWrites } from "./import-plan.js";

interface ConfigWrite {
  config: FlagConfigView;
}

/** Applies each plan in order; on a failure, says which flags were already written. */
export async function applyImport(api: ApiClient, plans: FlagPlan[], environment: string, reason: string): Promise<string[]> {
  const applied: string[] = [];
  for (const plan of plans) {
    try {
      if (plan.action === "create") await createFlag(api, plan, environment, reason);
      else if (plan.action === "update") await writeFlag(api, plan.key, environment, plan.writes, { flag: plan.server.version, config: plan.server.config.version, archived: plan.server.archived }, reason);
      else continue;
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      const done = applied.length > 0 ? ` Already written: ${applied.join(", ")}.` : " Nothing was written.";
      const hint = error.exitCode === exitCodes.conflict ? " It changed on the server during the import: export again and re-apply your edits." : "";
      throw new CliError(error.exitCode, `flag '${plan.key}': ${error.message}.${hint}${done}`);
    }
    applied.push(plan.key);
  }
  return applied;
}

async function createFlag(api: ApiClient, plan: Extract<FlagPlan, { action: "create" }>, environment: string, reason: string) {
  const { input } = plan;
  const created = await api.post<FlagView>(apiPath("flags"), {
    key: input.key,
    name: input.name,
    description: input.description,
    kind: input.kind,
    variants: input.variants,
    tags: input.tags,
    clientVisible: input.clientVisible,
    salt: input.salt,
  });
  const config = created.environments[environment];
  if (!config) throw new CliError(exitCodes.notFound, `environment '${environment}' not found`);
  const { version: _version, killed, killReason, ...fields } = input.config ?? {};
  const writes: FlagWrites = {
    flag: {},
    config: fields,
    killed: killed === true ? true : undefined,
    killReason,
    archived: input.archived === true ? true : undefined,
  };
  await writeFlag(api, input.key, environment, writes, { flag: created.version, config: config.version, archived: false }, reason);
}

async function writeFlag(
  api: ApiClient,
  key: string,
  environment: string,
  writes: FlagWrites,
  planned: { flag: number; config: number; archived: boolean },
  reason: string,
) {
  let flagVersion = planned.flag;
  let configVersion = planned.config;
  if (Object.keys(writes.flag).length > 0) {
    const view = await api.patch<FlagView>(apiPath("flags", key), { ...writes.flag, version: flagVersion, reason });
    flagVersion = view.version;
    // New variants or visibility re-publish the flag, bumping each config's version by one;
    // any other difference is someone else's write, which the config write must not overwrite.
    const republished = (writes.flag.variants !== undefined || writes.flag.clientVisible !== undefined) && !planned.archived;
    configVersion += republished ? 1 : 0;
  }
  const configPath = apiPath("flags", key, "environments", environment);
  if (Object.keys(writes.config).length > 0) {
    const config = await api.patch<FlagConfigView>(configPath, { ...writes.config, version: configVersion, reason });
    configVersion = config.version;
  }
  if (writes.killed !== undefined) {
    const action = writes.killed ? "kill" : "unkill";
    const killReason = (writes.killed ? writes.killReason : null) ?? reason;
    const result = await api.post<ConfigWrite>(`${configPath}/${action}`, { reason: killReason, version: configVersion });
    configVersion = result.config.version;
  }
  if (writes.archived !== undefined) {
    await api.post<FlagView>(apiPath("flags", key, writes.archived ? "archive" : "unarchive"), { version: flagVersion });
  }
}

