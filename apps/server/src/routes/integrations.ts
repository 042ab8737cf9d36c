import { Hono } from "hono";
import { z } from "zod";
import { alertmanagerPayloadSchema } from "@switchyard/core/api-schema";
import type { AppEnv } from "../http/app-env.js";
import { allowFlagAction, principalOf } from "../http/guards.js";
import { jsonBody, queryParams } from "../http/validate.js";
import type { AlertmanagerReceiver } from "../services/alertmanager.js";

/** Options go on the receiver URL, since Alertmanager sends its own body and nothing else. */
const alertmanagerQuerySchema = z.strictObject({
  resolved: z.enum(["unkill", "keep"]).default("keep"),
});

/** Receivers for other systems' notifications: editors' credentials and automation tokens, scope checked per flag. */
export function integrationRoutes(alertmanager: AlertmanagerReceiver) {
  return new Hono<AppEnv>().post("/alertmanager", allowFlagAction, queryParams(alertmanagerQuerySchema), jsonBody(alertmanagerPayloadSchema), (c) =>
    c.json(alertmanager.receive(c.req.valid("json"), principalOf(c), { unkillResolved: c.req.valid("query").resolved === "unkill" })),
  );
}
