/**
 * The flags and segments a Node client holds, compiled for evaluation. Every update goes through
 * `applyPut` or `applyPatch`, which report the keys of the flags whose definition changed.
 */
import { compileFlag, type CompiledFlag, type EnvironmentSnapshot, type FlagDefinition, type Segment } from "@switchyard/core";

export interface FlagPatch {
  kind: "flag" | "segment";
  key: string;
  /** null deletes the flag or segment. */
  value: FlagDefinition | Segment | null;
}

/** Whether any of the flag's serves (fallthrough or a rule) is a percentage rollout. */
function hasRollout(flag: FlagDefinition): boolean {
  return "rollout" in flag.fallthrough || flag.rules.some((rule) => "rollout" in rule.serve);
}

/** Segment keys a flag's rules reference through `inSegment`. */
function referencedSegments(flag: FlagDefinition): Set<string> {
  const keys = new Set<string>();
  for (const rule of flag.rules) {
    for (const clause of rule.clauses) {
      if (clause.op !== "inSegment") continue;
      for (const value of clause.values) if (typeof value === "string") keys.add(value);
    }
  }
  return keys;
}

interface Entry {
  compiled: CompiledFlag;
  segmentKeys: Set<string>;
  /** Serialized definition, to tell a real change from a repeat. */
  json: string;
}

export class FlagStore {
  private flags = new Map<string, Entry>();
  private segments = new Map<string, { segment: Segment; json: string }>();
  /** The flags in a percentage rollout, which `track()` attributes events to; rebuilt after a change. */
  private rollouts: CompiledFlag[] | null = null;
  environment: string | null = null;
  revision: number | null = null;
  hasData = false;

  get(key: string): CompiledFlag | undefined {
    return this.flags.get(key)?.compiled;
  }

  keys(): IterableIterator<string> {
    return this.flags.keys();
  }

  /** The flags whose fallthrough or any rule serves a percentage rollout. */
  rolloutFlags(): readonly CompiledFlag[] {
    this.rollouts ??= [...this.flags.values()].filter((entry) => hasRollout(entry.compiled.flag)).map((entry) => entry.compiled);
    return this.rollouts;
  }

  /** Replaces everything; returns the keys of flags that changed (none on the first load). */
  applyPut(snapshot: EnvironmentSnapshot): string[] {
    const hadData = this.hasData;
    this.rollouts = null;
    const before = this.flags;
    const segmentsBefore = this.segments;
    this.segments = new Map(snapshot.segments.map((segment) => [segment.key, { segment, json: JSON.stringify(segment) }]));
    this.flags = new Map();
    for (const flag of snapshot.flags) this.flags.set(flag.key, this.compile(flag));
    this.environment = snapshot.environment;
    this.revision = snapshot.revision;
    this.hasData = true;
    if (!hadData) return [];

    const changedSegments = new Set<string>();
    for (const key of new Set([...segmentsBefore.keys(), ...this.segments.keys()])) {
      if (segmentsBefore.get(key)?.json !== this.segments.get(key)?.json) changedSegments.add(key);
    }
    const changed: string[] = [];
    for (const key of new Set([...before.keys(), ...this.flags.keys()])) {
      const old = before.get(key);
      const now = this.flags.get(key);
      if (old?.json !== now?.json || (now && [...now.segmentKeys].some((segment) => changedSegments.has(segment)))) changed.push(key);
    }
    return changed;
  }

  /** Applies one change at `revision`; returns the keys of flags that changed. */
  applyPatch(patch: FlagPatch, revision: number): string[] {
    this.revision = revision;
    this.rollouts = null;
    this.hasData = true;
    if (patch.kind === "flag") {
      const old = this.flags.get(patch.key);
      if (patch.value === null) {
        this.flags.delete(patch.key);
        return old ? [patch.key] : [];
      }
      const entry = this.compile(patch.value as FlagDefinition);
      this.flags.set(patch.key, entry);
      return old?.json === entry.json ? [] : [patch.key];
    }

    const old = this.segments.get(patch.key);
    const json = patch.value === null ? undefined : JSON.stringify(patch.value);
    if (patch.value === null) this.segments.delete(patch.key);
    else this.segments.set(patch.key, { segment: patch.value as Segment, json: json! });
    if (old?.json === json) return [];
    // Only the flags that reference the segment are recompiled, and only they changed.
    const changed: string[] = [];
    for (const [key, entry] of this.flags) {
      if (!entry.segmentKeys.has(patch.key)) continue;
      this.flags.set(key, this.compile(entry.compiled.flag));
      changed.push(key);
    }
    return changed;
  }

  /** What the persistence file holds. */
  toSnapshot(): EnvironmentSnapshot {
    return {
      environment: this.environment ?? "unknown",
      revision: this.revision ?? 0,
      flags: [...this.flags.values()].map((entry) => entry.compiled.flag),
      segments: [...this.segments.values()].map((entry) => entry.segment),
    };
  }

  private compile(flag: FlagDefinition): Entry {
    const segmentKeys = referencedSegments(flag);
    // Only referenced segments: compiling all of them for every flag would cost flags × segments.
    const segments: Segment[] = [];
    for (const key of segmentKeys) {
      const found = this.segments.get(key);
      if (found) segments.push(found.segment);
    }
    return { compiled: compileFlag(flag, segments), segmentKeys, json: JSON.stringify(flag) };
  }
}
