import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FlagView, MeView, RolloutPlanStatusView } from "@switchyard/core";
import { keys } from "../queries";
import { breachView, planView } from "../plan-fixtures";
import { configView, environmentView, flagView, jsonResponse, renderWithQueries, testQueryClient, userMe } from "../test-fixtures";
import { FlagPage } from "./flag";

const production = configView({ version: 4 });
const flag = flagView({}, production, configView({ environment: "staging" }));
const fetchMock = vi.fn<typeof fetch>();
/** Answers to the writes, in order; reads fail unless seeded. */
let writes: Response[] = [];

beforeEach(() => {
  writes = [];
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (url, init) => {
    const answer = (init?.method ?? "GET") === "GET" ? undefined : writes.shift();
    if (answer === undefined) return jsonResponse({ error: { code: "unavailable", message: `no answer for ${init?.method ?? "GET"} ${url}`, issues: [] } }, 503);
    return answer;
  });
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function renderFlag(me: MeView = userMe("editor"), shown: FlagView = flag, plans: Record<string, RolloutPlanStatusView> = {}) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.me, me);
  queryClient.setQueryData(keys.flag(shown.key), shown);
  queryClient.setQueryData(keys.environments, [environmentView("staging"), environmentView("production")]);
  for (const environment of ["production", "staging"]) {
    queryClient.setQueryData(keys.segments(environment), []);
    queryClient.setQueryData(keys.seenContexts(environment), []);
    queryClient.setQueryData(keys.plan(shown.key, environment), plans[environment] ?? null);
  }
  queryClient.setQueryData(keys.auditPage({ flag: shown.key, environment: undefined, actor: undefined }), { entries: [], nextCursor: null });
  renderWithQueries(
    <MemoryRouter initialEntries={[`/flags/${shown.key}?env=production`]}>
      <Routes>
        <Route path="/flags/:key" element={<FlagPage />} />
      </Routes>
    </MemoryRouter>,
    queryClient,
  );
  return { queryClient, update: (next: FlagView) => queryClient.setQueryData(keys.flag(next.key), next) };
}

const targeting = () => screen.getByRole("form", { name: "Targeting" });
const writeBodies = () => fetchMock.mock.calls.filter(([, init]) => init?.method !== undefined && init.method !== "GET").map(([, init]) => JSON.parse(init!.body as string));

async function addRule(user: ReturnType<typeof userEvent.setup>) {
  await user.click(within(targeting()).getByRole("button", { name: "+ Add rule" }));
  await user.type(within(targeting()).getByLabelText("Values", { exact: true }), "NL{Enter}");
}

describe("FlagPage targeting", () => {
  it("saves the draft against the version it started from, even after a change arrived", async () => {
    writes = [jsonResponse({ error: { code: "conflict", message: "stale", issues: [], current: { ...production, enabled: true, version: 5 } } }, 409)];
    const user = userEvent.setup();
    const { update } = renderFlag();
    await addRule(user);
    update(flagView({}, { ...production, enabled: true, version: 5 }, configView({ environment: "staging" })));
    expect(await within(targeting()).findByText(/This flag changed in production since you started editing \(now version 5\)/)).toBeTruthy();
    expect(within(targeting()).getByRole("heading", { name: "Rule 1" })).toBeTruthy();

    await user.click(within(targeting()).getByRole("button", { name: "Save changes" }));
    expect(writeBodies()[0]).toMatchObject({ version: 4, rules: [{ clauses: [{ attribute: "key", values: ["NL"] }] }] });
    expect((await within(targeting()).findByRole("alert")).textContent).toContain("Nothing was overwritten");
  });

  it("follows a change made elsewhere while nothing is edited", async () => {
    const { update } = renderFlag();
    update(flagView({}, { ...production, version: 5, rules: [{ description: "From the CLI", clauses: [], serve: { variant: "on" } }] }, configView({ environment: "staging" })));
    await waitFor(() => expect((within(targeting()).getByLabelText("Description (optional)") as HTMLInputElement).value).toBe("From the CLI"));
  });

  it("keeps the page, and the draft on it, when a refresh fails", async () => {
    const user = userEvent.setup();
    const { queryClient } = renderFlag();
    await addRule(user);
    await queryClient.refetchQueries({ queryKey: keys.flag("new-checkout") });
    expect(await screen.findByText(/Could not refresh flag new-checkout/)).toBeTruthy();
    expect(within(targeting()).getByRole("heading", { name: "Rule 1" })).toBeTruthy();
  });

  it("toggles serving at the version it shows", async () => {
    writes = [jsonResponse({ ...production, enabled: true, version: 5 })];
    const user = userEvent.setup();
    renderFlag();
    await user.click(screen.getByRole("switch", { name: "Serving in production" }));
    expect(writeBodies()[0]).toEqual({ enabled: true, version: 4 });
    await waitFor(() => expect(screen.getByRole("switch", { name: "Serving in production" }).getAttribute("aria-checked")).toBe("true"));
  });

  it("shows a viewer every control disabled, with the reason where the controls are", () => {
    renderFlag(userMe("viewer"));
    expect(screen.getByRole("switch", { name: "Serving in production" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "Kill switch" })).toHaveProperty("disabled", true);
    expect(within(targeting()).getByRole("button", { name: "+ Add rule" })).toHaveProperty("disabled", true);
    expect(within(targeting()).getByText(/^Read-only: Your role is viewer/)).toBeTruthy();
    const variants = screen.getByRole("region", { name: "Variants" });
    expect(within(variants).getByText(/^Read-only: Your role is viewer/)).toBeTruthy();
  });
});

describe("FlagPage rollout plan", () => {
  it("shows a halted plan's breach with its numbers at the top, and the plan in the environment", () => {
    const killed = configView({ version: 5, enabled: true, killed: true, killReason: "rollout plan guard breached at 5%", killedBy: "rollout plan" });
    renderFlag(userMe("editor"), flagView({}, killed, configView({ environment: "staging" })), {
      production: planView({ state: "halted", currentStep: 1, breach: breachView() }),
    });
    const banners = screen.getAllByRole("status").filter((banner) => banner.classList.contains("plan-halt-banner"));
    expect(banners).toHaveLength(1);
    expect(banners[0]!.textContent).toContain("Rollout plan halted in production: error rate 10.2% in the rollout cohort vs 1% in control");
    const card = screen.getByRole("region", { name: "Rollout plan" });
    expect(within(card).getByText(/Halted at step 2 of 5/)).toBeTruthy();
    expect(within(card).getByRole("button", { name: "Start" })).toHaveProperty("disabled", true);
  });

  it("offers to define a plan where there is none", () => {
    renderFlag();
    const card = screen.getByRole("region", { name: "Rollout plan" });
    expect(within(card).getByText(/No plan yet in production/)).toBeTruthy();
    expect(within(card).getByRole("button", { name: "Save plan" })).toBeTruthy();
  });
});
