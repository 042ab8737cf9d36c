/**
 * A toggle through the admin API of the real server process reaches the Node SDK and fires
 * `change` with the flag's key. The latency (admin request sent to `change` fired) is printed,
 * never asserted: it depends on the machine.
 */
import { createClient } from "@switchyard/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin, fetchSnapshot } from "../support/admin.js";
import { collectingLogger, ms, nextChange } from "../support/sdk.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const TOGGLES = 10;
const CHANGE_TIMEOUT_MS = 5_000;

let server: ServerProcess;
let admin: Admin;

beforeAll(async () => {
  server = await startServer();
  admin = await Admin.login(server.url);
});
afterAll(stopAllServers);

describe("a toggle reaches the Node SDK", () => {
  it("kill and unkill through the admin API fire change with the flag's key, and the value follows", async () => {
    await admin.createFlag({ key: "new-checkout" });
    await admin.createFlag({ key: "bystander" });
    await admin.configure("new-checkout", { enabled: true, fallthrough: { variant: "on" } });
    const sdkKey = await admin.serverKey();
    const client = createClient({ url: server.url, sdkKey, logger: collectingLogger() });
    try {
      expect(await client.ready()).toBe(true);
      const context = { key: "user-1" };
      expect(client.isEnabled("new-checkout", context)).toBe(true);

      const latencies: number[] = [];
      for (let i = 0; i < TOGGLES; i++) {
        const kill = i % 2 === 0;
        const change = nextChange(client, CHANGE_TIMEOUT_MS);
        const sent = performance.now();
        await (kill ? admin.kill("new-checkout", "e2e toggle") : admin.unkill("new-checkout", "e2e toggle"));
        const { keys, at } = await change;
        latencies.push(at - sent);
        expect(keys).toEqual(["new-checkout"]);
        expect(client.isEnabled("new-checkout", context)).toBe(!kill);
        expect(client.evaluate("new-checkout", context)).toMatchObject({ value: !kill, reason: kill ? "KILLED" : "STATIC" });
      }

      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        `toggle -> change latency over ${TOGGLES} toggles (admin request sent to change fired): ` +
          `min ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}, max ${ms(sorted.at(-1)!)}`,
      );
      expect(client.status()).toEqual({ state: "ready", revision: (await fetchSnapshot(server.url, sdkKey)).revision });
    } finally {
      await client.close();
    }
  });
});
