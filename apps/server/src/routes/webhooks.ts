import { Hono } from "hono";
import { z } from "zod";
import { createWebhookInputSchema } from "@switchyard/core/api-schema";
import { deliveryStates } from "../db/schema.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow } from "../http/guards.js";
import { jsonBody, queryParams } from "../http/validate.js";
import type { WebhookService } from "../services/webhooks.js";

const deliveriesQuerySchema = z.strictObject({
  state: z.enum(deliveryStates).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});

/** Outgoing webhooks: admins only, since a webhook sends every change to an address of its choosing. */
export function webhookRoutes(webhooks: WebhookService) {
  return new Hono<AppEnv>()
    .get("/", allow("admin"), (c) => c.json({ webhooks: webhooks.list() }))
    // The only response that ever carries the signing secret.
    .post("/", allow("admin"), jsonBody(createWebhookInputSchema), (c) => c.json(webhooks.create(c.req.valid("json"), actorFor(c)), 201))
    // Disables rather than deletes: the delivery log stays readable.
    .delete("/:id", allow("admin"), (c) => c.json(webhooks.disable(c.req.param("id"), actorFor(c))))
    .post("/:id/test", allow("admin"), (c) => c.json(webhooks.test(c.req.param("id"), actorFor(c)), 202))
    .get("/:id/deliveries", allow("admin"), queryParams(deliveriesQuerySchema), (c) => {
      const { cursor, ...filter } = c.req.valid("query");
      return c.json(webhooks.deliveries(c.req.param("id"), { ...filter, before: cursor }));
    });
}
