/**
 * Runs evaluation.feature (our restatement of the OpenFeature specification's evaluation
 * scenarios) against the real server: each scenario, and each Examples row, is one test.
 */
import { readFileSync } from "node:fs";
import { OpenFeature, ProviderEvents, type Client, type EvaluationDetails, type FlagValue, type Hook, type JsonValue } from "@openfeature/server-sdk";
import { SwitchyardProvider, type SwitchyardProviderOptions } from "../src/server.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseFeature, type Step } from "./support/gherkin.js";
import { quietLogger, refusingUrl, startServer, waitUntil, type RunningServer } from "./support/server.js";

const feature = parseFeature(readFileSync(new URL("./evaluation.feature", import.meta.url), "utf8"));

type FlagType = "boolean" | "string" | "integer" | "float" | "object";

/** What one scenario builds up, step by step. */
interface World {
  client?: Client;
  flag?: { type: FlagType; key: string; defaultValue: FlagValue };
  context: Record<string, unknown>;
  details?: EvaluationDetails<FlagValue>;
  hooks: Hook[];
  hookCalls: { stage: string; level: string }[];
  cleanups: (() => unknown)[];
}

let server: RunningServer;
let flagsCreated = false;
let domains = 0;

beforeAll(async () => {
  server = await startServer();
  OpenFeature.setLogger(quietLogger());
});
afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
});

/** A value written in the feature, as the flag's type reads it. */
function parse(type: FlagType | "integer" | "float", raw: string): FlagValue {
  switch (type) {
    case "boolean":
      if (raw !== "true" && raw !== "false") throw new Error(`not a boolean: ${raw}`);
      return raw === "true";
    case "integer":
      return Number.parseInt(raw, 10);
    case "float":
      return Number.parseFloat(raw);
    case "object":
      return JSON.parse(raw) as JsonValue;
    default:
      return raw;
  }
}

/** A metadata value written in the feature: a boolean, a number, or else a string. */
const scalar = (raw: string) => (raw === "true" ? true : raw === "false" ? false : raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw);

/** Registers a provider under a domain of its own and points the scenario at that domain's client. */
async function useProvider(world: World, options: Partial<SwitchyardProviderOptions>, wait: "ready" | "settled" | "no") {
  const domain = `scenario-${++domains}`;
  const provider = new SwitchyardProvider({ url: server.url, sdkKey: server.serverKey(), logger: {}, ...options } as SwitchyardProviderOptions);
  if (wait === "no") OpenFeature.setProvider(domain, provider);
  else if (wait === "ready") await OpenFeature.setProviderAndWait(domain, provider);
  else await OpenFeature.setProviderAndWait(domain, provider).catch(() => {});
  world.client = OpenFeature.getClient(domain);
}

const providers: Record<string, (world: World) => Promise<void>> = {
  ready: (world) => useProvider(world, {}, "ready"),
  // Nothing listens there, and ready() waits a minute: initialize is still running.
  "not ready": async (world) => useProvider(world, { url: await refusingUrl(), timeoutMs: 60_000 }, "no"),
  // No values within timeoutMs.
  "in error": async (world) => useProvider(world, { url: await refusingUrl(), timeoutMs: 100 }, "settled"),
  fatal: async (world) => {
    const { key, revoke } = await server.revocableKey();
    await revoke();
    await useProvider(world, { sdkKey: key }, "settled");
  },
  // Ready through the gate, which is then shut for longer than staleAfterMs.
  stale: async (world) => {
    await useProvider(world, { url: server.gatedUrl, staleAfterMs: 100 }, "ready");
    const stale = new Promise<void>((resolve) => world.client!.addHandler(ProviderEvents.Stale, () => resolve()));
    server.gate.shut();
    world.cleanups.push(() => server.gate.open());
    await stale;
  },
};

function hookAt(world: World, level: string): Hook {
  const record = (stage: string) => () => void world.hookCalls.push({ stage, level });
  return { before: record("before"), after: record("after"), error: record("error"), finally: record("finally") };
}

/** Table rows as objects keyed by the header. */
const rows = (table: string[][]) => table.slice(1).map((row) => Object.fromEntries(table[0]!.map((name, i) => [name, row[i]!])));

