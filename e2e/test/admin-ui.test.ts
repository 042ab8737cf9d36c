/**
 * The admin UI as a product owner uses it, in real headless Chromium against a real server
 * process serving the built UI (apps/web/dist, built by `pnpm test` before the tests run):
 *
 * - sign in, create a flag, turn it on in production at 10% for users in NL, check contexts with
 *   "try a context" (and that the SDK API agrees), kill it with a reason and see the kill on the
 *   flag page, the list and the SDK, then read the audit entries;
 * - two browsers editing the same flag: the second save is a conflict, not a lost write;
 * - a viewer can change nothing;
 * - a change made through the API shows on an open page without a reload;
 * - a rollout plan defined in the UI and started there runs.
 *
 * Screenshots of the main pages land in test-results/screenshots/ui-*.png.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bucket, type EvaluationContext } from "@switchyard/core";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin, evaluateOnServer } from "../support/admin.js";
import { launchChromium, type Chromium } from "../support/browser.js";
import { ms } from "../support/sdk.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const screenshots = repo("test-results/screenshots");
const UI_TIMEOUT_MS = 10_000;
const EDITOR = { email: "editor@example.com", password: "editor-password-1" };
const VIEWER = { email: "viewer@example.com", password: "viewer-password-1" };

let server: ServerProcess;
let admin: Admin;
let serverKey: string;
const browsers: Chromium[] = [];

beforeAll(async () => {
  if (!existsSync(repo("apps/web/dist/index.html"))) {
    throw new Error("The admin UI is not built: run `pnpm build` (or `pnpm test`, which builds it) first.");
  }
  mkdirSync(screenshots, { recursive: true });
  server = await startServer();
  admin = await Admin.login(server.url);
  await admin.ok("POST", "/api/v1/users", { ...EDITOR, role: "editor" });
  await admin.ok("POST", "/api/v1/users", { ...VIEWER, role: "viewer" });
  serverKey = await admin.serverKey();
});

afterAll(async () => {
  for (const browser of browsers.splice(0)) await browser.close();
  await stopAllServers();
});

/** A new browser (its own profile, so its own session) signed in as `who`, at 1280 × 900. */
async function signedIn(who: { email: string; password: string }): Promise<Page> {
  const browser = await launchChromium();
  browsers.push(browser);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(server.url);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Flags", exact: true }).waitFor();
  return page;
}

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `${screenshots}/ui-${name}.png`, fullPage: true });
}

/** The text of the <dd> after the <dt> named `term` inside `scope`. */
function definition(scope: Locator, term: string): Locator {
  return scope.locator(`dt:text-is("${term}") + dd`);
}

/** A context key of the given country that falls inside (or outside) the first 10% of buckets. */
function contextKey(flagKey: string, salt: string, inside: boolean): string {
  for (let i = 0; ; i++) {
    const key = `user-${i}`;
    if (bucket(flagKey, salt, key) < 10_000 === inside) return key;
  }
}

