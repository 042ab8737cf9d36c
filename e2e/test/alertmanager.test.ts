/**
 * The real Alertmanager as a kill switch: an alert posted to Alertmanager's API with a
 * `switchyard_flag` label reaches Switchyard's receiver (as Alertmanager's webhook, with the
 * automation token as its Bearer), and the flag is killed in a connected Node SDK; the audit
 * entry holds the alert. When the alert resolves, the receiver URL's `?resolved=unkill` undoes
 * that kill. Latencies are printed, never asserted.
 *
 * Fails (does not skip) when /usr/bin/prometheus-alertmanager is missing.
 */
import { createClient } from "@switchyard/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin } from "../support/admin.js";
import { requireAlertmanager, startAlertmanager, stopAllAlertmanagers, type AlertmanagerProcess } from "../support/alertmanager.js";
import { collectingLogger, ms, waitUntil } from "../support/sdk.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

/** Alertmanager waits group_wait (200 ms) before the first notification and group_interval (500 ms) between. */
const NOTIFY_TIMEOUT_MS = 15_000;

let server: ServerProcess;
let admin: Admin;

beforeAll(async () => {
  server = await startServer();
  admin = await Admin.login(server.url);
});
afterAll(async () => {
  await stopAllAlertmanagers();
  await stopAllServers();
});

describe("Alertmanager → Switchyard", () => {
  it("an alert with switchyard_flag posted to Alertmanager kills the flag in the SDK, and its resolution unkills it", async () => {
    requireAlertmanager();
    await admin.createFlag({ key: "new-checkout" });
    await admin.configure("new-checkout", { enabled: true, fallthrough: { variant: "on" } });
    const token = (
      await admin.ok("POST", "/api/v1/credentials", { kind: "automation", name: "alertmanager", scope: { flags: ["new-checkout"], environments: ["production"] } })
    ).token as string;
    const client = createClient({ url: server.url, sdkKey: await admin.serverKey(), logger: collectingLogger() });
    let alertmanager: AlertmanagerProcess | undefined;
    try {
      expect(await client.ready()).toBe(true);
      const context = { key: "user-1" };
      expect(client.isEnabled("new-checkout", context)).toBe(true);

      alertmanager = await startAlertmanager({ receiverUrl: `${server.url}/api/v1/integrations/alertmanager?resolved=unkill`, token });
      const alert = {
        labels: { alertname: "CheckoutErrorRate", severity: "page", switchyard_flag: "new-checkout" },
        annotations: { summary: "Checkout errors above 2%" },
        generatorURL: "http://prometheus.example:9090/graph?g0.expr=checkout_error_ratio+%3E+0.02",
      };
      const posted = performance.now();
      await alertmanager.postAlerts([alert]);
      await waitUntil(
        () => client.evaluate("new-checkout", context).reason === "KILLED",
        NOTIFY_TIMEOUT_MS,
        () => `the SDK still sees ${JSON.stringify(client.evaluate("new-checkout", context))}; Alertmanager said:\n${alertmanager!.output.slice(-20).join("\n")}`,
      );
      const killedAfter = performance.now() - posted;
      expect(client.isEnabled("new-checkout", context)).toBe(false);

      const [kill] = (await admin.ok("GET", "/api/v1/audit?flag=new-checkout&limit=1")).entries;
      expect(kill).toMatchObject({
        action: "flag.kill",
        environment: "production",
        actor: { kind: "automation", name: "alertmanager" },
        reason: "Alertmanager: CheckoutErrorRate: Checkout errors above 2%",
        details: { source: "alertmanager", status: "firing", labels: alert.labels, annotations: alert.annotations, generatorURL: alert.generatorURL },
      });
      expect(kill.details.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(Date.parse(kill.details.startsAt)).not.toBeNaN();

      // Resolved: Alertmanager tells the receiver at its next group interval; the kill it caused is undone.
      await alertmanager.postAlerts([{ ...alert, endsAt: new Date().toISOString() }]);
      await waitUntil(() => client.isEnabled("new-checkout", context), NOTIFY_TIMEOUT_MS, () => `the flag is still killed; Alertmanager said:\n${alertmanager!.output.slice(-20).join("\n")}`);
      const [unkill] = (await admin.ok("GET", "/api/v1/audit?flag=new-checkout&limit=1")).entries;
      expect(unkill).toMatchObject({ action: "flag.unkill", actor: { name: "alertmanager" }, details: { status: "resolved", fingerprint: kill.details.fingerprint } });

      console.log(`Alertmanager: alert posted -> flag killed in the SDK after ${ms(killedAfter)} (group_wait 200 ms)`);
    } finally {
      await client.close();
      await alertmanager?.stop();
    }
  });
});
