/**
 * unleash-client: bootstrapped from in-process data, never polls (`refreshInterval: 0` makes the
 * poller return before any request), metrics off, in-memory storage (no backup file). The flag is a
 * `flexibleRollout` strategy at 25% on `userId` with a `country IN [NL, DE, FR]` constraint.
 */
import { InMemStorageProvider, Unleash, type Context } from "unleash-client";
import { TARGETED_COUNTRIES } from "../contexts.js";
import { installedVersion } from "../versions.js";
import type { Contender } from "./types.js";

const FLAG_KEY = "new-checkout";

export const UNLEASH_FEATURES = [
  {
    name: FLAG_KEY,
    type: "release",
    project: "default",
    enabled: true,
    stale: false,
    impressionData: false,
    variants: [],
    strategies: [
      {
        name: "flexibleRollout",
        parameters: { rollout: "25", stickiness: "default", groupId: FLAG_KEY },
        constraints: [
          { contextName: "country", operator: "IN", values: [...TARGETED_COUNTRIES], caseInsensitive: false, inverted: false },
        ],
      },
    ],
  },
];

export async function unleashContender(): Promise<Contender> {
  const unleash = new Unleash({
    appName: "switchyard-bench",
    // Never contacted: refreshInterval 0 disables polling and disableMetrics disables reporting.
    url: "http://127.0.0.1:9/unleash-never-contacted/api/",
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: UNLEASH_FEATURES as never },
    skipInstanceCountWarning: true,
  });
  unleash.on("error", (err: unknown) => console.error("[unleash]", err));
  unleash.on("warn", (msg: unknown) => console.error("[unleash warn]", msg));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("unleash-client did not become ready from bootstrap")), 10_000);
    unleash.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (!unleash.getFeatureToggleDefinition(FLAG_KEY)) throw new Error(`unleash-client did not load ${FLAG_KEY}`);
  let ctxs: Context[] = [];
  return {
    name: "Unleash",
    version: `unleash-client ${installedVersion("unleash-client")}`,
    prepare(subjects) {
      ctxs = new Array<Context>(subjects.n);
      for (let i = 0; i < subjects.n; i++) ctxs[i] = { userId: subjects.keys[i]!, properties: { country: subjects.countries[i]! } };
    },
    verify() {
      const out = new Uint8Array(ctxs.length);
      for (let i = 0; i < ctxs.length; i++) out[i] = unleash.isEnabled(FLAG_KEY, ctxs[i]!) ? 1 : 0;
      return out;
    },
    run() {
      const c = ctxs;
      const u = unleash;
      let t = 0;
      for (let i = 0; i < c.length; i++) if (u.isEnabled(FLAG_KEY, c[i]!)) t++;
      return t;
    },
    close() {
      unleash.destroy();
    },
  };
}
