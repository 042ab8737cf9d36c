import { Hono } from "hono";
import { z } from "zod";
import { createEnvironmentInputSchema, createSegmentInputSchema, updateSegmentInputSchema } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow } from "../http/guards.js";
import { jsonBody, queryParams } from "../http/validate.js";
import type { ChangeFeed } from "../services/changes.js";
import { createEnvironment, listEnvironments, requireEnvironment } from "../services/environments.js";
import { expectedVersion } from "../services/flag-model.js";
import type { SegmentService } from "../services/segments.js";
import type { SeenContexts } from "../services/seen-contexts.js";

const seenContextsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(1000) });

export function environmentRoutes(db: Db, feed: ChangeFeed, segments: SegmentService, seenContexts: SeenContexts) {
  return new Hono<AppEnv>()
    .get("/", allow("viewer"), (c) => c.json({ environments: listEnvironments(db) }))
    .post("/", allow("admin"), jsonBody(createEnvironmentInputSchema), (c) => {
      const { view, commit } = createEnvironment(db, c.req.valid("json"), actorFor(c));
      feed.publish(commit);
      return c.json(view, 201);
    })
    .get("/:env/contexts", allow("viewer"), queryParams(seenContextsQuerySchema), (c) => {
      const environment = requireEnvironment(db, c.req.param("env"));
      return c.json({ contexts: seenContexts.list(environment.id, c.req.valid("query").limit) });
    })
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
