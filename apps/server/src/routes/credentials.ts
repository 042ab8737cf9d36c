import { Hono } from "hono";
import { createCredentialInputSchema, createUserInputSchema } from "@switchyard/core/api-schema";
import type { CredentialService } from "../auth/credentials.js";
import type { UserService } from "../auth/users.js";
import type { AppEnv } from "../http/app-env.js";
import { actorFor, allow } from "../http/guards.js";
import { jsonBody } from "../http/validate.js";

export function credentialRoutes(credentials: CredentialService) {
  return new Hono<AppEnv>()
    .get("/", allow("admin"), (c) => c.json({ credentials: credentials.list() }))
    // The only response that ever carries the secret.
    .post("/", allow("admin"), jsonBody(createCredentialInputSchema), (c) => c.json(credentials.create(c.req.valid("json"), actorFor(c)), 201))
    .post("/:id/revoke", allow("admin"), (c) => c.json(credentials.revoke(c.req.param("id"), actorFor(c))));
}

export function userRoutes(users: UserService) {
  return new Hono<AppEnv>()
    .get("/", allow("admin"), (c) => c.json({ users: users.list() }))
    .post("/", allow("admin"), jsonBody(createUserInputSchema), async (c) => c.json(await users.create(c.req.valid("json"), actorFor(c)), 201));
}
