/**
 * Changes made while the SDK's server is down reach the SDK once it is back.
 *
 * The SDK is connected to server A (port P, data directory D). A is stopped with SIGTERM; a second
 * instance on another port with the same D takes several changes through its API (kill, rollout,
 * a new flag, an archived flag, a segment change) and is stopped; A starts again on P with D.
 * The SDK reconnects on its own (its backoff starts at 1 s) with `Last-Event-ID`, and must end on
 * exactly the server's revision with every change applied:
 *
 * - with the whole change log kept, as patches only (the resume path);
 * - with SWITCHYARD_CHANGE_LOG_RETENTION=2, trimmed past the SDK's revision, as one put.
 */
import { createClient, type Client } from "@switchyard/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { SseReader } from "../../apps/server/src/test-support/sse-reader.js";
import { Admin, evaluateOnServer, fetchSnapshot } from "../support/admin.js";
import { collectingLogger, ms, recordChanges, waitUntil } from "../support/sdk.js";
import { createDataDir, holdPort, startServer, stopAllServers } from "../support/server-process.js";

/** Reconnect attempts back off 0.5-1, 1-2, 2-4, 4-8, 8-16 s while the server is away. */
const CONVERGE_TIMEOUT_MS = 45_000;

afterAll(stopAllServers);

const contexts = [
  { key: "u-beta" },
  { key: "u-new" },
  { key: "u-other", country: "NL" },
  ...Array.from({ length: 40 }, (_, i) => ({ key: `user-${i}` })),
];

/** The flags and the segment as they are before the SDK loses its server. */
async function seed(admin: Admin) {
  await admin.createFlag({ key: "checkout" });
  await admin.configure("checkout", { enabled: true, fallthrough: { variant: "on" } });
  await admin.createFlag({ key: "gradual" });
  await admin.configure("gradual", { enabled: true, fallthrough: { variant: "off" } });
  await admin.createFlag({ key: "retired" });
  await admin.configure("retired", { enabled: true, fallthrough: { variant: "on" } });
  await admin.createSegment({ key: "beta", included: ["u-beta"] });
  await admin.createFlag({ key: "beta-feature" });
  await admin.configure("beta-feature", {
    enabled: true,
    rules: [{ clauses: [{ attribute: "key", op: "inSegment", values: ["beta"] }], serve: { variant: "on" } }],
    fallthrough: { variant: "off" },
  });
}

/** The changes made while the SDK is away, in order, with the flag each one changes for the SDK. */
const changesWhileAway: [string, (admin: Admin) => Promise<unknown>][] = [
  ["checkout", (admin) => admin.kill("checkout", "killed while the SDK was away")],
  ["gradual", (admin) => admin.rollout("gradual", { percent: 30 })],
  ["fresh", (admin) => admin.createFlag({ key: "fresh" })],
  ["fresh", (admin) => admin.configure("fresh", { enabled: true, fallthrough: { variant: "on" } })],
  ["retired", (admin) => admin.archive("retired")],
  ["beta-feature", (admin) => admin.updateSegment("beta", { included: ["u-beta", "u-new"] })],
];

/** Every flag the SDK holds, evaluated for every context, against the server's own evaluation. */
async function expectSameEvaluations(client: Client, url: string, sdkKey: string) {
  for (const context of contexts) {
    const server = await evaluateOnServer(url, sdkKey, context);
    expect(client.allFlags(context)).toEqual(server.flags);
  }
}

interface Outcome {
  client: Client;
  changes: ReturnType<typeof recordChanges>;
  url: string;
  sdkKey: string;
  before: number;
  after: number;
}

