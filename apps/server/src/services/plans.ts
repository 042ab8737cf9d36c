/**
 * Rollout plans: a flag's rollout in one environment raised step by step, each step held for a
 * while and watched by guards over SDK-reported metrics. `tick` (run by PlanScheduler) advances
 * healthy steps and halts a plan on a breach. Everything lives in `rolloutPlans`, so a restart
 * picks each plan up where it was: holds are wall-clock from the stored `stepStartedAt`.
 *
 * A step's flag write (through FlagService, audited as the rollout plan) happens before the
 * plan's own row moves on. A crash between the two leaves the plan on its old step with the
 * flag already written; the next tick finds the rollout is not its step's, as when someone sets
 * it by hand, and pauses the plan rather than act on it; resuming sets the step's rollout again.
 */
import { and, eq } from "drizzle-orm";
import { rolloutServe, type GuardStatusView, type JsonValue, type PlanBreachView, type RolloutPlanStatusView } from "@switchyard/core";
import type { PlanActionInput, PlanInput } from "@switchyard/core/api-schema";
import type { Db, Tx } from "../db/open.js";
import { environments, flagConfigs, flags, rolloutPlans } from "../db/schema.js";
import { conflict, invalid, notFound } from "../errors.js";
import { recordChange, type Actor, type ChangeFeed } from "./changes.js";
import { requireEnvironment, type EnvironmentRow } from "./environments.js";
import { assertVersion, type FlagConfigRow, type FlagRow } from "./flag-model.js";
import type { FlagService } from "./flags.js";
import { judgeGuard, type CohortSource } from "./guards.js";
import type { CohortNumbers } from "./metrics.js";
import {
  assertAction,
  assertReplaceable,
  decideStep,
  guardsOf,
  heldMs,
  liveView,
  sameDefinition,
  toPlanView,
  type PlanRow,
} from "./plan-model.js";

/** Who the audit log names for what the plan does by itself. */
export const planActor: Actor = { kind: "system", id: "plan", name: "rollout plan" };

const MAX_REASON_LENGTH = 1000;

export interface PlanServiceOptions {
  /**
   * How long after a step starts before reported metrics count for it. An SDK batch holds what
   * was counted since the SDK's previous one (10 s by default), so a batch that arrives just
   * after a step started still carries evaluations from before it — for a first step, of a flag
   * not yet rolled out, to which SDKs attribute no events at all: they would dilute the control
   * cohort's rate. About twice the SDKs' metrics interval: a batch sent late, or retried, spans
   * more than one interval.
   */
  settleMs: number;
  /** A plan whose tick failed; the others still run. */
  onTickError: (error: unknown, plan: { flag: string; environment: string }) => void;
}

interface Located {
  flag: FlagRow;
  environment: EnvironmentRow;
  config: FlagConfigRow;
  row: PlanRow | undefined;
}

type PlanChange = Partial<Omit<PlanRow, "id" | "flagId" | "environmentId" | "version" | "createdBy" | "createdAt" | "updatedAt">>;

