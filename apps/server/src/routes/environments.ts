import { Hono } from "hono";
import { createEnvironmentInputSchema, createSegmentInputSchema, updateSegmentInputSchema } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import { actorOf, requireRole } from "../auth/principal.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody } from "../http/validate.js";
import { createEnvironment, listEnvironments } from "../services/environments.js";
import { expectedVersion } from "../services/flag-model.js";
import type { SegmentService } from "../services/segments.js";

export function environmentRoutes(db: Db, segments: SegmentService) {
  return new Hono<AppEnv>()
    .get("/", (c) => {
      requireRole(c.var.principal, "viewer");
      return c.json({ environments: listEnvironments(db) });
    })
    .post("/", jsonBody(createEnvironmentInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "admin");
      return c.json(createEnvironment(db, c.req.valid("json"), actorOf(principal)), 201);
    })
    .get("/:env/segments", (c) => {
      requireRole(c.var.principal, "viewer");
      return c.json({ segments: segments.list(c.req.param("env")) });
    })
    .post("/:env/segments", jsonBody(createSegmentInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      return c.json(segments.create(c.req.param("env"), c.req.valid("json"), actorOf(principal)), 201);
    })
    .get("/:env/segments/:key", (c) => {
      requireRole(c.var.principal, "viewer");
      return c.json(segments.get(c.req.param("env"), c.req.param("key")));
    })
    .patch("/:env/segments/:key", jsonBody(updateSegmentInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const input = c.req.valid("json");
      const expected = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(segments.update(c.req.param("env"), c.req.param("key"), input, expected, actorOf(principal)));
    })
    .delete("/:env/segments/:key", (c) => {
      const principal = requireRole(c.var.principal, "editor");
      const expected = expectedVersion(undefined, c.req.header("If-Match"));
      segments.delete(c.req.param("env"), c.req.param("key"), expected, actorOf(principal));
      return c.body(null, 204);
    });
}
