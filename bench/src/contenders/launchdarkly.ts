/**
 * @launchdarkly/node-server-sdk: fed by `integrations.TestData` (no streaming or polling
 * connection), `sendEvents: false`, diagnostics opted out. TestData's builder cannot express
 * percentage rollouts, so the flag goes in as a full flag model via `usePreconfiguredFlag`.
 *
 * `variation` is only asynchronous in this SDK (it returns a Promise even for an in-memory store),
 * so the timed loop awaits each call in turn: that is the per-evaluation cost an application pays.
 */
import { basicLogger, init, integrations, type LDClient, type LDContext } from "@launchdarkly/node-server-sdk";
import { TARGETED_COUNTRIES } from "../contexts.js";
import { installedVersion } from "../versions.js";
import type { Contender } from "./types.js";

const FLAG_KEY = "new-checkout";

export const LD_FLAG = {
  key: FLAG_KEY,
  version: 1,
  on: true,
  salt: "s1",
  variations: [true, false],
  offVariation: 1,
  fallthrough: { variation: 1 },
  targets: [],
  contextTargets: [],
  prerequisites: [],
  rules: [
    {
      id: "rule-country",
      clauses: [{ contextKind: "user", attribute: "country", op: "in", values: [...TARGETED_COUNTRIES], negate: false }],
      rollout: {
        bucketBy: "key",
        variations: [
          { variation: 0, weight: 25_000 },
          { variation: 1, weight: 75_000 },
        ],
      },
      trackEvents: false,
    },
  ],
  trackEvents: false,
  trackEventsFallthrough: false,
  clientSide: false,
};

export async function launchDarklyContender(): Promise<Contender> {
  const td = new integrations.TestData();
  await td.usePreconfiguredFlag(LD_FLAG);
  const client: LDClient = init("sdk-00000000-0000-0000-0000-000000000000", {
    updateProcessor: td.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: basicLogger({ level: "warn" }),
  });
  await client.waitForInitialization({ timeout: 10 });
  let ctxs: LDContext[] = [];
  return {
    name: "LaunchDarkly",
    version: `@launchdarkly/node-server-sdk ${installedVersion("@launchdarkly/node-server-sdk")}`,
    prepare(subjects) {
      ctxs = new Array<LDContext>(subjects.n);
      for (let i = 0; i < subjects.n; i++) ctxs[i] = { kind: "user", key: subjects.keys[i]!, country: subjects.countries[i]! };
    },
    async verify() {
      const out = new Uint8Array(ctxs.length);
      for (let i = 0; i < ctxs.length; i++) {
        const d = await client.variationDetail(FLAG_KEY, ctxs[i]!, false);
        if (d.reason.kind === "ERROR") throw new Error(`LaunchDarkly error for ${JSON.stringify(ctxs[i])}: ${JSON.stringify(d.reason)}`);
        out[i] = d.value === true ? 1 : 0;
      }
      return out;
    },
    async run() {
      const c = ctxs;
      const l = client;
      let t = 0;
      for (let i = 0; i < c.length; i++) if ((await l.variation(FLAG_KEY, c[i]!, false)) === true) t++;
      return t;
    },
    close() {
      client.close();
    },
  };
}