export class PlanService {
  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
    private readonly flags: FlagService,
    private readonly metrics: CohortSource,
    private readonly options: PlanServiceOptions,
  ) {}

  get(flagKey: string, environmentKey: string, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    return this.status(located, requirePlan(located), now);
  }

  /** Defines the plan, or replaces one that is not running; the result is a draft. */
  put(flagKey: string, environmentKey: string, input: PlanInput, expected: number | undefined, actor: Actor, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    const { flag, environment, config, row } = located;
    if (row) {
      assertVersion(expected, row.version, this.status(located, row, now), true);
      assertReplaceable(row.state, this.status(located, row, now));
    } else if (expected !== undefined) {
      throw conflict(`there is no plan for flag '${flag.key}' in '${environment.key}' to replace; leave out version to create one`, null);
    }
    const variant = input.variant ?? (flag.kind === "boolean" ? flag.variants.find((v) => v.value === true)?.key : undefined);
    if (variant === undefined) throw invalid("variant", "is required for non-boolean flags");
    if (!flag.variants.some((v) => v.key === variant)) throw invalid("variant", `'${variant}' is not a variant of this flag`);
    if (variant === config.offVariant) throw invalid("variant", "must differ from the off variant, which receives the rest");

    const definition = { variant, steps: input.steps, guards: input.guards as JsonValue[], onBreach: input.onBreach };
    if (row && sameDefinition(row, definition)) return this.status(located, row, now);
    const fresh = { ...definition, state: "draft" as const, currentStep: 0, stepStartedAt: null, heldMs: 0, breach: null };
    const committed = this.db.transaction((tx) => {
      const saved = row
        ? tx.update(rolloutPlans).set({ ...fresh, version: row.version + 1, updatedAt: now }).where(eq(rolloutPlans.id, row.id)).returning().all()[0]!
        : tx
            .insert(rolloutPlans)
            .values({ ...fresh, flagId: flag.id, environmentId: environment.id, version: 1, createdBy: actor.name, createdAt: now, updatedAt: now })
            .returning()
            .all()[0]!;
      const commit = recordChange(
        tx,
        {
          actor,
          action: row ? "plan.update" : "plan.create",
          resourceKind: "rollout_plan",
          resourceKey: flag.key,
          flagKey: flag.key,
          environmentKey: environment.key,
          before: row ? toPlanView(row, flag.key, environment.key) : null,
          after: toPlanView(saved, flag.key, environment.key),
        },
        [],
        now,
      );
      return { saved, commit };
    });
    this.feed.publish(committed.commit);
    return this.status(located, committed.saved, now);
  }

  /** From the first step. Turns the flag on when it is off; refuses a killed flag. */
  start(flagKey: string, environmentKey: string, input: PlanActionInput, actor: Actor, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    const row = this.checkAction("start", located, input, now);
    this.assertServable(located, row, "starting", now);
    // The rollout first: turning a flag on before would serve its fallthrough to everyone meanwhile.
    this.setStep(located, row, 0, { startedBy: actor.name });
    if (!located.config.enabled) {
      const { version } = this.flags.getConfig(flagKey, environmentKey);
      this.flags.updateConfig(flagKey, environmentKey, { enabled: true, reason: "turned on to start its rollout plan" }, version, actor);
    }
    const started = this.write(located, row, { state: "running", currentStep: 0, stepStartedAt: now, heldMs: 0, breach: null }, { actor, action: "plan.start", reason: input.reason }, now);
    return this.status(located, started, now);
  }

  /** Stops advancing and judging; the rollout stays where it is and the hold served is kept. */
  pause(flagKey: string, environmentKey: string, input: PlanActionInput, actor: Actor, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    const row = this.checkAction("pause", located, input, now);
    const paused = this.write(located, row, { state: "paused", heldMs: heldMs(row, now), stepStartedAt: null }, { actor, action: "plan.pause", reason: input.reason }, now);
    return this.status(located, paused, now);
  }

  /** Continues the current step with the hold it had served; its guards judge from now on. */
  resume(flagKey: string, environmentKey: string, input: PlanActionInput, actor: Actor, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    const row = this.checkAction("resume", located, input, now);
    this.assertServable(located, row, "resuming", now);
    // The step's own rollout again, should someone have changed it meanwhile (no write when not).
    this.setStep(located, row, row.currentStep, { resumedBy: actor.name });
    const resumed = this.write(located, row, { state: "running", stepStartedAt: now }, { actor, action: "plan.resume", reason: input.reason }, now);
    return this.status(located, resumed, now);
  }

  /** Ends the plan and takes the rollout back to 0% (pause keeps it where it is). */
  abort(flagKey: string, environmentKey: string, input: PlanActionInput, actor: Actor, now = Date.now()): RolloutPlanStatusView {
    const located = this.locate(this.db, flagKey, environmentKey);
    const row = this.checkAction("abort", located, input, now);
    const reason = `rollout plan aborted by ${actor.name}${input.reason ? `: ${input.reason}` : ""}`;
    if (located.flag.variants.some((v) => v.key === row.variant) && row.variant !== located.config.offVariant) {
      this.flags.setRollout(flagKey, environmentKey, { percent: 0, variant: row.variant, reason: clip(reason) }, planActor);
    }
    const aborted = this.write(located, row, { state: "aborted", heldMs: heldMs(row, now), stepStartedAt: null }, { actor, action: "plan.abort", reason: input.reason }, now);
    return this.status(located, aborted, now);
  }

  /** One pass over every running plan: breach, advance, complete, or keep holding. */
  tick(now = Date.now()): void {
    const running = this.db
      .select({ flagKey: flags.key, environmentKey: environments.key })
      .from(rolloutPlans)
      .innerJoin(flags, eq(flags.id, rolloutPlans.flagId))
      .innerJoin(environments, eq(environments.id, rolloutPlans.environmentId))
      .where(eq(rolloutPlans.state, "running"))
      .all();
    for (const { flagKey, environmentKey } of running) {
      try {
        this.tickPlan(this.locate(this.db, flagKey, environmentKey), now);
      } catch (error) {
        this.options.onTickError(error, { flag: flagKey, environment: environmentKey });
      }
    }
  }

  private tickPlan(located: Located, now: number): void {
    const row = requirePlan(located);
    if (row.state !== "running") return;
    const { flag, config } = located;
    if (config.killed || flag.archived) {
      // The plan's own kill, when a crash fell between it and the halt: finish the halt.
      if (config.killed && config.killedBy === planActor.name) {
        this.write(located, row, { state: "halted", heldMs: heldMs(row, now), stepStartedAt: null }, { actor: planActor, action: "plan.halt", reason: config.killReason ?? "killed by the rollout plan" }, now);
        return;
      }
      const why = flag.archived ? "the flag was archived" : `the flag was killed by ${config.killedBy ?? "someone"}${config.killReason ? `: ${config.killReason}` : ""}`;
      this.write(located, row, { state: "paused", heldMs: heldMs(row, now), stepStartedAt: null }, { actor: planActor, action: "plan.pause", reason: clip(`paused: ${why}`) }, now);
      return;
    }
    // Someone set the rollout by hand (or a crash fell between a step's flag write and the plan's):
    // advancing, rolling back or judging cohorts that are no longer the step's would overrule them.
    const changed = rolloutChange(located, row);
    if (changed !== null) {
      this.write(located, row, { state: "paused", heldMs: heldMs(row, now), stepStartedAt: null }, { actor: planActor, action: "plan.pause", reason: clip(`paused: ${changed}`) }, now);
      return;
    }
    const statuses = this.judge(located, row, now);
    const decision = decideStep(row, statuses, now);
    switch (decision.kind) {
      case "breach":
        this.halt(located, row, decision.status, now);
        return;
      case "advance": {
        // The numbers that let the step go, on both audit entries.
        const guards = statuses as unknown as JsonValue;
        this.setStep(located, row, decision.step, { guards });
        this.write(located, row, { currentStep: decision.step, stepStartedAt: now, heldMs: 0 }, { actor: planActor, action: "plan.advance", details: { guards } }, now);
        return;
      }
      case "complete": {
        const guards = statuses as unknown as JsonValue;
        this.write(located, row, { state: "completed", heldMs: heldMs(row, now), stepStartedAt: null }, { actor: planActor, action: "plan.complete", details: { guards } }, now);
        return;
      }
      case "hold":
        return;
    }
  }

  /** Kills the flag (or rolls it back to 0%) and halts the plan, both audited with the numbers. */
  private halt(located: Located, row: PlanRow, status: GuardStatusView, now: number): void {
    const { flag, environment } = located;
    const breach: PlanBreachView = {
      ...status,
      at: new Date(now).toISOString(),
      step: row.currentStep,
      percent: row.steps[row.currentStep]!.percent,
      action: row.onBreach,
      since: new Date(this.judgedSince(row.stepStartedAt ?? now)).toISOString(),
      until: new Date(now).toISOString(),
    };
    const details = breach as unknown as JsonValue;
    const reason = clip(`rollout plan guard breached at ${breach.percent}%: ${status.message}`);
    if (row.onBreach === "kill") this.flags.kill(flag.key, environment.key, { reason }, planActor, { now, details });
    else this.flags.setRollout(flag.key, environment.key, { percent: 0, variant: row.variant, reason }, planActor, { details });
    this.write(
      located,
      row,
      { state: "halted", breach: details, heldMs: heldMs(row, now), stepStartedAt: null },
      { actor: planActor, action: "plan.halt", reason, details },
      now,
    );
  }

  /**
   * Where a step's numbers start: the first metrics window that starts once the step has settled
   * (see `settleMs`). Earlier windows hold traffic from before the step — at the previous
   * percent, or with the flag not rolled out at all — which would skew both cohorts.
   */
  private judgedSince(stepStartedAt: number): number {
    const { windowMs } = this.metrics.options;
    return Math.ceil((stepStartedAt + this.options.settleMs) / windowMs) * windowMs;
  }

  /** Each guard over the current step so far; one metrics read per metric. */
  private judge(located: Located, row: PlanRow, now: number): GuardStatusView[] {
    if (row.state !== "running" || row.stepStartedAt === null) return [];
    const since = this.judgedSince(row.stepStartedAt);
    const percent = row.steps[row.currentStep]!.percent;
    const byMetric = new Map<string, Map<string, CohortNumbers>>();
    return guardsOf(row).map((guard) => {
      let cohorts = byMetric.get(guard.metric);
      if (!cohorts) {
        cohorts = this.metrics.cohorts(located.environment.id, located.flag.key, guard.metric, since, now);
        byMetric.set(guard.metric, cohorts);
      }
      return judgeGuard(guard, cohorts, row.variant, percent);
    });
  }

  /** Sets the rollout of `step`, as the plan. */
  private setStep(located: Located, row: PlanRow, step: number, details: Record<string, JsonValue>): void {
    const { percent } = row.steps[step]!;
    const reason = `rollout plan step ${step + 1} of ${row.steps.length}: ${percent}%`;
    this.flags.setRollout(located.flag.key, located.environment.key, { percent, variant: row.variant, reason }, planActor, {
      details: { plan: { step, of: row.steps.length, percent, variant: row.variant }, ...details },
    });
  }

  private checkAction(action: "start" | "pause" | "resume" | "abort", located: Located, input: PlanActionInput, now: number): PlanRow {
    const row = requirePlan(located);
    const current = () => this.status(located, row, now);
    assertVersion(input.version, row.version, current(), false);
    assertAction(action, row.state, current());
    return row;
  }

  /** A killed or archived flag, or one whose variants changed under the plan, cannot be rolled out. */
  private assertServable(located: Located, row: PlanRow, doing: string, now: number): void {
    const { flag, environment, config } = located;
    const where = `flag '${flag.key}' in '${environment.key}'`;
    const refuse = (message: string) => conflict(message, this.status(located, row, now));
    if (flag.archived) throw refuse(`${where} is archived; unarchive it before ${doing} its plan`);
    if (config.killed) {
      throw refuse(`${where} is killed (by ${config.killedBy ?? "unknown"}: ${config.killReason ?? "no reason"}); unkill it before ${doing} its plan`);
    }
    if (!flag.variants.some((v) => v.key === row.variant)) throw refuse(`the plan's variant '${row.variant}' is no longer a variant of ${where}; replace the plan`);
    if (row.variant === config.offVariant) throw refuse(`the plan's variant '${row.variant}' is now the off variant of ${where}; replace the plan`);
  }

  /** Moves the plan on in one transaction with its audit entry; refuses if it moved meanwhile. */
  private write(
    { flag, environment }: Located,
    row: PlanRow,
    change: PlanChange,
    audit: { actor: Actor; action: string; reason?: string; details?: JsonValue },
    now: number,
  ): PlanRow {
    const committed = this.db.transaction((tx) => {
      const next: PlanRow = { ...row, ...change, version: row.version + 1, updatedAt: now };
      const updated = tx
        .update(rolloutPlans)
        .set(next)
        .where(and(eq(rolloutPlans.id, row.id), eq(rolloutPlans.version, row.version)))
        .run();
      if (updated.changes !== 1) throw conflict(`the plan changed meanwhile`, null);
      const commit = recordChange(
        tx,
        {
          actor: audit.actor,
          action: audit.action,
          resourceKind: "rollout_plan",
          resourceKey: flag.key,
          flagKey: flag.key,
          environmentKey: environment.key,
          before: toPlanView(row, flag.key, environment.key),
          after: toPlanView(next, flag.key, environment.key),
          reason: audit.reason ?? null,
          details: audit.details ?? null,
        },
        [],
        now,
      );
      return { next, commit };
    });
    this.feed.publish(committed.commit);
    return committed.next;
  }

  private status(located: Located, row: PlanRow, now: number): RolloutPlanStatusView {
    const { flag, environment } = located;
    const since = row.stepStartedAt === null ? null : this.judgedSince(row.stepStartedAt);
    return { ...toPlanView(row, flag.key, environment.key), live: liveView(row, this.judge(located, row, now), since, now) };
  }

  private locate(tx: Tx, flagKey: string, environmentKey: string): Located {
    const flag = this.flags.requireFlag(flagKey, tx);
    const environment = requireEnvironment(tx, environmentKey);
    const config = tx
      .select()
      .from(flagConfigs)
      .where(and(eq(flagConfigs.flagId, flag.id), eq(flagConfigs.environmentId, environment.id)))
      .get();
    if (!config) throw notFound(`config of flag '${flagKey}' in '${environmentKey}'`);
    const row = tx
      .select()
      .from(rolloutPlans)
      .where(and(eq(rolloutPlans.flagId, flag.id), eq(rolloutPlans.environmentId, environment.id)))
      .get();
    return { flag, environment, config, row };
  }
}

function requirePlan(located: Located): PlanRow {
  if (!located.row) throw notFound(`rollout plan of flag '${located.flag.key}' in '${located.environment.key}'`);
  return located.row;
}

/** Why the flag's fallthrough is not the plan's current step any more, or null when it is. */
function rolloutChange({ config }: Located, row: PlanRow): string | null {
  const { percent } = row.steps[row.currentStep]!;
  const expected = rolloutServe(config.fallthrough, Math.round(percent * 1000), row.variant, config.offVariant);
  if (JSON.stringify(config.fallthrough) === JSON.stringify(expected)) return null;
  const serve = config.fallthrough;
  const now =
    "rollout" in serve
      ? `${(serve.rollout.variants.find((v) => v.variant === row.variant)?.weight ?? 0) / 1000}% of '${row.variant}'`
      : "variant" in serve
        ? `serving '${serve.variant}' to everyone`
        : "a different serve";
  return `the rollout was changed outside the plan (now ${now}, the plan's step is ${percent}%)`;
}

function clip(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
