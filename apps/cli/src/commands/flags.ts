/** `flags list` and `flags get`: reading flags, every page of them. */
import type { FlagListView, FlagView } from "@switchyard/core";
import type { ApiClient } from "../client.js";
import { apiPath } from "../client.js";
import { printResult, stringOption, type CommandSpec } from "../command.js";
import { describeFlag, describeState, table } from "../format.js";

/** Follows the cursor to the end: scripts want all matching flags, not the first page. */
export async function listAllFlags(api: ApiClient, filter: { tag?: string; q?: string; archived?: boolean } = {}): Promise<FlagView[]> {
  const flags: FlagView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<FlagListView>(apiPath("flags"), { ...filter, archived: filter.archived ? "true" : undefined, limit: 1000, cursor });
    flags.push(...page.flags);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return flags;
}

export const flagsList: CommandSpec = {
  words: ["flags", "list"],
  args: [],
  summary: "list flags with their state in each environment",
  details: "With --json, prints an array of flags as GET /api/v1/flags/{key} answers them.",
  options: {
    tag: { type: "string", valueName: "TAG", description: "only flags with this tag" },
    q: { type: "string", valueName: "TEXT", description: "only flags whose key or name contains TEXT" },
    archived: { type: "boolean", description: "list archived flags instead" },
  },
  async run(context, input) {
    const flags = await listAllFlags(context.api, {
      tag: stringOption(input, "tag"),
      q: stringOption(input, "q"),
      archived: input.options.archived === true,
    });
    printResult(context, flags, () => {
      if (flags.length === 0) return "no flags match";
      const environments = [...new Set(flags.flatMap((flag) => Object.keys(flag.environments)))];
      return table(
        ["KEY", "KIND", "TAGS", ...environments.map((env) => env.toUpperCase())],
        flags.map((flag) => [
          flag.key,
          flag.kind,
          flag.tags.join(",") || "-",
          ...environments.map((env) => {
            const config = flag.environments[env];
            return config ? describeState(config) : "-";
          }),
        ]),
      );
    });
  },
};

export const flagsGet: CommandSpec = {
  words: ["flags", "get"],
  args: ["flag"],
  summary: "show one flag: variants, tags and its config in every environment",
  details: "With --json, prints the flag as GET /api/v1/flags/{key} answers it.",
  options: {},
  async run(context, { args }) {
    const flag = await context.api.get<FlagView>(apiPath("flags", args[0]!));
    printResult(context, flag, () => describeFlag(flag));
  },
};
