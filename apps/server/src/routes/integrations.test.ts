/**
 * The Alertmanager receiver against payloads as Alertmanager 0.25 sends them
 * (test/fixtures/alertmanager/*.json, captured from the real binary and then relabelled).
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { createHarness, type CallerKind, type Harness } from "../test-support/harness.js";

const fixture = (name: "firing" | "resolved" | "grouped" | "repeated" | "malformed") =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/alertmanager/${name}.json`, import.meta.url), "utf8"));

const RECEIVER = "/api/v1/integrations/alertmanager";
const production = "/api/v1/flags/new-checkout/environments/production";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout", tags: ["checkout"] } });
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "dark-mode" } });
});

const notify = (as: CallerKind, payload: unknown, query = "") => h.call(as, "POST", `${RECEIVER}${query}`, { body: payload });
const config = async (flag: string, env = "production") => (await h.call("viewer", "GET", `/api/v1/flags/${flag}/environments/${env}`)).json;
const auditEntries = async () => (await h.call("viewer", "GET", "/api/v1/audit?limit=500")).json.entries as any[];

describe("POST /api/v1/integrations/alertmanager", () => {
  it("kills the flag of a firing alert, citing the alert, with the alert in the audit entry", async () => {
    const payload = fixture("firing");
    const response = await notify("automation", payload);
    expect(response.status).toBe(200);
    expect(response.json.results).toEqual([
      {
        fingerprint: "e607ead8320ce470",
        alertname: "CheckoutErrorRate",
        status: "firing",
        flag: "new-checkout",
        environment: "production",
        outcome: "killed",
        message: "killed 'new-checkout' in production",
      },
    ]);
    expect(await config("new-checkout")).toMatchObject({ killed: true, killReason: "Alertmanager: CheckoutErrorRate: Checkout errors above 2%", killedBy: "pager" });
    const [kill] = await auditEntries();
    const alert = payload.alerts[0];
    expect(kill).toMatchObject({ action: "flag.kill", flag: "new-checkout", environment: "production", actor: { kind: "automation", name: "pager" } });
    expect(kill.details).toEqual({
      source: "alertmanager",
      status: "firing",
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
    });
  });

  it("is idempotent: a repeated notification changes and records nothing", async () => {
    await notify("editor", fixture("grouped"));
    const before = await auditEntries();
    const repeated = await notify("editor", fixture("repeated"));
    expect(repeated.status).toBe(200);
    expect(repeated.json.results.map((r: { outcome: string }) => r.outcome)).toEqual(["already_killed", "already_killed"]);
    expect(await auditEntries()).toEqual(before);
    expect((await config("new-checkout")).killReason).toBe("Alertmanager: CheckoutErrorRate: Checkout errors above 2%");
  });

  it("handles every alert of a grouped payload, each on its own flag and environment", async () => {
    const response = await notify("editor", fixture("grouped"));
    expect(response.status).toBe(200);
    expect(response.json.results.map((r: any) => [r.flag, r.environment, r.outcome])).toEqual([
      ["new-checkout", "production", "killed"],
      ["dark-mode", "staging", "killed"],
      [null, null, "ignored"],
      ["no-such-flag", "production", "not_found"],
    ]);
    expect(response.json.results[2].message).toBe("no switchyard_flag label");
    expect((await config("new-checkout")).killed).toBe(true);
    expect((await config("dark-mode", "staging")).killed).toBe(true);
    expect((await config("dark-mode", "production")).killed).toBe(false);
    expect((await auditEntries()).filter((e) => e.action === "flag.kill")).toHaveLength(2);
  });

  it("reports flags outside the token's scope per alert with 200 (retrying would not help), acting only within it", async () => {
    const response = await notify("automation", fixture("grouped"));
    expect(response.status).toBe(200);
    expect(response.json.results.map((r: any) => r.outcome)).toEqual(["killed", "forbidden", "ignored", "forbidden"]);
    // A missing flag and an existing one outside the scope read the same.
    expect(response.json.results[1].message).toBe("automation token 'pager' is not scoped to flag 'dark-mode'");
    expect(response.json.results[3].message).toBe("automation token 'pager' is not scoped to flag 'no-such-flag'");
    expect((await config("dark-mode", "staging")).killed).toBe(false);
  });

  it("keeps a flag killed when its alert resolves, unless the receiver URL asks to unkill", async () => {
    await notify("automation", fixture("firing"));
    const kept = await notify("automation", fixture("resolved"));
    expect(kept.json.results).toMatchObject([{ status: "resolved", outcome: "ignored" }]);
    expect((await config("new-checkout")).killed).toBe(true);

    const unkilled = await notify("automation", fixture("resolved"), "?resolved=unkill");
    expect(unkilled.json.results).toMatchObject([{ status: "resolved", outcome: "unkilled", flag: "new-checkout" }]);
    expect((await config("new-checkout")).killed).toBe(false);
    const [entry] = await auditEntries();
    expect(entry).toMatchObject({ action: "flag.unkill", reason: "Alertmanager: CheckoutErrorRate: resolved", actor: { name: "pager" } });
    expect(entry.details).toMatchObject({ status: "resolved", fingerprint: "e607ead8320ce470", endsAt: "2026-11-26T09:14:03Z" });

    // Resolving again finds nothing to undo.
    const again = await notify("automation", fixture("resolved"), "?resolved=unkill");
    expect(again.json.results).toMatchObject([{ outcome: "kept" }]);
  });

  it("unkills only a kill the same alert caused", async () => {
    await h.call("editor", "POST", `${production}/kill`, { body: { reason: "by hand" } });
    // Firing for a flag a person killed: nothing changes, and so the kill is still the person's.
    expect((await notify("automation", fixture("firing"))).json.results[0].outcome).toBe("already_killed");
    const resolved = await notify("automation", fixture("resolved"), "?resolved=unkill");
    expect(resolved.json.results).toMatchObject([{ outcome: "kept", message: "'new-checkout' in production is not killed by this alert; left as it is" }]);
    expect(await config("new-checkout")).toMatchObject({ killed: true, killReason: "by hand" });

    // Killed by another alert: its fingerprint differs.
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "fixed" } });
    const other = fixture("firing");
    other.alerts[0].fingerprint = "0000000000000001";
    await notify("automation", other);
    expect((await notify("automation", fixture("resolved"), "?resolved=unkill")).json.results[0].outcome).toBe("kept");
    expect((await config("new-checkout")).killed).toBe(true);
  });

  it("refuses a malformed payload with 400 naming each bad field, and changes nothing", async () => {
    const before = await auditEntries();
    const response = await notify("automation", fixture("malformed"));
    expect(response.status).toBe(400);
    expect(response.json.error.issues).toEqual([
      { path: "version", message: 'must be "4" (Alertmanager\'s webhook payload version)' },
      { path: "alerts[0].labels", message: expect.any(String) },
      { path: "alerts[0].fingerprint", message: expect.any(String) },
      { path: "alerts[1].status", message: expect.any(String) },
    ]);
    // A good alert beside the bad ones is not acted on either.
    expect((await config("new-checkout")).killed).toBe(false);
    expect((await config("dark-mode", "staging")).killed).toBe(false);
    expect((await h.call("automation", "POST", RECEIVER, { body: "alert!", headers: { "Content-Type": "text/plain" } })).status).toBe(415);
    expect((await h.call("automation", "POST", RECEIVER, { body: "{", headers: { "Content-Type": "application/json" } })).status).toBe(400);
    expect((await notify("automation", { ...fixture("firing"), alerts: "none" })).json.error.issues).toEqual([{ path: "alerts", message: expect.any(String) }]);
    expect((await notify("automation", fixture("firing"), "?resolved=maybe")).json.error.issues).toEqual([{ path: "resolved", message: expect.any(String) }]);
    expect(await auditEntries()).toEqual(before);
  });

  it("takes switchyard_env, and a summary-less alert gets its name alone as the reason", async () => {
    const payload = fixture("firing");
    payload.alerts[0].labels.switchyard_env = "staging";
    payload.alerts[0].annotations = {};
    const response = await notify("editor", payload);
    expect(response.json.results[0]).toMatchObject({ environment: "staging", outcome: "killed" });
    expect((await config("new-checkout", "staging")).killReason).toBe("Alertmanager: CheckoutErrorRate");
    expect((await config("new-checkout")).killed).toBe(false);
  });

  it("accepts a token scoped by tag; an unknown environment is reported per alert", async () => {
    const token = h.token({ kind: "automation", name: "alerts-by-tag", scope: { flags: [], tags: ["checkout"], environments: ["production"] } });
    const response = await h.call("anonymous", "POST", RECEIVER, { body: fixture("firing"), headers: { Authorization: `Bearer ${token}` } });
    expect(response.json.results[0]).toMatchObject({ outcome: "killed" });
    expect((await config("new-checkout")).killedBy).toBe("alerts-by-tag");
    const payload = fixture("firing");
    payload.alerts[0].labels.switchyard_env = "qa";
    const unknownEnvironment = await notify("editor", payload);
    expect(unknownEnvironment.json.results[0]).toMatchObject({ environment: "qa", outcome: "not_found", message: "environment 'qa' not found" });
  });
});
