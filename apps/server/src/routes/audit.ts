import { Hono } from "hono";
import { z } from "zod";
import type { Db } from "../db/open.js";
import type { AppEnv } from "../http/app-env.js";
import { allow } from "../http/guards.js";
import { queryParams } from "../http/validate.js";
import { queryAudit } from "../services/audit.js";

const instant = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 date-time" })
  .transform((value) => Date.parse(value));

const auditQuerySchema = z.strictObject({
  flag: z.string().max(128).optional(),
  environment: z.string().max(128).optional(),
  actor: z.string().max(320).optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});

export function auditRoutes(db: Db) {
  return new Hono<AppEnv>().get("/", allow("viewer"), queryParams(auditQuerySchema), (c) => {
    const { cursor, ...filter } = c.req.valid("query");
    return c.json(queryAudit(db, { ...filter, before: cursor }));
  });
}
