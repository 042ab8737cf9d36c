/**
 * `/api/v1/flags/{key}/environments/{env}/plan`: read (viewers), define (editors), and start,
 * pause, resume, abort (editors, and automation tokens scoped to the flag and environment, as
 * for kill). Scoped automation tokens may also read the plan, so a pipeline can wait on it.
 */
import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Logger } from "pino";
import { planActionInputSchema, planInputSchema, type PlanActionInput } from "@switchyard/core/api-schema";
import { requireFlagAction, requireRole } from "../auth/principal.js";
import type { Db } from "../db/open.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow } from "../http/guards.js";
import { jsonBody } from "../http/validate.js";
import type { ChangeFeed } from "../services/changes.js";
import { expectedVersion } from "../services/flag-model.js";
import type { FlagService } from "../services/flags.js";
import type { CohortSource } from "../services/guards.js";
import { PlanScheduler } from "../services/plan-scheduler.js";
import { PlanService } from "../services/plans.js";

export interface PlanOptions {
  /** How often running plans are judged and advanced (SWITCHYARD_PLAN_TICK_MS). */
  tickMs: number;
  /** After a step starts, how long before reported metrics count for it (SWITCHYARD_PLAN_SETTLE_MS; see PlanServiceOptions). */
  settleMs: number;
  /** Run the scheduler: main.ts does, and tests that want plans to move by themselves. */
  start: boolean;
}

/** The settle time is twice the SDKs' default metrics interval: a late or retried batch spans more than one. */
export const defaultPlanOptions: PlanOptions = { tickMs: 5_000, settleMs: 20_000, start: false };

/** The plan service, its scheduler and its routes, wired as createApp needs them. */
export function createPlans(
  deps: { db: Db; feed: ChangeFeed; flags: FlagService; metrics: CohortSource; logger: Logger },
  options: Partial<PlanOptions> = {},
) {
  const { tickMs, settleMs, start } = { ...defaultPlanOptions, ...options };
  const service = new PlanService(deps.db, deps.feed, deps.flags, deps.metrics, {
    settleMs,
    onTickError: (error, plan) => deps.logger.error({ err: error, ...plan }, "a rollout plan's tick failed"),
  });
  const scheduler = new PlanScheduler(service, tickMs, (error) => deps.logger.error({ err: error }, "the rollout plan scheduler failed"));
  if (start) scheduler.start();
  return { service, scheduler, routes: planRoutes(service, deps.flags) };
}

const PLAN = "/:key/environments/:env/plan";

export function planRoutes(plans: PlanService, flags: FlagService) {
  /**
   * Automation tokens only for flags and environments in their scope, checked before the body
   * is read: a token out of scope learns nothing from a 400 or a 404. Everyone else by role.
   */
  const allowFor = (role: "viewer" | "editor") =>
    createMiddleware<AppEnv>(async (c, next) => {
      const { key, env } = c.req.param() as { key: string; env: string };
      if (c.var.principal?.kind === "automation") requireFlagAction(c.var.principal, key, flags.findFlag(key), env);
      else requireRole(c.var.principal, role);
      await next();
    });
  const act =
    (action: "start" | "pause" | "resume" | "abort") =>
    (c: Context<AppEnv>, input: PlanActionInput) => {
      const { key, env } = c.req.param() as { key: string; env: string };
      const version = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(plans[action](key, env, { ...input, version }, actorFor(c)));
    };
  const start = act("start");
  const pause = act("pause");
  const resume = act("resume");
  const abort = act("abort");

  return new Hono<AppEnv>()
    .get(PLAN, allowFor("viewer"), (c) => c.json(plans.get(c.req.param("key"), c.req.param("env"))))
    .put(PLAN, allow("editor"), jsonBody(planInputSchema), (c) => {
      const input = c.req.valid("json");
      const expected = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(plans.put(c.req.param("key"), c.req.param("env"), input, expected, actorFor(c)));
    })
    .post(`${PLAN}/start`, allowFor("editor"), jsonBody(planActionInputSchema), (c) => start(c, c.req.valid("json")))
    .post(`${PLAN}/pause`, allowFor("editor"), jsonBody(planActionInputSchema), (c) => pause(c, c.req.valid("json")))
    .post(`${PLAN}/resume`, allowFor("editor"), jsonBody(planActionInputSchema), (c) => resume(c, c.req.valid("json")))
    .post(`${PLAN}/abort`, allowFor("editor"), jsonBody(planActionInputSchema), (c) => abort(c, c.req.valid("json")));
}