const steps: [RegExp, (world: World, args: string[], step: Step) => unknown][] = [
  [
    /^the Switchyard flags$/,
    async (_world, _args, step) => {
      if (flagsCreated) return;
      for (const { key, kind, variants, config } of rows(step.table)) {
        const { fallthrough, killed, ...changes } = JSON.parse(config!) as Record<string, unknown>;
        await server.createFlag(key!, { kind: kind as never, variants: JSON.parse(variants!) });
        await server.configure(key!, { ...changes, fallthrough: { variant: fallthrough } });
        if (typeof killed === "string") await server.kill(key!, killed);
      }
      flagsCreated = true;
    },
  ],
  [/^a ready Switchyard provider$/, (world) => providers.ready!(world)],
  [
    /^a Switchyard provider that is (.+)$/,
    (world, [state]) => {
      const make = providers[state!];
      if (!make) throw new Error(`no provider state "${state}"`);
      return make(world);
    },
  ],
  [/^an? (boolean|string|integer|float|object) flag "([^"]+)" with default value "(.*)"$/, (world, [type, key, raw]) => (world.flag = { type: type as FlagType, key: key!, defaultValue: parse(type as FlagType, raw!) })],
  [/^a context with "([^"]+)" set to null$/, (world, [attribute]) => (world.context[attribute!] = null)],
  [/^a context with "([^"]+)" set to "(.*)"$/, (world, [attribute, value]) => (world.context[attribute!] = value)],
  [
    /^a context$/,
    (world, _args, step) => {
      for (const { attribute, type, value } of rows(step.table)) world.context[attribute!] = parse(type as FlagType, value!);
    },
  ],
  [
    /^a hook at the API, the client and the invocation level$/,
    (world) => {
      OpenFeature.addHooks(hookAt(world, "API"));
      world.cleanups.push(() => OpenFeature.clearHooks());
      world.client!.addHooks(hookAt(world, "client"));
      world.hooks = [hookAt(world, "invocation")];
    },
  ],
  [
    /^the flag is evaluated with details$/,
    async (world) => {
      const { type, key, defaultValue } = world.flag!;
      const client = world.client!;
      const context = world.context as never;
      const options = { hooks: world.hooks };
      if (type === "boolean") world.details = await client.getBooleanDetails(key, defaultValue as boolean, context, options);
      else if (type === "string") world.details = await client.getStringDetails(key, defaultValue as string, context, options);
      else if (type === "object") world.details = await client.getObjectDetails(key, defaultValue as JsonValue, context, options);
      else world.details = await client.getNumberDetails(key, defaultValue as number, context, options);
    },
  ],
  [/^the value is "(.*)"$/, (world, [raw]) => expect(world.details!.value).toEqual(parse(world.flag!.type, raw!))],
  [/^the variant is "(.*)"$/, (world, [variant]) => expect(world.details!.variant).toBe(variant)],
  [/^the reason is "(.*)"$/, (world, [reason]) => expect(world.details!.reason).toBe(reason)],
  [/^the error code is "(.*)"$/, (world, [code]) => expect(world.details!.errorCode).toBe(code)],
  [/^there is no error code$/, (world) => expect(world.details!.errorCode).toBeUndefined()],
  [/^the metadata "([^"]+)" is "(.*)"$/, (world, [key, raw]) => expect(world.details!.flagMetadata[key!]).toBe(scalar(raw!))],
  [
    /^the details are$/,
    (world, _args, step) => {
      for (const { field, value } of rows(step.table)) {
        const expected = field === "value" ? parse(world.flag!.type, value!) : value;
        expect(world.details![field as keyof EvaluationDetails<FlagValue>], field).toEqual(expected);
      }
    },
  ],
  [/^the provider status is "(.*)"$/, (world, [status]) => expect(world.client!.providerStatus).toBe(status)],
  [
    /^the hooks ran in this order$/,
    (world, _args, step) => {
      const expected = rows(step.table).flatMap(({ stage, levels }) => levels!.split(",").map((level) => ({ stage: stage!, level: level.trim() })));
      expect(world.hookCalls).toEqual(expected);
    },
  ],
];

async function run(world: World, step: Step): Promise<void> {
  for (const [pattern, definition] of steps) {
    const match = pattern.exec(step.text);
    if (match) return void (await definition(world, match.slice(1), step));
  }
  throw new Error(`evaluation.feature line ${step.line}: no definition for "${step.keyword} ${step.text}"`);
}

describe(feature.name, () => {
  const worlds: World[] = [];
  afterEach(async () => {
    for (const world of worlds.splice(0)) for (const cleanup of world.cleanups.reverse()) await cleanup();
    await OpenFeature.clearProviders();
  });

  it("reads every scenario of the feature", () => {
    expect(feature.scenarios.length).toBeGreaterThanOrEqual(20);
  });

  for (const scenario of feature.scenarios) {
    it(scenario.name, async () => {
      const world: World = { context: {}, hooks: [], hookCalls: [], cleanups: [] };
      worlds.push(world);
      for (const step of [...feature.background, ...scenario.steps]) await run(world, step);
    });
  }
});
