import { randomBytes } from "node:crypto";
import type { SwitchyardApp } from "./app.js";
import type { Db } from "./db/open.js";
import { systemActor } from "./services/changes.js";
import { ensureDefaultEnvironments } from "./services/environments.js";

export interface FirstStartResult {
  adminEmail: string;
  /** Set only when the password was generated and must be shown once. */
  generatedPassword?: string;
}

/** First start on an empty database: the default environments and the admin account. */
export async function bootstrap(
  db: Db,
  { services }: SwitchyardApp,
  admin: { email: string; password?: string },
): Promise<FirstStartResult | null> {
  ensureDefaultEnvironments(db, systemActor);
  if (!services.users.isEmpty()) return null;
  const generatedPassword = admin.password === undefined ? randomBytes(12).toString("base64url") : undefined;
  await services.users.create({ email: admin.email, password: admin.password ?? generatedPassword!, role: "admin", name: "Administrator" }, systemActor);
  return { adminEmail: admin.email, generatedPassword };
}
