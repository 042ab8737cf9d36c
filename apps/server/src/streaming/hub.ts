/**
 * One hub per process fans committed changes out to every open stream. A change is serialized
 * once per environment and the same bytes are written to each server subscriber; browser
 * subscribers are grouped by context, so each distinct context is evaluated once per change;
 * OFREP subscribers get one shared "refetch" message.
 */
import type { ChangeEventView, EvaluationContext, EvaluationResult, FlagDefinition, JsonValue } from "@switchyard/core";
import type { AuditNotice, ChangeFeed, PublishedChange } from "../services/changes.js";
import type { SnapshotCache } from "../services/snapshots.js";
import { evaluateFor } from "../services/visibility.js";
import { encodeComment, encodeEvent, encodePatch, encodeRefetchEvaluation, type SseConnection } from "./sse.js";

export interface StreamHubOptions {
  heartbeatMs: number;
}

/** A stream and the credential it was opened with, so revoking the credential ends it. */
export interface Subscriber {
  connection: SseConnection;
  credentialId: string;
  /** The revision its initial events brought it to; older changes are not sent again. */
  revision: number;
}

interface ContextGroup {
  context: EvaluationContext;
  /** Last result sent for each visible flag, serialized, so a patch goes out only on a real change. */
  sent: Map<string, string>;
  members: Set<Subscriber>;
}

/** An OFREP event stream: told to refetch, never sent values. */
export interface OfrepSubscriber extends Subscriber {
  /** Server keys hear of every change; client keys only of those that can touch a client-visible flag. */
  seesAll: boolean;
}

interface OfrepGroup {
  members: Set<OfrepSubscriber>;
  /** The environment's client-visible flags, kept change by change: a flag that stops being visible is still news once. */
  clientVisible: Set<string>;
}

export type SubscriberCounts = Map<string, { server: number; client: number; contexts: number; ofrep: number }>;

const heartbeat = encodeComment("heartbeat");

export class StreamHub {
  private readonly servers = new Map<string, Set<Subscriber>>();
  private readonly clients = new Map<string, Map<string, ContextGroup>>();
  /** Admin UIs following every write (`GET /api/v1/events`). */
  private readonly admins = new Set<Subscriber>();
  private readonly ofrep = new Map<string, OfrepGroup>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Committed changes not yet fanned out, in commit order. */
  private pending: PublishedChange[] = [];

  constructor(
    feed: ChangeFeed,
    private readonly snapshots: SnapshotCache,
    options: StreamHubOptions,
  ) {
    const unsubscribeChanges = feed.subscribe((change) => this.enqueue(change));
    const unsubscribeAudit = feed.subscribeAudit((notice) => this.publishToAdmins(notice));
    this.unsubscribe = () => {
      unsubscribeChanges();
      unsubscribeAudit();
    };
    this.timer = setInterval(() => this.forEach((subscriber) => subscriber.connection.write(heartbeat)), options.heartbeatMs);
    this.timer.unref();
  }

  get isClosed() {
    return this.closed;
  }

  /** Open streams per environment: server SDKs, browsers, the browsers' distinct contexts, OFREP clients. */
  counts(): SubscriberCounts {
    const counts: SubscriberCounts = new Map();
    const entry = (environment: string) => {
      const found = counts.get(environment) ?? { server: 0, client: 0, contexts: 0, ofrep: 0 };
      counts.set(environment, found);
      return found;
    };
    for (const [environment, set] of this.servers) entry(environment).server += set.size;
    for (const [environment, groups] of this.clients) {
      entry(environment).contexts += groups.size;
      for (const group of groups.values()) entry(environment).client += group.members.size;
    }
    for (const [environment, group] of this.ofrep) entry(environment).ofrep += group.members.size;
    return counts;
  }

  addServerSubscriber(environment: string, subscriber: Subscriber): void {
    if (subscriber.connection.isClosed) return;
    const set = this.servers.get(environment) ?? new Set();
    this.servers.set(environment, set);
    set.add(subscriber);
    subscriber.connection.onClose(() => {
      set.delete(subscriber);
      if (set.size === 0 && this.servers.get(environment) === set) this.servers.delete(environment);
    });
  }

  /** Registers a browser subscriber and returns its initial values (the `put`). */
  addClientSubscriber(environment: string, contextKey: string, context: EvaluationContext, subscriber: Subscriber) {
    const groups = this.clients.get(environment) ?? new Map<string, ContextGroup>();
    this.clients.set(environment, groups);
    let group = groups.get(contextKey);
    if (!group) {
      group = { context, sent: new Map(), members: new Set() };
      for (const [key, result] of this.visibleResults(environment, context)) group.sent.set(key, JSON.stringify({ key, ...result }));
      groups.set(contextKey, group);
    }
    const joined = group;
    joined.members.add(subscriber);
    subscriber.connection.onClose(() => {
      joined.members.delete(subscriber);
      if (joined.members.size === 0 && groups.get(contextKey) === joined) groups.delete(contextKey);
      if (groups.size === 0 && this.clients.get(environment) === groups) this.clients.delete(environment);
    });
    const flags: Record<string, unknown> = {};
    for (const [key, serialized] of joined.sent) {
      const { key: _key, ...result } = JSON.parse(serialized) as Record<string, unknown>;
      flags[key] = result;
    }
    return flags;
  }

  addOfrepSubscriber(environment: string, subscriber: OfrepSubscriber): void {
    if (subscriber.connection.isClosed) return;
    let group = this.ofrep.get(environment);
    if (!group) {
      const visible = this.snapshots.get(environment).snapshot.flags.filter((flag) => flag.clientVisible);
      group = { members: new Set(), clientVisible: new Set(visible.map((flag) => flag.key)) };
      this.ofrep.set(environment, group);
    }
    const joined = group;
    joined.members.add(subscriber);
    subscriber.connection.onClose(() => {
      joined.members.delete(subscriber);
      if (joined.members.size === 0 && this.ofrep.get(environment) === joined) this.ofrep.delete(environment);
    });
  }

