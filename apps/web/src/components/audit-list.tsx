/**
 * Audit entries, newest first, with "Load older" paging: who did what to which flag, why, what
 * caused it (an alert, a guard's numbers), and the exact change. The audit page filters it; the flag page embeds it for one flag.
 */
import { useEffect, useRef, useState, type Ref } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import type { ActorKind, AuditEntryView } from "@switchyard/core";
import { enc } from "../api";
import { auditQuery, type AuditFilter } from "../queries";
import { RelativeTime } from "../time";
import { AuditDetails } from "./audit-details";
import { Diff } from "./diff";
import { Empty, LoadError, QueryState } from "./feedback";
import "./audit-list.css";

/** Every action the server records (apps/server/src/services, src/auth), in words. */
const actionWords: Record<string, string> = {
  "flag.create": "created flag",
  "flag.update": "edited details",
  "flag.archive": "archived",
  "flag.unarchive": "unarchived",
  "flag.config.update": "changed configuration",
  "flag.kill": "killed",
  "flag.unkill": "unkilled",
  "flag.rollout": "set rollout",
  "segment.create": "created segment",
  "segment.update": "changed segment",
  "segment.delete": "deleted segment",
  "environment.create": "created environment",
  "credential.create": "created credential",
  "credential.revoke": "revoked credential",
  "user.create": "created user",
  "plan.create": "defined rollout plan",
  "plan.update": "changed rollout plan",
  "plan.start": "started rollout plan",
  "plan.pause": "paused rollout plan",
  "plan.resume": "resumed rollout plan",
  "plan.abort": "aborted rollout plan",
  "plan.advance": "advanced rollout plan",
  "plan.complete": "completed rollout plan",
  "plan.halt": "halted rollout plan",
  "webhook.create": "created webhook",
  "webhook.disable": "disabled webhook",
};

/** Entries whose reason is an alarm: shown in red. */
const alarming = new Set(["flag.kill", "plan.halt"]);

/** An action in words; one the UI does not know yet is shown as recorded. */
export function describeAction(action: string): string {
  return actionWords[action] ?? action;
}

const actorKindLabels: Record<ActorKind, string> = { user: "user", admin_token: "token", automation: "automation", system: "system" };

export interface AuditListProps {
  flag?: string;
  environment?: string;
  /** A user's email or a token's name, exactly. */
  actor?: string;
  /** Tighter, and leaves out the flag or environment already named by the filter. */
  compact?: boolean;
}

interface ListContext {
  filter: Omit<AuditFilter, "cursor">;
  props: AuditListProps;
}

export function AuditList(props: AuditListProps) {
  const filter = { flag: props.flag || undefined, environment: props.environment || undefined, actor: props.actor || undefined };
  const signature = JSON.stringify(filter);
  // How many pages are open, for this filter: another filter starts again from the newest.
  const [paging, setPaging] = useState({ signature, pages: 1 });
  const pages = paging.signature === signature ? paging.pages : 1;
  const loadOlder = () => setPaging({ signature, pages: pages + 1 });
  const context: ListContext = { filter, props };
  const first = useQuery(auditQuery(filter));
  const filtered = filter.flag !== undefined || filter.environment !== undefined || filter.actor !== undefined;

  return (
    <QueryState query={first} what="the audit log">
      {(page) =>
        page.entries.length === 0 ? (
          <Empty>{filtered ? "No audit entries match." : "Nothing has been recorded yet."}</Empty>
        ) : (
          <ol className={`audit-list${props.compact ? " compact" : ""}`} aria-label="Audit entries, newest first">
            <Entries entries={page.entries} context={context} />
            <OlderPages cursor={page.nextCursor} remaining={pages - 1} onLoadOlder={loadOlder} context={context} />
          </ol>
        )
      }
    </QueryState>
  );
}

/**
 * Page n+1 follows page n's current cursor, so when new entries push older ones off the first
 * page, the following pages move with them and nothing falls between two pages.
 */
