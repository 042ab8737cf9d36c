/** What SDKs call: the snapshot for server SDKs, evaluated values for browsers. */
import { Hono } from "hono";
import type { EvaluationResult } from "@switchyard/core";
import { evaluateInputSchema } from "@switchyard/core/api-schema";
import { requireSdkKey } from "../auth/principal.js";
import { notFound } from "../errors.js";
import type { AppEnv } from "../http/app-env.js";
import { allowSdk } from "../http/guards.js";
import { jsonBody } from "../http/validate.js";
import type { SeenContexts } from "../services/seen-contexts.js";
import type { SnapshotCache } from "../services/snapshots.js";
import { evaluateFor, visibleTo } from "../services/visibility.js";

/** Client keys are public: they only ever see flags marked visible to browsers. */
export function sdkRoutes(snapshots: SnapshotCache, seenContexts: SeenContexts) {
  return new Hono<AppEnv>()
    .get("/flags", allowSdk("server_key"), (c) => {
      const key = requireSdkKey(c.var.principal, ["server_key"]);
      const { body, etag } = snapshots.get(key.environmentKey);
      c.header("ETag", etag);
      c.header("Cache-Control", "no-cache");
      if (c.req.header("If-None-Match") === etag) return c.body(null, 304);
      c.header("Content-Type", "application/json");
      return c.body(body);
    })
    .post("/evaluate", allowSdk("client_key", "server_key"), jsonBody(evaluateInputSchema), (c) => {
      const key = requireSdkKey(c.var.principal, ["client_key", "server_key"]);
      const { context, key: flagKey } = c.req.valid("json");
      seenContexts.record(key.environmentId, context);
      const { snapshot, compiled } = snapshots.get(key.environmentKey);
      if (flagKey !== undefined) {
        const flag = compiled.get(flagKey);
        if (!visibleTo(key, flag)) throw notFound(`flag '${flagKey}'`);
        return c.json({ key: flagKey, ...evaluateFor(key.kind, flag, context) });
      }
      const flags: Record<string, EvaluationResult> = {};
      for (const flag of compiled.values()) if (visibleTo(key, flag)) flags[flag.key] = evaluateFor(key.kind, flag, context);
      return c.json({ environment: snapshot.environment, revision: snapshot.revision, flags });
    });
}
