/**
 * Route guards as middleware, placed before body validation so an unauthorised caller learns
 * nothing from validation errors or 404s.
 */
import { createMiddleware } from "hono/factory";
import { actorOf, requireRole, requireSdkKey, type Principal } from "../auth/principal.js";
import type { Role } from "../db/schema.js";
import { unauthenticated } from "../errors.js";
import type { Actor } from "../services/changes.js";
import type { AppEnv } from "./app-env.js";

export const allow = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    requireRole(c.var.principal, role);
    await next();
  });

/** Kill, unkill and plan actions: editors and automation tokens; the flag's scope is checked in the route. */
export const allowFlagAction = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.principal?.kind !== "automation") requireRole(c.var.principal, "editor");
  await next();
});

export const allowSdk = (...kinds: ("server_key" | "client_key")[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    requireSdkKey(c.var.principal, kinds);
    await next();
  });

/** The authenticated caller of a guarded route. */
export function principalOf(c: { var: { principal: Principal | null } }): Principal {
  if (!c.var.principal) throw unauthenticated();
  return c.var.principal;
}

export function actorFor(c: { var: { principal: Principal | null } }): Actor {
  return actorOf(principalOf(c));
}
