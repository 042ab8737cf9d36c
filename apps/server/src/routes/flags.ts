import { Hono } from "hono";
import { z } from "zod";
import { keySchema } from "@switchyard/core/schema";
import {
  createFlagInputSchema,
  killInputSchema,
  rolloutInputSchema,
  updateFlagConfigInputSchema,
  updateFlagInputSchema,
} from "@switchyard/core/api-schema";
import { actorOf, requireFlagAction, requireRole } from "../auth/principal.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody, queryParams } from "../http/validate.js";
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

export function flagRoutes(flags: FlagService) {
  return new Hono<AppEnv>()
    .get("/", queryParams(listQuerySchema), (c) => {
      requireRole(c.var.principal, "viewer");
      const query = c.req.valid("query");
      return c.json(
        flags.list({ q: query.q, tag: query.tag, archived: query.archived === "true", limit: query.limit, after: query.cursor }),
      );
    })
    .post("/", jsonBody(createFlagInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      return c.json(flags.create(c.req.valid("json"), actorOf(principal)), 201);
    })
    .get("/:key", (c) => {
      requireRole(c.var.principal, "viewer");
      return c.json(flags.get(c.req.param("key")));
    })
    .patch("/:key", jsonBody(updateFlagInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const input = c.req.valid("json");
      return c.json(flags.update(c.req.param("key"), input, expectedVersion(input.version, c.req.header("If-Match")), actorOf(principal)));
    })
    .post("/:key/archive", jsonBody(versionOnlySchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const expected = expectedVersion(c.req.valid("json").version, c.req.header("If-Match"));
      return c.json(flags.setArchived(c.req.param("key"), true, expected, actorOf(principal)));
    })
    .post("/:key/unarchive", jsonBody(versionOnlySchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const expected = expectedVersion(c.req.valid("json").version, c.req.header("If-Match"));
      return c.json(flags.setArchived(c.req.param("key"), false, expected, actorOf(principal)));
    })
    .get("/:key/environments/:env", (c) => {
      requireRole(c.var.principal, "viewer");
      return c.json(flags.getConfig(c.req.param("key"), c.req.param("env")));
    })
    .patch("/:key/environments/:env", jsonBody(updateFlagConfigInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const input = c.req.valid("json");
      const expected = expectedVersion(input.version, c.req.header("If-Match"));
      const { config } = flags.updateConfig(c.req.param("key"), c.req.param("env"), input, expected, actorOf(principal));
      return c.json(config);
    })
    .post("/:key/environments/:env/kill", jsonBody(killInputSchema), (c) => {
      const { key, env } = c.req.param();
      const principal = requireFlagAction(c.var.principal, flags.requireFlag(key), env);
      const input = c.req.valid("json");
      const result = flags.kill(key, env, { ...input, version: expectedVersion(input.version, c.req.header("If-Match")) }, actorOf(principal));
      return c.json(result);
    })
    .post("/:key/environments/:env/unkill", jsonBody(killInputSchema), (c) => {
      const { key, env } = c.req.param();
      const principal = requireFlagAction(c.var.principal, flags.requireFlag(key), env);
      const input = c.req.valid("json");
      const result = flags.unkill(key, env, { ...input, version: expectedVersion(input.version, c.req.header("If-Match")) }, actorOf(principal));
      return c.json(result);
    })
    .post("/:key/environments/:env/rollout", jsonBody(rolloutInputSchema), (c) => {
      const { key, env } = c.req.param();
      const principal = requireFlagAction(c.var.principal, flags.requireFlag(key), env);
      const input = c.req.valid("json");
      const result = flags.setRollout(key, env, { ...input, version: expectedVersion(input.version, c.req.header("If-Match")) }, actorOf(principal));
      return c.json(result);
    });
}
