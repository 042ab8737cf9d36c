/**
 * A cold start while the server is down serves the values persisted by an earlier run: a client
 * with `persistPath` receives data and closes; the server stops; a new client with the same
 * `persistPath` (server unreachable) serves the persisted values with status `stale`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@switchyard/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { Admin, fetchSnapshot } from "../support/admin.js";
import { collectingLogger } from "../support/sdk.js";
import { startServer, stopAllServers } from "../support/server-process.js";

const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-e2e-cache-"));
afterAll(async () => {
  await stopAllServers();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("cold start with the server down", () => {
  it("serves the persisted values with status stale", async () => {
    const server = await startServer();
    const admin = await Admin.login(server.url);
    await admin.createFlag({ key: "new-checkout" });
    await admin.configure("new-checkout", {
      enabled: true,
      rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "on" } }],
      fallthrough: { variant: "off" },
    });
    await admin.createFlag({
      key: "banner",
      kind: "string",
      variants: [
        { key: "blue", value: "blue" },
        { key: "green", value: "green" },
      ],
    });
    await admin.configure("banner", { enabled: true, fallthrough: { variant: "green" } });
    await admin.createFlag({ key: "killed" });
    await admin.configure("killed", { enabled: true, fallthrough: { variant: "on" } });
    await admin.kill("killed", "persisted while killed");
    const sdkKey = await admin.serverKey();
    const revision = (await fetchSnapshot(server.url, sdkKey)).revision;
    const persistPath = join(cacheDir, "switchyard.json");

    const warm = createClient({ url: server.url, sdkKey, persistPath, logger: collectingLogger() });
    expect(await warm.ready()).toBe(true);
    expect(warm.status()).toEqual({ state: "ready", revision });
    const expected = {
      nl: warm.allFlags({ key: "user-1", country: "NL" }),
      other: warm.allFlags({ key: "user-2", country: "DE" }),
    };
    expect(expected.nl["new-checkout"]).toMatchObject({ value: true, reason: "RULE_MATCH" });
    expect(expected.other["banner"]).toMatchObject({ value: "green" });
    await warm.close(); // resolves once the last write is on disk
    expect(readFileSync(persistPath, "utf8")).not.toContain(sdkKey.split(".")[1]!);

    expect(await server.stop()).toBe(0);
    const unreachable = await fetch(`${server.url}/healthz`).then(
      () => "answered",
      () => "refused",
    );
    expect(unreachable).toBe("refused");

    const logger = collectingLogger();
    const cold = createClient({ url: server.url, sdkKey, persistPath, logger });
    try {
      const started = performance.now();
      expect(await cold.ready()).toBe(true);
      console.log(`cold start from the persisted file: ready() after ${(performance.now() - started).toFixed(1)} ms with the server down`);
      const status = cold.status();
      expect(status).toMatchObject({ state: "stale", revision, error: { code: "network_error" } });
      expect(cold.allFlags({ key: "user-1", country: "NL" })).toEqual(expected.nl);
      expect(cold.allFlags({ key: "user-2", country: "DE" })).toEqual(expected.other);
      expect(cold.isEnabled("new-checkout", { key: "user-1", country: "NL" })).toBe(true);
      expect(cold.variant("banner", { key: "user-2" }, "blue")).toBe("green");
      expect(cold.evaluate("killed", { key: "user-1" })).toMatchObject({ value: false, reason: "KILLED" });
    } finally {
      await cold.close();
    }
  });
});
