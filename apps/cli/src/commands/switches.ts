/** Writes to one flag in one environment: toggle, rollout, kill and unkill. */
import type { FlagConfigView } from "@switchyard/core";
import type { RolloutInput } from "@switchyard/core/api-schema";
import { ApiRequestError, apiPath } from "../client.js";
import {
  commandName,
  envOption,
  environmentOf,
  integerOption,
  printResult,
  reasonOption,
  requireOption,
  stringOption,
  type CommandContext,
  type CommandSpec,
} from "../command.js";
import { UsageError } from "../errors.js";
import { describeState } from "../format.js";

interface ConfigWrite {
  config: FlagConfigView;
  /** False when the flag was already in the asked-for state: nothing was written or audited. */
  changed: boolean;
}

function report(context: CommandContext, flag: string, environment: string, result: ConfigWrite, done: string, already: string) {
  printResult(context, { flag, environment, ...result }, () =>
    `${result.changed ? done : already}: ${flag} in ${environment} is ${describeState(result.config)} [config v${result.config.version}]`,
  );
}

const configPath = (flag: string, environment: string, ...action: string[]) => apiPath("flags", flag, "environments", environment, ...action);

/** Toggling sets one field whatever else changed, so a conflict is retried on a fresh read. */
const toggleAttempts = 3;

export const toggle: CommandSpec = {
  words: ["toggle"],
  args: ["flag"],
  summary: "turn a flag on or off in one environment",
  details: "Example: switchyard toggle new-checkout --env staging --on",
  options: {
    env: { ...envOption, description: "environment key (required)" },
    on: { type: "boolean", description: "turn the flag on" },
    off: { type: "boolean", description: "turn the flag off" },
    reason: reasonOption,
  },
  async run(context, input) {
    const [flag] = input.args as [string];
    const environment = requireOption(this, input, "env");
    if ((input.options.on === true) === (input.options.off === true)) throw new UsageError("give exactly one of --on and --off", commandName(this));
    const enabled = input.options.on === true;
    for (let attempt = 1; ; attempt++) {
      const current = await context.api.get<FlagConfigView>(configPath(flag, environment));
      if (current.enabled === enabled) return report(context, flag, environment, { config: current, changed: false }, "", "unchanged");
      try {
        const config = await context.api.patch<FlagConfigView>(configPath(flag, environment), {
          enabled,
          version: current.version,
          reason: stringOption(input, "reason"),
        });
        return report(context, flag, environment, { config, changed: true }, enabled ? "turned on" : "turned off", "");
      } catch (error) {
        if (!(error instanceof ApiRequestError && error.status === 409) || attempt === toggleAttempts) throw error;
      }
    }
  },
};

/** `25`, `25%` or `0.5`: a share from 0 to 100. */
function parsePercent(spec: CommandSpec, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent >= 0 && percent <= 100)) throw new UsageError(`the percent must be a number from 0 to 100, not '${text}'`, commandName(spec));
  return percent;
}

export const rolloutSet: CommandSpec = {
  words: ["rollout", "set"],
  args: ["flag", "percent"],
  summary: "serve a variant to a percentage of contexts (the rest get the off variant)",
  details: [
    "Sets the fallthrough's split, or rule N's with --rule. Boolean flags roll out their `true`",
    "variant unless --variant names another. Percent: 0 to 100, in steps of 0.001.",
    "Example: switchyard rollout set new-checkout 5 --env production",
  ].join("\n"),
  options: {
    env: envOption,
    rule: { type: "string", valueName: "N", description: "set rule N's rollout instead of the fallthrough's (from 0)" },
    variant: { type: "string", valueName: "KEY", description: "the variant rolled out (required for non-boolean flags)" },
    reason: reasonOption,
  },
  async run(context, input) {
    const [flag, percentText] = input.args as [string, string];
    const environment = environmentOf(input);
    const body: RolloutInput = {
      percent: parsePercent(this, percentText),
      rule: integerOption(this, input, "rule", 0),
      variant: stringOption(input, "variant"),
      reason: stringOption(input, "reason"),
    };
    const result = await context.api.post<ConfigWrite>(configPath(flag, environment, "rollout"), body);
    report(context, flag, environment, result, "rolled out", "unchanged");
  },
};

export const kill: CommandSpec = {
  words: ["kill"],
  args: ["flag"],
  summary: "kill a flag: every SDK serves its off variant at once",
  details: [
    "Idempotent: killing a killed flag changes nothing and exits 0. The rest of the config is kept,",
    "and `unkill` restores it exactly.",
    'Example: switchyard kill new-checkout --reason "smoke test failed in build 812"',
  ].join("\n"),
  options: { env: envOption, reason: { ...reasonOption, description: "why, recorded in the audit log (required)" } },
  async run(context, input) {
    const [flag] = input.args as [string];
    const environment = environmentOf(input);
    const reason = requireOption(this, input, "reason");
    const result = await context.api.post<ConfigWrite>(configPath(flag, environment, "kill"), { reason });
    report(context, flag, environment, result, "killed", "already killed");
  },
};

export const unkill: CommandSpec = {
  words: ["unkill"],
  args: ["flag"],
  summary: "lift a kill: the flag serves what it did before it was killed",
  options: { env: envOption, reason: { ...reasonOption, description: "why, recorded in the audit log (required)" } },
  async run(context, input) {
    const [flag] = input.args as [string];
    const environment = environmentOf(input);
    const reason = requireOption(this, input, "reason");
    const result = await context.api.post<ConfigWrite>(configPath(flag, environment, "unkill"), { reason });
    report(context, flag, environment, result, "unkilled", "was not killed");
  },
};
