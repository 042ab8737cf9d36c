/** Test data shared by core's tests; excluded from the build. */
import type { FlagDefinition } from "../schema.js";

/** A boolean flag that is on for everyone (`on`/`off`, no targeting): override what a test is about. */
export function booleanFlag(overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    key: "f",
    kind: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    salt: "s",
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
