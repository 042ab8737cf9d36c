/**
 * What the admin API answers, as types only: the server declares its views with them and the
 * UI and CLI read them, so a change to a response shape fails to compile on both sides.
 */
import type { RoleName } from "./api-schema.js";
import type { Clause, FlagKind, JsonValue, Rule, Serve, Target, Variant } from "./schema.js";

export type ActorKind = "user" | "admin_token" | "automation" | "system";
export type CredentialKind = "admin" | "server" | "client" | "automation";

export interface ActorView {
  kind: ActorKind;
  id: string;
  /** A user's email, or a token's name. */
  name: string;
}

export interface FlagConfigView {
  environment: string;
  enabled: boolean;
  killed: boolean;
  killReason: string | null;
  killedBy: string | null;
  killedAt: string | null;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  offVariant: string;
  /** Overrides the flag's clientVisible in this environment when not null. */
  clientVisible: boolean | null;
  version: number;
  updatedAt: string;
}

export interface FlagView {
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  variants: Variant[];
  tags: string[];
  clientVisible: boolean;
  salt: string;
  archived: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  environments: Record<string, FlagConfigView>;
}

export interface FlagListView {
  flags: FlagView[];
  nextCursor: string | null;
}

export interface SegmentView {
  key: string;
  name: string;
  description: string;
  included: string[];
  excluded: string[];
  clauses: Clause[];
  version: number;
  environment: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnvironmentView {
  key: string;
  name: string;
  revision: number;
  createdAt: string;
}

export interface AutomationScopeView {
  flags: string[];
  tags: string[];
  environments: string[];
}

export interface CredentialView {
  id: string;
  kind: CredentialKind;
  name: string;
  environment: string | null;
  role: RoleName | null;
  scope: AutomationScopeView | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Answer to creating a credential: the only time its secret is shown. */
export interface CreatedCredentialView extends CredentialView {
  token: string;
}

export interface UserView {
  id: number;
  email: string;
  name: string;
  role: RoleName;
  createdAt: string;
}

export type MeView =
  | { kind: "user"; id: number; email: string; name: string; role: RoleName }
  | { kind: "admin_token"; id: string; name: string; role: RoleName }
  | { kind: "automation"; id: string; name: string; scope: AutomationScopeView }
  | { kind: "server_key" | "client_key"; id: string; name: string; environment: string };

export interface AuditEntryView {
  id: number;
  at: string;
  actor: ActorView;
  action: string;
  resourceKind: string;
  resourceKey: string;
  flag: string | null;
  environment: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  reason: string | null;
  /** What caused a machine's write: the alert that fired, the guard's measured numbers. */
  details: JsonValue | null;
}

export interface AuditPageView {
  entries: AuditEntryView[];
  nextCursor: string | null;
}

/** One committed write as the admin event stream (`GET /api/v1/events`, event `change`) carries it. */
export interface ChangeEventView {
  auditId: number;
  at: string;
  actor: ActorView;
  /** `flag.kill`, `flag.config.update`, `segment.update`, … as in the audit log. */
  action: string;
  /** `flag`, `flag_config`, `segment`, `environment`, `credential`, `user`. */
  resourceKind: string;
  resourceKey: string;
  flag: string | null;
  environment: string | null;
}

/** A context an SDK or browser recently evaluated with, for rollout previews. */
export interface SeenContextView {
  key: string;
  context: Record<string, JsonValue>;
  lastSeen: string;
}

export interface ErrorBodyView {
  error: {
    code: string;
    message: string;
    /** Each field the request got wrong, by path (`rules[0].clauses[1].values`). */
    issues: { path: string; message: string }[];
    /** For conflicts: what is there now. */
    current?: unknown;
  };
}