async function runScenario(restartEnv: Record<string, string>, check: (outcome: Outcome) => Promise<void>) {
  const dataDir = createDataDir();
  const first = await startServer({ dataDir });
  const port = first.port;
  const admin = await Admin.login(first.url);
  await seed(admin);
  const sdkKey = await admin.serverKey();
  const client = createClient({ url: first.url, sdkKey, logger: collectingLogger() });
  try {
    expect(await client.ready()).toBe(true);
    const before = (await fetchSnapshot(first.url, sdkKey)).revision;
    expect(client.status()).toEqual({ state: "ready", revision: before });
    expect(client.isEnabled("checkout", { key: "user-1" })).toBe(true);
    const changes = recordChanges(client);

    const stoppedAt = performance.now();
    expect(await first.stop()).toBe(0);
    // P stays reserved (connections to it are cut) until A comes back, so nothing else takes it.
    const releasePort = await holdPort(port);
    let after: number;
    try {
      await waitUntil(() => client.status().state === "stale", 10_000, () => JSON.stringify(client.status()));

      const second = await startServer({ dataDir, env: restartEnv });
      const other = admin.at(second.url);
      for (const [, change] of changesWhileAway) await change(other);
      after = (await fetchSnapshot(second.url, sdkKey)).revision;
      expect(after).toBe(before + changesWhileAway.length);
      expect(await second.stop()).toBe(0);
      // Nothing could reach the SDK meanwhile.
      expect(changes).toEqual([]);
      expect(client.status()).toMatchObject({ state: "stale", revision: before });
    } finally {
      await releasePort();
    }

    const again = await startServer({ dataDir, port, env: restartEnv });
    expect(again.url).toBe(first.url);
    const restartedAt = performance.now();
    await waitUntil(
      () => {
        const status = client.status();
        return status.state === "ready" && status.revision === after;
      },
      CONVERGE_TIMEOUT_MS,
      () => `status ${JSON.stringify(client.status())}, want revision ${after}`,
    );
    console.log(
      `converged on revision ${after} (from ${before}) ${ms(performance.now() - restartedAt)} after the restart, ` +
        `${ms(performance.now() - stoppedAt)} after the first stop`,
    );
    expect((await fetchSnapshot(again.url, sdkKey)).revision).toBe(after);

    // Every change is applied: spot checks, then every flag for every context as the server evaluates it.
    expect(client.evaluate("checkout", { key: "user-1" })).toMatchObject({ value: false, reason: "KILLED" });
    expect(client.evaluate("fresh", { key: "user-1" })).toMatchObject({ value: true, reason: "STATIC" });
    expect(client.evaluate("retired", { key: "user-1" }).reason).toBe("FLAG_NOT_FOUND");
    expect(client.isEnabled("beta-feature", { key: "u-new" })).toBe(true);
    expect(client.isEnabled("beta-feature", { key: "u-other" })).toBe(false);
    const rolledOut = contexts.map((context) => client.evaluate("gradual", context));
    expect(new Set(rolledOut.map((result) => result.reason))).toEqual(new Set(["SPLIT"]));
    expect(new Set(rolledOut.map((result) => result.value))).toEqual(new Set([true, false]));
    await expectSameEvaluations(client, again.url, sdkKey);

    await check({ client, changes, url: again.url, sdkKey, before, after });
    expect(client.status()).toEqual({ state: "ready", revision: after });
  } finally {
    await client.close();
  }
}

/**
 * The puts and patches the server streams to a subscriber resuming from `from`, up to `until`
 * (other events, such as markers that the replay is complete, are left out).
 */
async function streamedSince(url: string, sdkKey: string, from: number, until: number) {
  const reader = await SseReader.open(`${url}/sdk/v1/stream`, { Authorization: `Bearer ${sdkKey}`, "Last-Event-ID": String(from) });
  try {
    await reader.waitFor((message) => (message.event === "put" || message.event === "patch") && message.id === String(until), 5_000);
    return reader.events().filter((message) => message.event === "put" || message.event === "patch");
  } finally {
    reader.abort();
  }
}

describe("changes made while the server is stopped", () => {
  it("are all applied after it restarts, as patches resumed from Last-Event-ID", async () => {
    await runScenario({}, async ({ changes, url, sdkKey, before, after }) => {
      // One change event per patch, in revision order; a put would have come as one event naming them all.
      expect(changes.map((change) => change.keys)).toEqual(changesWhileAway.map(([key]) => [key]));
      const events = await streamedSince(url, sdkKey, before, after);
      expect(events.map((event) => event.event)).toEqual(changesWhileAway.map(() => "patch"));
      expect(events.map((event) => Number(event.id))).toEqual(changesWhileAway.map((_, i) => before + i + 1));
    });
  });

  it("are all applied after the change log was trimmed past the SDK's revision, through a put", async () => {
    await runScenario({ SWITCHYARD_CHANGE_LOG_RETENTION: "2" }, async ({ changes, url, sdkKey, before, after }) => {
      expect(changesWhileAway.length).toBeGreaterThan(2);
      const events = await streamedSince(url, sdkKey, before, after);
      expect(events.map((event) => [event.event, Number(event.id)])).toEqual([["put", after]]);
      // The put's difference, reported at once.
      expect(changes).toHaveLength(1);
      expect([...changes[0]!.keys].sort()).toEqual([...new Set(changesWhileAway.map(([key]) => key))].sort());
    });
  });
});
