/** Tokens and SDK keys: created with their secret shown once, stored hashed, revoked at once. */
import type { CreatedCredentialView, CredentialView } from "@switchyard/core";
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { CreateCredentialInput } from "@switchyard/core/api-schema";
import type { Db } from "../db/open.js";
import { credentials, environments } from "../db/schema.js";
import { notFound } from "../errors.js";
import { recordChange, type Actor } from "../services/changes.js";
import { requireEnvironment } from "../services/environments.js";
import type { Principal } from "./principal.js";
import { digestsEqual, formatToken, parseToken, randomSecret, sha256 } from "./secrets.js";

type CredentialRow = typeof credentials.$inferSelect;

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function randomId(length = 16): string {
  return Array.from(randomBytes(length), (byte) => alphanumeric[byte % alphanumeric.length]).join("");
}

// Writing last-used on every SDK request would turn reads into writes; once a minute is enough.
const LAST_USED_RESOLUTION_MS = 60_000;

export function toCredentialView(row: CredentialRow, environmentKey: string | null): CredentialView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    environment: environmentKey,
    role: row.role,
    scope: row.scope,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
    revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt).toISOString(),
  };
}

export class CredentialService {
  constructor(
    private readonly db: Db,
    /** Called after a revocation commits, to end what the credential still has open (streams). */
    private readonly onRevoked: (credentialId: string) => void = () => {},
  ) {}

  list() {
    return this.db
      .select({ credential: credentials, environmentKey: environments.key })
      .from(credentials)
      .leftJoin(environments, eq(environments.id, credentials.environmentId))
      .orderBy(asc(credentials.createdAt))
      .all()
      .map(({ credential, environmentKey }) => toCredentialView(credential, environmentKey));
  }

  create(input: CreateCredentialInput, actor: Actor, now = Date.now()): CreatedCredentialView {
    return this.db.transaction((tx) => {
      const environment = "environment" in input ? requireEnvironment(tx, input.environment) : null;
      if (input.kind === "automation") for (const key of input.scope.environments) requireEnvironment(tx, key);
      const id = randomId();
      const secret = randomSecret();
      const [row] = tx
        .insert(credentials)
        .values({
          id,
          kind: input.kind,
          name: input.name,
          secretHash: sha256(secret),
          environmentId: environment?.id ?? null,
          role: input.kind === "admin" ? input.role : null,
          scope: input.kind === "automation" ? input.scope : null,
          createdBy: actor.name,
          createdAt: now,
        })
        .returning()
        .all();
      const view = toCredentialView(row!, environment?.key ?? null);
      recordChange(
        tx,
        { actor, action: "credential.create", resourceKind: "credential", resourceKey: id, environmentKey: environment?.key ?? null, before: null, after: view },
        [],
        now,
      );
      return { ...view, token: formatToken(input.kind, id, secret) };
    });
  }

  revoke(id: string, actor: Actor, now = Date.now()) {
    const revoked = this.db.transaction((tx) => {
      const row = tx.select().from(credentials).where(eq(credentials.id, id)).get();
      if (!row) throw notFound(`credential '${id}'`);
      const environmentKey = row.environmentId === null ? null : (tx.select().from(environments).where(eq(environments.id, row.environmentId)).get()?.key ?? null);
      const before = toCredentialView(row, environmentKey);
      if (row.revokedAt !== null) return before;
      const [revoked] = tx.update(credentials).set({ revokedAt: now }).where(eq(credentials.id, id)).returning().all();
      const after = toCredentialView(revoked!, environmentKey);
      recordChange(tx, { actor, action: "credential.revoke", resourceKind: "credential", resourceKey: id, environmentKey, before, after }, [], now);
      return after;
    });
    this.onRevoked(id);
    return revoked;
  }

  /** The principal a bearer token stands for, or null when it is unknown, revoked or malformed. */
  authenticate(token: string, now = Date.now()): Principal | null {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const row = this.activeRow(parsed.id);
    if (!row || row.kind !== parsed.kind) return null;
    if (!digestsEqual(sha256(parsed.secret), row.secretHash)) return null;
    return this.principalOf(row, now);
  }

  /**
   * The principal of a credential by its id alone, or null when it is unknown or revoked: for
   * capabilities derived from a credential and already verified by the caller (the OFREP event
   * stream's token), which must die with it.
   */
  authenticateById(id: string, now = Date.now()): Principal | null {
    const row = this.activeRow(id);
    return row ? this.principalOf(row, now) : null;
  }

  private activeRow(id: string): CredentialRow | undefined {
    const row = this.db.select().from(credentials).where(eq(credentials.id, id)).get();
    return row && row.revokedAt === null ? row : undefined;
  }

  private principalOf(row: CredentialRow, now: number): Principal | null {
    if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      this.db.update(credentials).set({ lastUsedAt: now }).where(eq(credentials.id, row.id)).run();
    }
    switch (row.kind) {
      case "admin":
        return { kind: "admin_token", credentialId: row.id, name: row.name, role: row.role ?? "viewer" };
      case "automation":
        return { kind: "automation", credentialId: row.id, name: row.name, scope: row.scope ?? { flags: [], tags: [], environments: [] } };
      case "server":
      case "client": {
        const environment = this.db.select().from(environments).where(eq(environments.id, row.environmentId ?? -1)).get();
        if (!environment) return null;
        const kind = row.kind === "server" ? "server_key" : "client_key";
        return { kind, credentialId: row.id, name: row.name, environmentId: environment.id, environmentKey: environment.key };
      }
    }
  }
}
