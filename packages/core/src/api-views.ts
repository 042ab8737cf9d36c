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

/**
 * One committed write as the admin event stream (`GET /api/v1/events`, event `change`) carries
 * it: the audit entry's who, what and where, without its before and after.
 */
export type ChangeEventView = Pick<AuditEntryView, "at" | "actor" | "action" | "resourceKind" | "resourceKey" | "flag" | "environment"> & {
  auditId: number;
};

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

// ---------------------------------------------------------------------------------------------
// Rollout plans (`/api/v1/flags/{key}/environments/{env}/plan`).

export type PlanStateName = "draft" | "running" | "paused" | "completed" | "aborted" | "halted";

export interface PlanStepView {
  percent: number;
  holdSeconds: number;
}

export type PlanGuardView =
  | { metric: string; kind: "rate"; maxRatio?: number; maxAbsolute?: number; minSamples: number }
  | { metric: string; kind: "p95"; max: number; minSamples: number };

/** What a guard measured in one cohort over the step so far. */
export interface CohortNumbersView {
  /** Evaluations of the flag served to this cohort. */
  evaluations: number;
  /** `track` events of the guard's metric (for p95 guards: values reported). */
  events: number;
  /** events / evaluations (rate guards); null without evaluations. */
  rate: number | null;
  /** 95th percentile of the values, as bucketed (p95 guards); null without values. */
  p95: number | null;
}

export interface GuardStatusView {
  guard: PlanGuardView;
  /** `waiting`: a cohort has fewer than `minSamples` evaluations, so nothing is judged yet. */
  verdict: "pass" | "breach" | "waiting";
  /** Contexts served the plan's variant. */
  rollout: CohortNumbersView;
  /** Everyone else. */
  control: CohortNumbersView;
  /** The limit the rollout's rate or p95 was held to (a rate guard's tighter of maxAbsolute and maxRatio × control); null when not judged. */
  limit: number | null;
  /** Rate guards: the rollout's rate divided by the control's; null when undefined. */
  ratio: number | null;
  /** The verdict in words, with the numbers. */
  message: string;
}

/** Why a plan halted: the guard, its numbers per cohort and what the plan did about it. */
export interface PlanBreachView extends GuardStatusView {
  at: string;
  /** Index of the step that breached, and its percent. */
  step: number;
  percent: number;
  action: "kill" | "rollback";
  /** The window judged. */
  since: string;
  until: string;
}

/** A plan as stored (what audit entries hold as before/after). */
export interface RolloutPlanView {
  flag: string;
  environment: string;
  variant: string;
  steps: PlanStepView[];
  guards: PlanGuardView[];
  onBreach: "kill" | "rollback";
  state: PlanStateName;
  /** Index into `steps` of the step running, paused, or reached last. */
  currentStep: number;
  /** When the current step started or was last resumed; null unless running. */
  stepStartedAt: string | null;
  /** Hold served by the current step before its last pause. */
  heldMs: number;
  breach: PlanBreachView | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What the plan routes answer: the plan and, while it runs or is paused, where it stands. */
export interface RolloutPlanStatusView extends RolloutPlanView {
  live: PlanLiveView | null;
}

export interface PlanLiveView {
  /** When these numbers were taken. */
  at: string;
  percent: number;
  /** Hold served by the current step so far, of `holdMs`. */
  heldMs: number;
  holdMs: number;
  /** When the hold ends (running only); the step advances then if every guard passes. */
  nextStepAt: string | null;
  /** Each guard over the current step so far (running only). */
  guards: GuardStatusView[];
  /** Where the guards' numbers start: the first metrics window after the step settled (running only). */
  since: string | null;
  /** Why a step whose hold is over has not advanced, such as guards still waiting for samples. */
  waitingFor: string | null;
}

/** An outgoing webhook: every audit entry whose action matches `events` is POSTed, signed, to `url`. */
export interface WebhookView {
  id: string;
  url: string;
  description: string;
  /** Audit action prefixes (`flag.kill`, `flag.`), or `*` for all. */
  events: string[];
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
}

/** The answer to creating a webhook: the only time its signing secret is shown. */
export interface CreatedWebhookView extends WebhookView {
  secret: string;
}

export type WebhookDeliveryState = "pending" | "delivered" | "failed";

/** One change sent (or being sent) to one webhook, with how it went. */
export interface WebhookDeliveryView {
  id: number;
  webhookId: string;
  event: string;
  auditId: number;
  state: WebhookDeliveryState;
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status on the last attempt; null when it did not answer. */
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** The JSON body sent, exactly: the audit entry plus `event` and `deliveryId`. */
  payload: JsonValue;
}

export interface WebhookDeliveryPageView {
  deliveries: WebhookDeliveryView[];
  nextCursor: string | null;
}

/** What the Alertmanager receiver did with one alert. */
export type AlertOutcome =
  /** Firing: the flag was killed. */
  | "killed"
  /** Firing: the flag was killed already; nothing changed. */
  | "already_killed"
  /** Resolved, with `?resolved=unkill`: the kill this alert caused was undone. */
  | "unkilled"
  /** Resolved, but nothing to undo: not killed, or killed by something else. */
  | "kept"
  /** No `switchyard_flag` label, or resolved without `?resolved=unkill`. */
  | "ignored"
  /** The token is not scoped to the flag or environment (or the flag does not exist for it). */
  | "forbidden"
  /** No such flag or environment. */
  | "not_found";

export interface AlertResultView {
  fingerprint: string;
  alertname: string | null;
  status: "firing" | "resolved";
  flag: string | null;
  environment: string | null;
  outcome: AlertOutcome;
  message: string;
}

export interface AlertmanagerResultView {
  results: AlertResultView[];
}
