/**
 * One hub per process fans committed changes out to every open stream. A change is serialized
 * once per environment and the same bytes are written to each server subscriber; browser
 * subscribers are grouped by context, so each distinct context is evaluated once per change.
 */
import type { EvaluationContext, EvaluationResult } from "@switchyard/core";
import type { ChangeFeed, PublishedChange } from "../services/changes.js";
import type { SnapshotCache } from "../services/snapshots.js";
import { encodeComment, encodeEvent, type SseConnection } from "./sse.js";

export interface StreamHubOptions {
  heartbeatMs: number;
}

interface ContextGroup {
  context: EvaluationContext;
  /** Last result sent for each visible flag, serialized, to send a patch only on a real change. */
  sent: Map<string, string>;
  members: Set<SseConnection>;
}

const heartbeat = encodeComment("heartbeat");

export class StreamHub {
  private readonly servers = new Map<string, Set<SseConnection>>();
  private readonly clients = new Map<string, Map<string, ContextGroup>>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    feed: ChangeFeed,
    private readonly snapshots: SnapshotCache,
    options: StreamHubOptions,
  ) {
    this.unsubscribe = feed.subscribe((change) => this.publish(change));
    this.timer = setInterval(() => this.broadcast(heartbeat), options.heartbeatMs);
    this.timer.unref();
  }

  get isClosed() {
    return this.closed;
  }

  /** Subscribers per environment, for metrics and tests. */
  counts(): Record<string, { server: number; client: number; contexts: number }> {
    const counts: Record<string, { server: number; client: number; contexts: number }> = {};
    const entry = (environment: string) => (counts[environment] ??= { server: 0, client: 0, contexts: 0 });
    for (const [environment, set] of this.servers) entry(environment).server += set.size;
    for (const [environment, groups] of this.clients) {
      entry(environment).contexts += groups.size;
      for (const group of groups.values()) entry(environment).client += group.members.size;
    }
    return counts;
  }

  addServerSubscriber(environment: string, connection: SseConnection): void {
    const set = this.servers.get(environment) ?? new Set();
    this.servers.set(environment, set);
    set.add(connection);
    connection.onClose(() => {
      set.delete(connection);
      if (set.size === 0 && this.servers.get(environment) === set) this.servers.delete(environment);
    });
  }

  /** Registers a browser subscriber and returns its initial values (the `put`). */
  addClientSubscriber(environment: string, contextKey: string, context: EvaluationContext, connection: SseConnection) {
    const groups = this.clients.get(environment) ?? new Map<string, ContextGroup>();
    this.clients.set(environment, groups);
    let group = groups.get(contextKey);
    if (!group) {
      group = { context, sent: new Map(), members: new Set() };
      for (const [key, result] of this.visibleResults(environment, context)) group.sent.set(key, JSON.stringify({ key, ...result }));
      groups.set(contextKey, group);
    }
    const joined = group;
    joined.members.add(connection);
    connection.onClose(() => {
      joined.members.delete(connection);
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

  private *visibleResults(environment: string, context: EvaluationContext): Generator<[string, EvaluationResult]> {
    for (const flag of this.snapshots.get(environment).compiled.values()) {
      if (flag.flag.clientVisible) yield [flag.key, flag.evaluate(context)];
    }
  }

  private publish(change: PublishedChange): void {
    if (this.closed) return;
    const servers = this.servers.get(change.environmentKey);
    if (servers && servers.size > 0) {
      const data = JSON.stringify({ kind: change.resourceKind, key: change.resourceKey, value: change.payload });
      const event = encodeEvent("patch", change.revision, data);
      for (const connection of servers) connection.write(event);
    }
    const groups = this.clients.get(change.environmentKey);
    if (groups && groups.size > 0) this.publishToClients(change, groups);
  }

  private publishToClients(change: PublishedChange, groups: Map<string, ContextGroup>): void {
    const { compiled } = this.snapshots.get(change.environmentKey);
    // A segment can change any flag's result; a flag change only its own.
    const keys = change.resourceKind === "flag" ? [change.resourceKey] : [...new Set([...compiled.keys()])];
    for (const group of groups.values()) {
      const affected = change.resourceKind === "flag" ? keys : [...new Set([...keys, ...group.sent.keys()])];
      for (const key of affected) {
        const flag = compiled.get(key);
        const serialized = flag?.flag.clientVisible ? JSON.stringify({ key, ...flag.evaluate(group.context) }) : undefined;
        const previous = group.sent.get(key);
        if (serialized === previous) continue;
        if (serialized === undefined) group.sent.delete(key);
        else group.sent.set(key, serialized);
        const event = encodeEvent("patch", change.revision, serialized ?? JSON.stringify({ key, deleted: true }));
        for (const connection of group.members) connection.write(event);
      }
    }
  }

  private broadcast(chunk: Buffer): void {
    for (const set of this.servers.values()) for (const connection of set) connection.write(chunk);
    for (const groups of this.clients.values()) {
      for (const group of groups.values()) for (const connection of group.members) connection.write(chunk);
    }
  }

  /** Ends every stream cleanly so SDKs reconnect (to another instance, in a rolling deploy). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    const all: SseConnection[] = [];
    for (const set of this.servers.values()) all.push(...set);
    for (const groups of this.clients.values()) for (const group of groups.values()) all.push(...group.members);
    for (const connection of all) connection.close();
  }
}
