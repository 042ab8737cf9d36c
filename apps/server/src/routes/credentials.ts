import { Hono } from "hono";
import { createCredentialInputSchema, createUserInputSchema } from "@switchyard/core/api-schema";
import type { CredentialService } from "../auth/credentials.js";
import { actorOf, requireRole } from "../auth/principal.js";
import type { UserService } from "../auth/users.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody } from "../http/validate.js";

export function credentialRoutes(credentials: CredentialService) {
  return new Hono<AppEnv>()
    .get("/", (c) => {
      requireRole(c.var.principal, "admin");
      return c.json({ credentials: credentials.list() });
    })
    .post("/", jsonBody(createCredentialInputSchema), (c) => {
      const principal = requireRole(c.var.principal, "admin");
      // The only response that ever carries the secret.
      return c.json(credentials.create(c.req.valid("json"), actorOf(principal)), 201);
    })
    .post("/:id/revoke", (c) => {
      const principal = requireRole(c.var.principal, "admin");
      return c.json(credentials.revoke(c.req.param("id"), actorOf(principal)));
    });
}

export function userRoutes(users: UserService) {
  return new Hono<AppEnv>()
    .get("/", (c) => {
      requireRole(c.var.principal, "admin");
      return c.json({ users: users.list() });
    })
    .post("/", jsonBody(createUserInputSchema), async (c) => {
      const principal = requireRole(c.var.principal, "admin");
      return c.json(await users.create(c.req.valid("json"), actorOf(principal)), 201);
    });
}
