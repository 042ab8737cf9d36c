/** `plan status|start|pause|resume|abort`: driving a flag's progressive rollout plan. */
import type { RolloutPlanStatusView } from "@switchyard/core";
import { apiPath } from "../client.js";
import { envOption, environmentOf, printResult, reasonOption, stringOption, type CommandSpec } from "../command.js";

const planPath = (flag: string, environment: string, ...action: string[]) =>
  apiPath("flags", flag, "environments", environment, "plan", ...action);

export function describePlan(plan: RolloutPlanStatusView): string {
  const step = plan.steps[plan.currentStep];
  const lines = [
    `${plan.flag} in ${plan.environment}: plan ${plan.state}, step ${plan.currentStep + 1} of ${plan.steps.length}` +
      (step ? ` (${step.percent}% of contexts get ${plan.variant}, hold ${step.holdSeconds}s)` : "") +
      `  [plan v${plan.version}]`,
    `  steps: ${plan.steps.map((s) => `${s.percent}%`).join(" → ")}; on breach: ${plan.onBreach}`,
  ];
  if (plan.live) {
    const { live } = plan;
    lines.push(`  serving ${live.percent}%; held ${Math.round(live.heldMs / 1000)}s of ${Math.round(live.holdMs / 1000)}s` +
      (live.nextStepAt ? `; next step at ${live.nextStepAt}` : ""));
    if (live.waitingFor) lines.push(`  waiting for: ${live.waitingFor}`);
    for (const guard of live.guards) lines.push(`  guard [${guard.verdict}] ${guard.message}`);
  }
  if (plan.breach) {
    lines.push(`  halted at ${plan.breach.at} on step ${plan.breach.step + 1} (${plan.breach.percent}%), action ${plan.breach.action}: ${plan.breach.message}`);
  }
  return lines.join("\n");
}

function planCommand(action: "start" | "pause" | "resume" | "abort", summary: string): CommandSpec {
  return {
    words: ["plan", action],
    args: ["flag"],
    summary,
    details: "Define the plan (steps, guards) in the admin UI or with PUT …/plan; with --json, prints the plan and its status.",
    options: { env: envOption, reason: reasonOption },
    async run(context, input) {
      const [flag] = input.args as [string];
      const reason = stringOption(input, "reason");
      const plan = await context.api.post<RolloutPlanStatusView>(planPath(flag, environmentOf(input), action), reason === undefined ? {} : { reason });
      printResult(context, plan, () => describePlan(plan));
    },
  };
}

export const planStatus: CommandSpec = {
  words: ["plan", "status"],
  args: ["flag"],
  summary: "show a flag's rollout plan: state, current step, guard numbers per cohort",
  options: { env: envOption },
  async run(context, input) {
    const [flag] = input.args as [string];
    const plan = await context.api.get<RolloutPlanStatusView>(planPath(flag, environmentOf(input)));
    printResult(context, plan, () => describePlan(plan));
  },
};

export const planCommands: CommandSpec[] = [
  planStatus,
  planCommand("start", "start the plan at its first step (turning the flag on); the server advances it while guards pass"),
  planCommand("pause", "pause the plan: the rollout stays where it is and its hold stops counting"),
  planCommand("resume", "resume a paused plan where it stopped"),
  planCommand("abort", "end the plan and take the rollout back to 0%"),
];
