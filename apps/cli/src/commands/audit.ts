/** `audit`: who changed what, newest first. */
import type { AuditEntryView, AuditPageView } from "@switchyard/core";
import { apiPath } from "../client.js";
import { integerOption, printResult, stringOption, type CommandSpec } from "../command.js";

/** The server's page size bound; larger --limit values follow the cursor. */
const maxPage = 500;

export const audit: CommandSpec = {
  words: ["audit"],
  args: [],
  summary: "show audit entries, newest first",
  details: "With --json, prints an array of audit entries, each with before, after, reason and details.",
  options: {
    flag: { type: "string", valueName: "KEY", description: "only entries about this flag" },
    env: { type: "string", valueName: "ENV", description: "only entries about this environment" },
    actor: { type: "string", valueName: "NAME", description: "only entries by this actor (a user's email or a token's name)" },
    limit: { type: "string", valueName: "N", description: "at most N entries (default 50)" },
  },
  async run(context, input) {
    const limit = integerOption(this, input, "limit", 1) ?? 50;
    const entries: AuditEntryView[] = [];
    let cursor: string | undefined;
    do {
      const page = await context.api.get<AuditPageView>(apiPath("audit"), {
        flag: stringOption(input, "flag"),
        environment: stringOption(input, "env"),
        actor: stringOption(input, "actor"),
        limit: Math.min(maxPage, limit - entries.length),
        cursor,
      });
      entries.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && entries.length < limit);
    printResult(context, entries, () => (entries.length === 0 ? "no audit entries match" : entries.map(describeEntry).join("\n")));
  },
};

function describeEntry(entry: AuditEntryView): string {
  const subject = entry.flag ?? `${entry.resourceKind} ${entry.resourceKey}`;
  const where = entry.environment && entry.environment !== entry.resourceKey ? `${subject} in ${entry.environment}` : subject;
  const reason = entry.reason ? `: ${entry.reason}` : "";
  return `${entry.at}  #${entry.id}  ${entry.action}  ${where}  by ${entry.actor.name} (${entry.actor.kind})${reason}`;
}
