import { Hono, type Context } from "hono";
import { z } from "zod";
import { keySchema } from "@switchyard/core/schema";
import {
  createFlagInputSchema,
  killInputSchema,
  rolloutInputSchema,
  updateFlagConfigInputSchema,
  updateFlagInputSchema,
} from "@switchyard/core/api-schema";
import { requireFlagAction } from "../auth/principal.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow, allowFlagAction } from "../http/guards.js";
import { jsonBody, queryParams } from "../http/validate.js";
import type { Actor } from "../services/changes.js";
import { expectedVersion } from "../services/flag-model.js";
import type { FlagService } from "../services/flags.js";

const listQuerySchema = z.strictObject({
  q: z.string().max(200).optional(),
  tag: keySchema.optional(),
  archived: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: keySchema.optional(),
});

const versionOnlySchema = z.strictObject({ version: z.number().int().min(1).optional() });

type FlagAction<Input> = (key: string, environment: string, input: Input, actor: Actor) => unknown;

export function flagRoutes(flags: FlagService) {
  /** Kill, unkill and rollout share their checks: scope, then the version named, then the action. */
  const flagAction =
    <Input extends { version?: number }>(action: FlagAction<Input>) =>
    (c: Context<AppEnv>, input: Input) => {
      const { key, env } = c.req.param() as { key: string; env: string };
      requireFlagAction(c.var.principal, key, flags.findFlag(key), env);
      const version = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(action(key, env, { ...input, version }, actorFor(c)));
    };
  const kill = flagAction(flags.kill.bind(flags));
  const unkill = flagAction(flags.unkill.bind(flags));
  const rollout = flagAction(flags.setRollout.bind(flags));

  return new Hono<AppEnv>()
    .get("/", allow("viewer"), queryParams(listQuerySchema), (c) => {
      const query = c.req.valid("query");
      return c.json(
        flags.list({ q: query.q, tag: query.tag, archived: query.archived === "true", limit: query.limit, after: query.cursor }),
      );
    })
    .post("/", allow("editor"), jsonBody(createFlagInputSchema), (c) => c.json(flags.create(c.req.valid("json"), actorFor(c)), 201))
    .get("/:key", allow("viewer"), (c) => c.json(flags.get(c.req.param("key"))))
    .patch("/:key", allow("editor"), jsonBody(updateFlagInputSchema), (c) => {
      const input = c.req.valid("json");
      return c.json(flags.update(c.req.param("key"), input, expectedVersion(input.version, c.req.header("If-Match")), actorFor(c)));
    })
    .post("/:key/archive", allow("editor"), jsonBody(versionOnlySchema), (c) => {
      const expected = expectedVersion(c.req.valid("json").version, c.req.header("If-Match"));
      return c.json(flags.setArchived(c.req.param("key"), true, expected, actorFor(c)));
    })
    .post("/:key/unarchive", allow("editor"), jsonBody(versionOnlySchema), (c) => {
      const expected = expectedVersion(c.req.valid("json").version, c.req.header("If-Match"));
      return c.json(flags.setArchived(c.req.param("key"), false, expected, actorFor(c)));
    })
    .get("/:key/environments/:env", allow("viewer"), (c) => c.json(flags.getConfig(c.req.param("key"), c.req.param("env"))))
    .patch("/:key/environments/:env", allow("editor"), jsonBody(updateFlagConfigInputSchema), (c) => {
      const input = c.req.valid("json");
      const expected = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(flags.updateConfig(c.req.param("key"), c.req.param("env"), input, expected, actorFor(c)).config);
    })
    .post("/:key/environments/:env/kill", allowFlagAction, jsonBody(killInputSchema), (c) => kill(c, c.req.valid("json")))
    .post("/:key/environments/:env/unkill", allowFlagAction, jsonBody(killInputSchema), (c) => unkill(c, c.req.valid("json")))
    // Automation moves rollouts only through plans, whose guards watch each step.
    .post("/:key/environments/:env/rollout", allow("editor"), jsonBody(rolloutInputSchema), (c) => rollout(c, c.req.valid("json")));
}