function OlderPages({ cursor, remaining, onLoadOlder, context }: { cursor: string | null; remaining: number; onLoadOlder: () => void; context: ListContext }) {
  if (cursor === null) return null;
  if (remaining === 0) {
    return (
      <li className="audit-more">
        <button type="button" onClick={onLoadOlder}>
          Load older entries
        </button>
      </li>
    );
  }
  return <OlderPage cursor={cursor} remaining={remaining} onLoadOlder={onLoadOlder} context={context} />;
}

function OlderPage({ cursor, remaining, onLoadOlder, context }: { cursor: string; remaining: number; onLoadOlder: () => void; context: ListContext }) {
  const page = useQuery({ ...auditQuery({ ...context.filter, cursor }), placeholderData: keepPreviousData });
  if (page.isPending) {
    return (
      <li className="audit-more" role="status">
        Loading older entries…
      </li>
    );
  }
  if (page.data === undefined) {
    return (
      <li className="audit-more">
        <LoadError what="older entries" error={page.error} onRetry={() => void page.refetch()} />
      </li>
    );
  }
  return (
    <>
      <Entries entries={page.data.entries} context={context} focusFirst={remaining === 1} />
      <OlderPages cursor={page.data.nextCursor} remaining={remaining - 1} onLoadOlder={onLoadOlder} context={context} />
    </>
  );
}

/** `focusFirst`: the page just asked for with "Load older", whose button is gone: keyboard users continue at its first entry. */
function Entries({ entries, context, focusFirst = false }: { entries: AuditEntryView[]; context: ListContext; focusFirst?: boolean }) {
  const firstRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focusFirst && document.activeElement === document.body) firstRef.current?.focus();
  }, [focusFirst]);
  return entries.map((entry, index) => <AuditEntry key={entry.id} entry={entry} context={context} ref={index === 0 ? firstRef : undefined} />);
}

function subjectOf(entry: AuditEntryView): string {
  // Credentials are keyed by id; their name is what people recognise.
  const named = (entry.after ?? entry.before) as { name?: unknown } | null;
  if (entry.resourceKind === "credential" && typeof named?.name === "string") return named.name;
  return entry.resourceKey;
}

function AuditEntry({ entry, context, ref }: { entry: AuditEntryView; context: ListContext; ref?: Ref<HTMLLIElement> | undefined }) {
  const { props } = context;
  const showFlag = entry.flag !== null && !(props.compact && props.flag === entry.flag);
  // An environment's own entries name it already as their subject.
  const showEnvironment =
    entry.environment !== null && entry.resourceKind !== "environment" && !(props.compact && props.environment === entry.environment);
  const [open, setOpen] = useState(false);

  return (
    <li className="audit-entry" tabIndex={-1} ref={ref}>
      <p className="audit-line">
        <RelativeTime iso={entry.at} />{" "}
        <span className="audit-actor">{entry.actor.name}</span>{" "}
        <span className={`actor-kind ${entry.actor.kind}`}>{actorKindLabels[entry.actor.kind] ?? entry.actor.kind}</span>{" "}
        <span className="audit-action">{describeAction(entry.action)}</span>
        {entry.flag === null ? (
          <>
            {" "}
            <code>{subjectOf(entry)}</code>
          </>
        ) : (
          showFlag && (
            <>
              {" "}
              <Link to={`/flags/${enc(entry.flag)}`} className="mono">
                {entry.flag}
              </Link>
            </>
          )
        )}
        {showEnvironment && (
          <>
            {" "}
            in <strong className="audit-environment">{entry.environment}</strong>
          </>
        )}
      </p>
      {entry.reason !== null && (
        <p className={`audit-reason${alarming.has(entry.action) ? " kill" : ""}`}>
          <span className="audit-reason-label">Reason:</span> {entry.reason}
        </p>
      )}
      {entry.details !== null && <AuditDetails details={entry.details} />}
      {(entry.before !== null || entry.after !== null) && (
        <details className="audit-changes" onToggle={(event) => setOpen(event.currentTarget.open)}>
          <summary>Show changes</summary>
          {/* Rendered on demand: a flag creation carries every environment's configuration. */}
          {open && <Diff before={entry.before} after={entry.after} />}
        </details>
      )}
    </li>
  );
}
