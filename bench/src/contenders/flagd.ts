/**
 * @openfeature/flagd-core: the flagd in-process evaluator. `in` on country, then `fractional`
 * (murmur3 of flag key + targetingKey) 25/75.
 */
import { FlagdCore } from "@openfeature/flagd-core";
import type { EvaluationContext, Logger } from "@openfeature/core";
import { TARGETED_COUNTRIES } from "../contexts.js";
import { installedVersion } from "../versions.js";
import type { Contender } from "./types.js";

const FLAG_KEY = "new-checkout";

export const FLAGD_CONFIG = {
  flags: {
    [FLAG_KEY]: {
      state: "ENABLED",
      variants: { on: true, off: false },
      defaultVariant: "off",
      targeting: {
        if: [{ in: [{ var: "country" }, [...TARGETED_COUNTRIES]] }, { fractional: [["on", 25], ["off", 75]] }, "off"],
      },
    },
  },
};

/** flagd-core logs targeting problems at debug level; keep it silent but let errors through. */
const quietLogger: Logger = {
  error: (...args: unknown[]) => console.error("[flagd-core]", ...args),
  warn: (...args: unknown[]) => console.error("[flagd-core]", ...args),
  info: () => {},
  debug: () => {},
};

export function flagdContender(): Contender {
  const core = new FlagdCore(undefined, quietLogger);
  const changed = core.setConfigurations(JSON.stringify(FLAGD_CONFIG));
  if (!changed.includes(FLAG_KEY)) throw new Error(`flagd-core did not load ${FLAG_KEY}: ${JSON.stringify(changed)}`);
  let ctxs: EvaluationContext[] = [];
  return {
    name: "flagd-core",
    version: `@openfeature/flagd-core ${installedVersion("@openfeature/flagd-core")}`,
    prepare(subjects) {
      ctxs = new Array<EvaluationContext>(subjects.n);
      for (let i = 0; i < subjects.n; i++) ctxs[i] = { targetingKey: subjects.keys[i]!, country: subjects.countries[i]! };
    },
    verify() {
      const out = new Uint8Array(ctxs.length);
      for (let i = 0; i < ctxs.length; i++) {
        const r = core.resolveBooleanEvaluation(FLAG_KEY, false, ctxs[i]!);
        if (r.errorCode) throw new Error(`flagd-core error for ${JSON.stringify(ctxs[i])}: ${r.errorCode} ${r.errorMessage ?? ""}`);
        out[i] = r.value === true ? 1 : 0;
      }
      return out;
    },
    run() {
      const c = ctxs;
      const f = core;
      let t = 0;
      for (let i = 0; i < c.length; i++) if (f.resolveBooleanEvaluation(FLAG_KEY, false, c[i]!).value === true) t++;
      return t;
    },
  };
}
