/** People who use the UI: accounts with a role, and cookie sessions. */
import type { UserView } from "@switchyard/core";
import { asc, eq, lt } from "drizzle-orm";
import type { CreateUserInput } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import { sessions, users } from "../db/schema.js";
import { ApiError, unauthenticated } from "../errors.js";
import { recordChange, type Actor } from "../services/changes.js";
import type { Principal } from "./principal.js";
import { LoginThrottle } from "./login-throttle.js";
import { hashPassword, randomSecret, sha256, verifyPassword } from "./secrets.js";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
type UserRow = typeof users.$inferSelect;

export function toUserView(row: UserRow): UserView {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: new Date(row.createdAt).toISOString() };
}

export class UserService {
  private readonly throttle = new LoginThrottle();

  constructor(private readonly db: Db) {}

  list() {
    return this.db.select().from(users).orderBy(asc(users.id)).all().map(toUserView);
  }

  isEmpty(): boolean {
    return this.db.select({ id: users.id }).from(users).limit(1).get() === undefined;
  }

  async create(input: CreateUserInput, actor: Actor, now = Date.now()) {
    const email = input.email.toLowerCase();
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction((tx) => {
      if (tx.select({ id: users.id }).from(users).where(eq(users.email, email)).get()) {
        throw new ApiError("conflict", `a user with email '${email}' already exists`, [{ path: "email", message: "is already taken" }]);
      }
      const [row] = tx
        .insert(users)
        .values({ email, name: input.name ?? email, passwordHash, role: input.role, createdAt: now })
        .returning()
        .all();
      const view = toUserView(row!);
      recordChange(tx, { actor, action: "user.create", resourceKind: "user", resourceKey: email, before: null, after: view }, [], now);
      return view;
    });
  }

  /** Returns the session secret for the cookie; only its digest is stored. */
  async login(email: string, password: string, clientAddress: string, now = Date.now()) {
    const normalized = email.trim().toLowerCase();
    const attempt = this.throttle.begin(clientAddress, normalized, now);
    const user = this.db.select().from(users).where(eq(users.email, normalized)).get();
    const valid = await verifyPassword(password, user?.passwordHash);
    if (!user || !valid) throw unauthenticated("email or password is wrong");
    this.throttle.succeeded(attempt);
    const secret = randomSecret();
    this.db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
    this.db.insert(sessions).values({ tokenHash: sha256(secret), userId: user.id, createdAt: now, expiresAt: now + SESSION_TTL_MS }).run();
    return { secret, user: toUserView(user) };
  }

  logout(secret: string) {
    this.db.delete(sessions).where(eq(sessions.tokenHash, sha256(secret))).run();
  }

  authenticate(secret: string, now = Date.now()): Principal | null {
    const found = this.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.tokenHash, sha256(secret)))
      .get();
    if (!found || found.session.expiresAt <= now) return null;
    const { user } = found;
    return { kind: "user", userId: user.id, email: user.email, name: user.name, role: user.role };
  }
}
