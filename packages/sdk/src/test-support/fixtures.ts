/** Flag definitions and snapshots for tests. */
import type { EnvironmentSnapshot, FlagDefinition, Segment } from "@switchyard/core";

export function booleanFlag(key: string, overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    key,
    kind: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    salt: `${key}-salt`,
    clientVisible: false,
    enabled: true,
    killed: false,
    killReason: null,
    targets: [],
    rules: [],
    fallthrough: { variant: "on" },
    offVariant: "off",
    version: 1,
    ...overrides,
  };
}

export function stringFlag(key: string, value: string, overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return booleanFlag(key, {
    kind: "string",
    variants: [
      { key: "a", value },
      { key: "off", value: "off" },
    ],
    fallthrough: { variant: "a" },
    ...overrides,
  });
}

/** A flag served `on` only to members of `segment`. */
export function segmentFlag(key: string, segment: string): FlagDefinition {
  return booleanFlag(key, {
    rules: [{ clauses: [{ attribute: "key", op: "inSegment", values: [segment], negate: false, caseInsensitive: false }], serve: { variant: "on" } }],
    fallthrough: { variant: "off" },
  });
}

export function segment(key: string, included: string[], version = 1): Segment {
  return { key, included, excluded: [], clauses: [], version };
}

export function snapshot(revision: number, flags: FlagDefinition[], segments: Segment[] = []): EnvironmentSnapshot {
  return { environment: "production", revision, flags, segments };
}
