/**
 * 200 concurrent Node SDK clients (one process) all converge on the server's revision after a
 * burst of 100 concurrent writes, and evaluate every flag as the server does.
 */
import { createClient, type Client } from "@switchyard/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { Admin, evaluateOnServer, fetchSnapshot } from "../support/admin.js";
import { collectingLogger, ms, waitUntil } from "../support/sdk.js";
import { startServer, stopAllServers } from "../support/server-process.js";

const CLIENTS = 200;
const WRITES = 100;
const FLAGS = 10;
const CONVERGE_TIMEOUT_MS = 30_000;

afterAll(stopAllServers);

const flagKey = (i: number) => `burst-${i}`;
const contexts = Array.from({ length: 8 }, (_, i) => ({ key: `user-${i}` }));

describe("many clients", () => {
  it(`${CLIENTS} clients converge on the same revision after a burst of ${WRITES} writes`, async () => {
    const server = await startServer();
    const admin = await Admin.login(server.url);
    for (let i = 0; i < FLAGS; i++) {
      await admin.createFlag({ key: flagKey(i) });
      await admin.configure(flagKey(i), { enabled: true, fallthrough: { variant: "off" } });
    }
    const sdkKey = await admin.serverKey();
    const before = (await fetchSnapshot(server.url, sdkKey)).revision;

    const clients: Client[] = [];
    try {
      for (let i = 0; i < CLIENTS; i++) clients.push(createClient({ url: server.url, sdkKey, logger: collectingLogger() }));
      const ready = await Promise.all(clients.map((client) => client.ready()));
      expect(ready.every(Boolean)).toBe(true);
      expect(new Set(clients.map((client) => JSON.stringify(client.status())))).toEqual(new Set([JSON.stringify({ state: "ready", revision: before })]));

      // Write j sets flag j % 10 to its own percentage: every write changes its flag, whatever order they land in.
      const burstStarted = performance.now();
      const written = await Promise.all(
        Array.from({ length: WRITES }, (_, j) => admin.call("POST", `/api/v1/flags/${flagKey(j % FLAGS)}/environments/production/rollout`, { percent: j + 1 })),
      );
      expect(written.map((response) => response.status)).toEqual(written.map(() => 200));
      const burstMs = performance.now() - burstStarted;
      const after = (await fetchSnapshot(server.url, sdkKey)).revision;
      expect(after).toBe(before + WRITES);

      const behind = () => clients.filter((client) => client.status().state !== "ready" || (client.status() as { revision: number }).revision !== after);
      const waited = await waitUntil(
        () => behind().length === 0,
        CONVERGE_TIMEOUT_MS,
        () => `${behind().length} clients behind revision ${after}, e.g. ${JSON.stringify(behind()[0]?.status())}`,
        50,
      );
      console.log(`${WRITES} writes took ${ms(burstMs)}; all ${CLIENTS} clients on revision ${after} ${ms(waited)} after the last write answered`);

      for (const client of clients) expect(client.status()).toEqual({ state: "ready", revision: after });
      for (const context of contexts) {
        const expected = await evaluateOnServer(server.url, sdkKey, context);
        expect(expected.revision).toBe(after);
        expect(Object.keys(expected.flags)).toHaveLength(FLAGS);
        for (const client of clients) expect(client.allFlags(context)).toEqual(expected.flags);
      }
      // The last write each flag took is visible to the clients as a rollout.
      expect(clients[CLIENTS - 1]!.evaluate(flagKey(0), contexts[0]!).reason).toBe("SPLIT");
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    expect(clients.every((client) => client.status().state === "closed")).toBe(true);
  });
});
