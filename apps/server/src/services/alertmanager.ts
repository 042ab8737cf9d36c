/**
 * Prometheus Alertmanager as a kill switch: each firing alert labelled `switchyard_flag` (and
 * `switchyard_env`, production by default) kills that flag, the alert kept in the audit entry.
 * A resolved alert undoes only the kill it caused itself, and only when the receiver asks for it.
 *
 * Alertmanager retries a notification that fails, and repeats it while the alert fires, so
 * everything here is idempotent, and what cannot succeed on a retry (a flag outside the token's
 * scope) is answered per alert with 200 rather than as an error.
 */
import type { AlertmanagerResultView, AlertOutcome, AlertResultView, JsonValue } from "@switchyard/core";
import type { AlertmanagerAlert, AlertmanagerPayload } from "@switchyard/core/api-schema";
import { and, desc, eq } from "drizzle-orm";
import type { Logger } from "pino";
import { actorOf, requireFlagAction, type Principal } from "../auth/principal.js";
import type { Db } from "../db/open.js";
import { auditLog } from "../db/schema.js";
import { ApiError } from "../errors.js";
import type { FlagService } from "./flags.js";

export const FLAG_LABEL = "switchyard_flag";
export const ENVIRONMENT_LABEL = "switchyard_env";
export const DEFAULT_ENVIRONMENT = "production";
const MAX_REASON = 1000;

export interface ReceiveOptions {
  /** `?resolved=unkill`: a resolved alert undoes the kill it caused. */
  unkillResolved: boolean;
}

export class AlertmanagerReceiver {
  constructor(
    private readonly db: Db,
    private readonly flags: FlagService,
    private readonly logger: Logger,
  ) {}

  /** The alerts in payload order; a grouped payload may name the same flag twice, and the second finds it killed. */
  receive(payload: AlertmanagerPayload, principal: Principal, options: ReceiveOptions): AlertmanagerResultView {
    return { results: payload.alerts.map((alert) => this.handle(alert, principal, options)) };
  }

  private handle(alert: AlertmanagerAlert, principal: Principal, options: ReceiveOptions): AlertResultView {
    const flag = alert.labels[FLAG_LABEL]?.trim() || null;
    const environment = flag === null ? null : alert.labels[ENVIRONMENT_LABEL]?.trim() || DEFAULT_ENVIRONMENT;
    const alertname = alert.labels.alertname ?? null;
    const result = (outcome: AlertOutcome, message: string): AlertResultView => ({
      fingerprint: alert.fingerprint,
      alertname,
      status: alert.status,
      flag,
      environment,
      outcome,
      message,
    });
    if (flag === null || environment === null) return result("ignored", `no ${FLAG_LABEL} label`);
    if (alert.status === "resolved" && !options.unkillResolved) {
      return result("ignored", "resolved alerts unkill only when the receiver URL has ?resolved=unkill");
    }
    try {
      requireFlagAction(principal, flag, this.flags.findFlag(flag), environment);
      const actor = actorOf(principal);
      const details = alertDetails(alert);
      if (alert.status === "firing") {
        const { changed } = this.flags.kill(flag, environment, { reason: killReason(alert) }, actor, { details });
        if (changed) this.logger.info({ flag, environment, alertname, fingerprint: alert.fingerprint, actor: actor.name }, "alertmanager killed a flag");
        return changed ? result("killed", `killed '${flag}' in ${environment}`) : result("already_killed", `'${flag}' was already killed in ${environment}`);
      }
      // The check and the unkill run in one synchronous stretch: no other write can come between them.
      if (!this.killedBy(flag, environment, alert.fingerprint)) {
        return result("kept", `'${flag}' in ${environment} is not killed by this alert; left as it is`);
      }
      this.flags.unkill(flag, environment, { reason: `Alertmanager: ${alertname ?? "unnamed alert"}: resolved` }, actor, { details });
      this.logger.info({ flag, environment, alertname, fingerprint: alert.fingerprint, actor: actor.name }, "alertmanager unkilled a flag");
      return result("unkilled", `unkilled '${flag}' in ${environment}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === "forbidden") {
        // Retrying cannot help, so it is not an error status; but someone has a receiver misconfigured.
        this.logger.warn({ flag, environment, alertname, fingerprint: alert.fingerprint, reason: error.message }, "alertmanager alert refused");
        return result("forbidden", error.message);
      }
      if (error.code === "not_found") return result("not_found", error.message);
      throw error;
    }
  }

  /** Whether the flag is killed, and the kill that did it came from this alert. */
  private killedBy(flag: string, environment: string, fingerprint: string): boolean {
    if (!this.flags.getConfig(flag, environment).killed) return false;
    // Repeated kills record nothing, so the newest kill entry is the kill in force.
    const kill = this.db
      .select({ details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.flagKey, flag), eq(auditLog.environmentKey, environment), eq(auditLog.action, "flag.kill")))
      .orderBy(desc(auditLog.id))
      .limit(1)
      .get();
    return (kill?.details as { fingerprint?: unknown } | null | undefined)?.fingerprint === fingerprint;
  }
}

/** `Alertmanager: <alertname>: <summary>`, as the kill's reason shows in the UI and to SDKs. */
export function killReason(alert: AlertmanagerAlert): string {
  const summary = alert.annotations.summary?.trim();
  const reason = `Alertmanager: ${alert.labels.alertname ?? "unnamed alert"}${summary ? `: ${summary}` : ""}`;
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}

/** What the audit entry keeps of the alert. */
function alertDetails(alert: AlertmanagerAlert): JsonValue {
  const { status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint } = alert;
  return { source: "alertmanager", status, labels, annotations, startsAt, endsAt: endsAt ?? null, generatorURL, fingerprint };
}
