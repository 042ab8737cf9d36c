import { Hono } from "hono";
import { createEnvironmentInputSchema, createSegmentInputSchema, updateSegmentInputSchema } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow } from "../http/guards.js";
import { jsonBody } from "../http/validate.js";
import { createEnvironment, listEnvironments } from "../services/environments.js";
import { expectedVersion } from "../services/flag-model.js";
import type { SegmentService } from "../services/segments.js";

export function environmentRoutes(db: Db, segments: SegmentService) {
  return new Hono<AppEnv>()
    .get("/", allow("viewer"), (c) => c.json({ environments: listEnvironments(db) }))
    .post("/", allow("admin"), jsonBody(createEnvironmentInputSchema), (c) => c.json(createEnvironment(db, c.req.valid("json"), actorFor(c)), 201))
    .get("/:env/segments", allow("viewer"), (c) => c.json({ segments: segments.list(c.req.param("env")) }))
    .post("/:env/segments", allow("editor"), jsonBody(createSegmentInputSchema), (c) =>
      c.json(segments.create(c.req.param("env"), c.req.valid("json"), actorFor(c)), 201),
    )
    .get("/:env/segments/:key", allow("viewer"), (c) => c.json(segments.get(c.req.param("env"), c.req.param("key"))))
    .patch("/:env/segments/:key", allow("editor"), jsonBody(updateSegmentInputSchema), (c) => {
      const input = c.req.valid("json");
      const expected = expectedVersion(input.version, c.req.header("If-Match"));
      return c.json(segments.update(c.req.param("env"), c.req.param("key"), input, expected, actorFor(c)));
    })
    .delete("/:env/segments/:key", allow("editor"), (c) => {
      const expected = expectedVersion(undefined, c.req.header("If-Match"));
      segments.delete(c.req.param("env"), c.req.param("key"), expected, actorFor(c));
      return c.body(null, 204);
    });
}
