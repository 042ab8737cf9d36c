/**
 * Who is calling: resolved once per request from the session cookie or a bearer token, then
 * checked by the route's guard. No credential is 401; the wrong kind or too low a role is 403.
 */
import type { AutomationScope, Role } from "../db/schema.js";
import { forbidden, unauthenticated } from "../errors.js";
import type { Actor } from "../services/changes.js";

export type Principal =
  | { kind: "user"; userId: number; email: string; name: string; role: Role }
  | { kind: "admin_token"; credentialId: string; name: string; role: Role }
  | { kind: "server_key"; credentialId: string; name: string; environmentId: number; environmentKey: string }
  | { kind: "client_key"; credentialId: string; name: string; environmentId: number; environmentKey: string }
  | { kind: "automation"; credentialId: string; name: string; scope: AutomationScope };

const roleRank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case "user":
      return { kind: "user", id: String(principal.userId), name: principal.email };
    case "admin_token":
      return { kind: "admin_token", id: principal.credentialId, name: principal.name };
    case "automation":
      return { kind: "automation", id: principal.credentialId, name: principal.name };
    default:
      // SDK keys cannot write; a write reaching here is a guard bug, so refuse rather than misattribute.
      throw forbidden("SDK keys cannot change anything");
  }
}

/** A user or admin token with at least `role`. */
export function requireRole(principal: Principal | null, role: Role): Extract<Principal, { kind: "user" | "admin_token" }> {
  if (!principal) throw unauthenticated();
  if (principal.kind !== "user" && principal.kind !== "admin_token") throw forbidden(`this credential cannot use the admin API`);
  if (roleRank[principal.role] < roleRank[role]) throw forbidden(`requires the ${role} role; you have ${principal.role}`);
  return principal;
}

/**
 * Kill, unkill and plan actions: editors, or an automation token whose scope names the flag (by key
 * or tag) and the environment. `flag` is undefined when no such flag exists; a token that could
 * not act on it anyway is refused without learning that.
 */
export function requireFlagAction(principal: Principal | null, flagKey: string, flag: { tags: string[] } | undefined, environmentKey: string): void {
  if (principal?.kind !== "automation") {
    requireRole(principal, "editor");
    return;
  }
  const { scope } = principal;
  const flagInScope = scope.flags.includes(flagKey) || (flag?.tags.some((tag) => scope.tags.includes(tag)) ?? false);
  if (!flagInScope) throw forbidden(`automation token '${principal.name}' is not scoped to flag '${flagKey}'`);
  if (!scope.environments.includes(environmentKey)) {
    throw forbidden(`automation token '${principal.name}' is not scoped to environment '${environmentKey}'`);
  }
}

export function requireSdkKey(principal: Principal | null, kinds: readonly ("server_key" | "client_key")[]) {
  if (!principal) throw unauthenticated();
  if (principal.kind !== "server_key" && principal.kind !== "client_key") throw forbidden(`requires an SDK key`);
  if (!kinds.includes(principal.kind)) throw forbidden(`requires a ${kinds.join(" or ").replace(/_/g, " ")}`);
  return principal;
}
