import type { MeView } from "@switchyard/core";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { loginInputSchema } from "@switchyard/core/api-schema";
import type { Principal } from "../auth/principal.js";
import { SESSION_TTL_MS, type UserService } from "../auth/users.js";
import { unauthenticated } from "../errors.js";
import type { AppEnv } from "../http/app-env.js";
import { jsonBody } from "../http/validate.js";

export const SESSION_COOKIE = "sy_session";

function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // no socket, as under app.request() in tests
  }
}

export function authRoutes(users: UserService, options: { secureCookies: boolean }) {
  return new Hono<AppEnv>()
    .post("/login", jsonBody(loginInputSchema), async (c) => {
      const { email, password } = c.req.valid("json");
      const { secret, user } = await users.login(email, password, clientAddress(c));
      setCookie(c, SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: "Strict",
        secure: options.secureCookies,
        path: "/",
        maxAge: SESSION_TTL_MS / 1000,
      });
      return c.json({ user });
    })
    .post("/logout", (c) => {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) users.logout(secret);
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      return c.body(null, 204);
    });
}

/** What the caller is, for the UI and for scripts checking their token. */
export function describePrincipal(principal: Principal | null): MeView {
  if (!principal) throw unauthenticated();
  switch (principal.kind) {
    case "user":
      return { kind: principal.kind, id: principal.userId, email: principal.email, name: principal.name, role: principal.role };
    case "admin_token":
      return { kind: principal.kind, id: principal.credentialId, name: principal.name, role: principal.role };
    case "automation":
      return { kind: principal.kind, id: principal.credentialId, name: principal.name, scope: principal.scope };
    default:
      return { kind: principal.kind, id: principal.credentialId, name: principal.name, environment: principal.environmentKey };
  }
}