describe("the admin UI in Chromium", () => {
  it("takes a flag from creation to a targeted 10% rollout to a kill, all audited", async () => {
    const page = await signedIn({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await screenshot(page, "flags-empty");

    // Create: the key is checked as it is typed.
    await page.getByRole("button", { name: "Create flag" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create flag" });
    await dialog.getByLabel("Key").fill("New Checkout");
    await expect.poll(() => dialog.getByLabel("Key").getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => dialog.getByRole("button", { name: "Create flag" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Key").fill("new-checkout");
    await dialog.getByLabel("Name").fill("New checkout");
    await dialog.getByLabel("Tags").fill("checkout, web");
    await dialog.getByRole("button", { name: "Create flag" }).click();
    await page.waitForURL(/\/flags\/new-checkout/);
    await page.getByRole("heading", { name: "New checkout" }).waitFor();

    // Production (the default tab): users in NL get a 10% split, everyone else gets off.
    const targeting = page.locator("form.targeting");
    await targeting.getByRole("button", { name: "+ Add rule" }).click();
    const rule = targeting.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Rule 1" }) });
    await rule.getByLabel("Attribute").fill("country");
    await rule.getByLabel("Operator").selectOption("in");
    await rule.getByLabel("Values", { exact: true }).fill("NL");
    await rule.getByLabel("Values", { exact: true }).press("Enter");
    await rule.getByLabel("Split by percentage").check();
    await rule.getByLabel("Percent for on").fill("10");
    await rule.getByLabel("Percent for off").fill("90");
    await targeting.getByRole("group", { name: "Everyone else" }).getByLabel("Variant", { exact: true }).selectOption("off");
    await targeting.getByLabel("Reason (optional)").fill("Canary for NL");
    await targeting.getByRole("button", { name: "Save changes" }).click();
    await targeting.getByText("Saved.").waitFor();
    await page.getByRole("switch", { name: "Serving in production" }).click();
    await expect.poll(() => page.getByRole("switch", { name: "Serving in production" }).getAttribute("aria-checked")).toBe("true");

    const config = await admin.ok("GET", "/api/v1/flags/new-checkout/environments/production");
    expect(config.enabled).toBe(true);
    expect(config.rules).toEqual([
      {
        clauses: [{ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false }],
        serve: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } },
      },
    ]);
    expect(config.fallthrough).toEqual({ variant: "off" });
    await screenshot(page, "flag-targeted");

    // Try a context: the page's answer is the SDK API's answer, for a context in, out, and elsewhere.
    const { salt } = await admin.ok("GET", "/api/v1/flags/new-checkout");
    const tryPanel = page.getByRole("region", { name: "Try a context" });
    const cases: [string, EvaluationContext, string][] = [
      ["NL, inside the 10%", { key: contextKey("new-checkout", salt, true), country: "NL" }, "on"],
      ["NL, outside the 10%", { key: contextKey("new-checkout", salt, false), country: "NL" }, "off"],
      ["DE", { key: contextKey("new-checkout", salt, true), country: "DE" }, "off"],
    ];
    for (const [label, context, variant] of cases) {
      await page.getByLabel("Context (JSON)").fill(JSON.stringify(context));
      const result = tryPanel.locator(".try-result").first();
      await expect.poll(() => definition(result, "Variant").textContent(), { message: label }).toBe(variant);
      const sdk = (await evaluateOnServer(server.url, serverKey, context)).flags["new-checkout"]!;
      expect(sdk.variant, label).toBe(variant);
      expect(await definition(result, "Reason").textContent(), label).toContain(sdk.reason);
      expect(await definition(result, "Value").textContent(), label).toBe(JSON.stringify(sdk.value));
    }

    // Kill: a confirmation with a required reason; then the kill shows everywhere.
    await page.getByRole("button", { name: "Kill switch" }).click();
    const killDialog = page.getByRole("dialog", { name: "Kill new-checkout in production?" });
    const confirmKill = killDialog.getByRole("button", { name: "Kill in production" });
    expect(await confirmKill.isDisabled()).toBe(true);
    await killDialog.getByLabel("Reason (required)").fill("Checkout errors spiking");
    await confirmKill.click();
    const banner = page.locator(".kill-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Killed in production.*admin@localhost.*Checkout errors spiking/s);
    expect((await evaluateOnServer(server.url, serverKey, cases[0]![1])).flags["new-checkout"]!.reason).toBe("KILLED");
    await screenshot(page, "flag-killed");

    await page.getByRole("link", { name: "Flags", exact: true }).first().click();
    const row = page.getByRole("row").filter({ hasText: "new-checkout" });
    await row.getByText("killed").first().waitFor();
    await screenshot(page, "flags-list");

    // The audit log has each step, with the actor and the kill's reason.
    await page.getByRole("link", { name: "Audit log" }).click();
    const entries = page.locator("main li, main tr").filter({ hasText: "new-checkout" });
    await entries.filter({ hasText: "Checkout errors spiking" }).first().waitFor();
    // Waited for, not read once: a live event may refetch the list while the test looks.
    await page.locator("main").getByText("Canary for NL").first().waitFor();
    await page.locator("main").getByText("admin@localhost").first().waitFor();
    const audit = await admin.ok("GET", "/api/v1/audit?flag=new-checkout");
    expect(audit.entries.map((entry: { action: string }) => entry.action)).toEqual(["flag.kill", "flag.config.update", "flag.config.update", "flag.create"]);
    await screenshot(page, "audit");

    for (const path of ["/segments", "/environments", "/credentials"]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await screenshot(page, path.slice(1));
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/flags/new-checkout`);
    await page.locator(".kill-banner").waitFor();
    await screenshot(page, "flag-375");
  });

  it("gives the second of two editors a conflict with the current state, not a lost write", async () => {
    await admin.createFlag({ key: "search-v2" });
    const first = await signedIn({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const second = await signedIn(EDITOR);
    for (const page of [first, second]) {
      await page.goto(`${server.url}/flags/search-v2?env=production`);
      await page.locator("form.targeting").getByRole("button", { name: "+ Add rule" }).click();
    }
    const addCondition = async (page: Page, country: string) => {
      const rule = page.locator("form.targeting").getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Rule 1" }) });
      await rule.getByLabel("Attribute").fill("country");
      await rule.getByLabel("Values", { exact: true }).fill(country);
      await rule.getByLabel("Values", { exact: true }).press("Enter");
    };
    await addCondition(first, "NL");
    await addCondition(second, "BE");

    await first.getByRole("button", { name: "Save changes" }).click();
    await first.getByText("Saved.").waitFor();
    // The second page hears of the save and keeps its draft, marked stale.
    await second.getByText(/changed in production since you started editing/).waitFor();
    await second.getByRole("button", { name: "Save changes" }).click();
    const conflict = second.locator(".conflict");
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain("Nothing was overwritten");
    await screenshot(second, "conflict");

    const config = await admin.ok("GET", "/api/v1/flags/search-v2/environments/production");
    expect(config.rules[0].clauses[0].values).toEqual(["NL"]);
    await second.getByRole("button", { name: "Discard my changes and load the current version" }).click();
    await expect.poll(() => second.locator(".chips").first().textContent()).toContain("NL");
  });

  it("lets a viewer see everything and change nothing", async () => {
    await admin.createFlag({ key: "viewer-sees" });
    const page = await signedIn(VIEWER);
    expect(await page.getByRole("button", { name: "Create flag" }).first().isDisabled()).toBe(true);
    await page.getByRole("link", { name: "viewer-sees" }).click();
    await page.getByRole("switch", { name: "Serving in production" }).waitFor();
    expect(await page.getByRole("switch", { name: "Serving in production" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Kill switch" }).isDisabled()).toBe(true);
    expect(await page.locator("form.targeting").getByRole("button", { name: "+ Add rule" }).isDisabled()).toBe(true);
    expect(await page.getByText(/Read-only/).first().isVisible()).toBe(true);
    await screenshot(page, "viewer");
    const before = await admin.ok("GET", "/api/v1/audit?flag=viewer-sees");
    expect(before.entries).toHaveLength(1);
  });

  it("shows a change made through the API on an open page without a reload", async () => {
    await admin.createFlag({ key: "live-banner" });
    const page = await signedIn(EDITOR);
    await page.goto(`${server.url}/flags/live-banner?env=production`);
    await page.getByRole("switch", { name: "Serving in production" }).waitFor();
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));

    const started = performance.now();
    await admin.kill("live-banner", "paged by the on-call");
    await page.locator(".kill-banner").filter({ hasText: "paged by the on-call" }).waitFor();
    const shownAfter = performance.now() - started;
    await admin.unkill("live-banner", "false alarm");
    await admin.configure("live-banner", { enabled: true });
    await expect.poll(() => page.getByRole("switch", { name: "Serving in production" }).getAttribute("aria-checked")).toBe("true");
    expect(await page.locator(".kill-banner").count()).toBe(0);
    expect(navigations).toEqual([]);
    console.log(`UI: a kill through the API showed on the open page after ${ms(shownAfter)}`);
  });

  it("defines a rollout plan on the flag page and starts it", async () => {
    await admin.createFlag({ key: "plan-ui" });
    const page = await signedIn(EDITOR);
    await page.goto(`${server.url}/flags/plan-ui?env=production`);
    const card = page.getByRole("region", { name: "Rollout plan" });
    await card.getByText("No plan yet in production").waitFor();
    await card.getByLabel("Step 1 hold", { exact: true }).fill("30");
    await card.getByLabel("Step 1 hold unit").selectOption("seconds");
    await card.getByRole("button", { name: "Save plan" }).click();
    await card.getByText("Saved.").waitFor();
    await card.getByRole("button", { name: "Start" }).click();
    await card.getByText("Step 1 of 5 — 1%").waitFor();
    expect(await card.locator(".plan-headline").textContent()).toContain("running");
    await screenshot(page, "plan-running");

    const plan = await admin.ok("GET", "/api/v1/flags/plan-ui/environments/production/plan");
    expect(plan).toMatchObject({ state: "running", currentStep: 0, steps: [{ percent: 1, holdSeconds: 30 }, { percent: 5, holdSeconds: 600 }, {}, {}, {}] });
    const config = await admin.ok("GET", "/api/v1/flags/plan-ui/environments/production");
    expect(config.enabled).toBe(true);
    expect(config.fallthrough.rollout.variants).toEqual([{ variant: "on", weight: 1_000 }, { variant: "off", weight: 99_000 }]);
  });
});