  addAdminSubscriber(subscriber: Subscriber): void {
    if (subscriber.connection.isClosed) return;
    this.admins.add(subscriber);
    subscriber.connection.onClose(() => this.admins.delete(subscriber));
  }

  /** Ends the streams opened with a credential that was just revoked. */
  disconnect(credentialId: string): void {
    this.forEach((subscriber) => {
      if (subscriber.credentialId === credentialId) subscriber.connection.close();
    });
  }

  private *visibleResults(environment: string, context: EvaluationContext): Generator<[string, EvaluationResult]> {
    for (const flag of this.snapshots.get(environment).compiled.values()) {
      if (flag.flag.clientVisible) yield [flag.key, evaluateFor("client_key", flag, context)];
    }
  }

  /**
   * Fans out on the next turn of the event loop, so the write that caused the change answers its
   * caller first instead of waiting for thousands of socket writes. A stream opened in between
   * already has the change from its snapshot; its `revision` keeps it from getting it twice.
   */
  private enqueue(change: PublishedChange): void {
    if (this.pending.push(change) > 1) return;
    setImmediate(() => {
      const changes = this.pending;
      this.pending = [];
      for (const queued of changes) this.publish(queued);
    });
  }

  private publish(change: PublishedChange): void {
    if (this.closed) return;
    const servers = this.servers.get(change.environmentKey);
    if (servers && servers.size > 0) {
      const event = encodePatch(change.revision, change.resourceKind, change.resourceKey, change.payload);
      for (const subscriber of servers) if (subscriber.revision < change.revision) subscriber.connection.write(event);
    }
    const groups = this.clients.get(change.environmentKey);
    if (groups && groups.size > 0) this.publishToClients(change, groups);
    const ofrep = this.ofrep.get(change.environmentKey);
    if (ofrep) this.publishToOfrep(change, ofrep);
  }

  private publishToOfrep(change: PublishedChange, group: OfrepGroup): void {
    let seenByClients: boolean;
    if (change.resourceKind === "flag") {
      const wasVisible = group.clientVisible.has(change.resourceKey);
      const isVisible = isClientVisible(change.payload);
      if (isVisible) group.clientVisible.add(change.resourceKey);
      else group.clientVisible.delete(change.resourceKey);
      seenByClients = wasVisible || isVisible;
    } else {
      // Segments cannot nest: only flags with an inSegment clause naming it can change.
      const { flags } = this.snapshots.get(change.environmentKey).snapshot;
      seenByClients = flags.some((flag) => flag.clientVisible && usesSegment(flag, change.resourceKey));
    }
    const message = encodeRefetchEvaluation(change.revision, change.at);
    for (const subscriber of group.members) {
      if (subscriber.revision < change.revision && (subscriber.seesAll || seenByClients)) subscriber.connection.write(message);
    }
  }

  private publishToClients(change: PublishedChange, groups: Map<string, ContextGroup>): void {
    const { compiled } = this.snapshots.get(change.environmentKey);
    for (const group of groups.values()) {
      // A flag change affects that flag; a segment change may affect any flag, including ones that vanished.
      const affected = change.resourceKind === "flag" ? [change.resourceKey] : new Set([...compiled.keys(), ...group.sent.keys()]);
      for (const key of affected) {
        const flag = compiled.get(key);
        const serialized = flag?.flag.clientVisible ? JSON.stringify({ key, ...evaluateFor("client_key", flag, group.context) }) : undefined;
        if (serialized === group.sent.get(key)) continue;
        if (serialized === undefined) group.sent.delete(key);
        else group.sent.set(key, serialized);
        const event = encodeEvent("patch", change.revision, serialized ?? JSON.stringify({ key, deleted: true }));
        for (const subscriber of group.members) subscriber.connection.write(event);
      }
    }
  }

  private publishToAdmins(notice: AuditNotice): void {
    if (this.admins.size === 0) return;
    const event = encodeEvent("change", notice.auditId, JSON.stringify(toChangeEvent(notice)));
    for (const subscriber of this.admins) subscriber.connection.write(event);
  }

  private forEach(visit: (subscriber: Subscriber) => void): void {
    for (const subscriber of this.admins) visit(subscriber);
    for (const group of this.ofrep.values()) for (const subscriber of group.members) visit(subscriber);
    // Sets and Maps tolerate deletion while iterated, which closing a stream does.
    for (const set of this.servers.values()) for (const subscriber of set) visit(subscriber);
    for (const groups of this.clients.values()) {
      for (const group of groups.values()) for (const subscriber of group.members) visit(subscriber);
    }
  }

  /** Ends every stream cleanly so SDKs reconnect (to another instance, in a rolling deploy). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    this.forEach((subscriber) => subscriber.connection.close());
  }
}

function isClientVisible(payload: JsonValue | null): boolean {
  return typeof payload === "object" && payload !== null && !Array.isArray(payload) && payload.clientVisible === true;
}

function usesSegment(flag: FlagDefinition, segmentKey: string): boolean {
  return flag.rules.some((rule) => rule.clauses.some((clause) => clause.op === "inSegment" && clause.values.some((value) => value === segmentKey)));
}

function toChangeEvent(notice: AuditNotice): ChangeEventView {
  return {
    auditId: notice.auditId,
    at: new Date(notice.at).toISOString(),
    actor: notice.actor,
    action: notice.action,
    resourceKind: notice.resourceKind,
    resourceKey: notice.resourceKey,
    flag: notice.flagKey,
    environment: notice.environmentKey,
  };
}
