import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RolloutPlanStatusView } from "@switchyard/core";
import { breachView, guardStatusView, planView, runningPlanView } from "../plan-fixtures";
import { configView, conflictResponse, flagView, jsonResponse, renderWithQueries } from "../test-fixtures";
import { PlanActions } from "./plan-actions";
import { BreachBanner, PlanStatus } from "./plan-status";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const cohortRow = (guard: HTMLElement, cohort: string) =>
  within(guard)
    .getAllByRole("row")
    .find((row) => row.querySelector("th")?.textContent === cohort) as HTMLTableRowElement;

describe("PlanStatus", () => {
  it("shows a running plan's step, a ticking countdown to the next, and each guard's numbers per cohort", () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    const plan = runningPlanView(6 * 60_000);
    render(<PlanStatus plan={plan} receivedAt={Date.now()} />);
    expect(screen.getByText("Step 2 of 5 — 5%")).toBeTruthy();
    expect(screen.getByText("Next step (25%) in 4 min")).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(screen.getByText("Next step (25%) in 3 min 58 s")).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Hold of step 2" }).getAttribute("value")).toBe("362000");
    expect(screen.getByRole("listitem", { current: "step" }).textContent).toBe("5%10 minnow");

    expect(screen.getByText("Measured over 5 min 30 s of this step.")).toBeTruthy();
    const guard = screen.getByRole("region", { name: /error rate/ });
    expect(within(guard).getByText("within limits")).toBeTruthy();
    expect(within(guard).getByText(/Limit: max 1.5× control and 2% \(now 1.5%\); judged once each cohort has 1000 evaluations/)).toBeTruthy();
    expect([...cohortRow(guard, "Rollout").cells].map((cell) => cell.textContent)).toEqual(["Rollout", "1,200", "12", "1%"]);
    expect([...cohortRow(guard, "Control").cells].map((cell) => cell.textContent)).toEqual(["Control", "20,000", "200", "1%"]);
  });

  it("says what a step whose hold is over waits for: samples", () => {
    const waiting = guardStatusView({
      verdict: "waiting",
      limit: null,
      rollout: { evaluations: 120, events: 1, rate: 1 / 120, p95: null },
      message: "error rate: waiting for samples (rollout cohort: 120 of 1000 evaluations)",
    });
    const plan = runningPlanView(600_000, undefined, [waiting]);
    render(<PlanStatus plan={{ ...plan, live: { ...plan.live!, waitingFor: waiting.message } }} receivedAt={Date.now()} />);
    expect(screen.getByText("Hold over; waiting for samples.").parentElement!.textContent).toContain("rollout cohort: 120 of 1000 evaluations");
    expect(within(screen.getByRole("region", { name: /error rate/ })).getByText("waiting for samples")).toBeTruthy();
  });

  it("shows a halted plan's breach with the measured numbers, in red and in words", () => {
    const plan = planView({ state: "halted", currentStep: 1, breach: breachView(), version: 9 });
    render(<PlanStatus plan={plan} receivedAt={Date.now()} />);
    expect(screen.getByText(/Halted at step 2 of 5 \(5%\): flag killed/)).toBeTruthy();
    const guard = screen.getByRole("region", { name: /error rate/ });
    expect(within(guard).getByText("breached")).toBeTruthy();
    expect(cohortRow(guard, "Rollout").textContent).toContain("10.2% — above the limit");
    expect(screen.getByText(/unkill the flag and start the plan again/)).toBeTruthy();
  });

  it("shows a paused plan's step and the hold it has served", () => {
    const plan = planView({ state: "paused", currentStep: 2, live: { at: new Date().toISOString(), percent: 25, heldMs: 192_000, holdMs: 600_000, nextStepAt: null, guards: [], since: null, waitingFor: null } });
    render(<PlanStatus plan={plan} receivedAt={Date.now()} />);
    expect(screen.getByText("Paused at step 3 of 5 — 25%")).toBeTruthy();
    expect(screen.getByText(/3 min 12 s of 10 min held/)).toBeTruthy();
    expect(screen.queryByText(/Next step/)).toBeNull();
  });
});

describe("BreachBanner", () => {
  it("puts the breach and its numbers at the top of the flag page", () => {
    render(<BreachBanner plan={planView({ state: "halted", currentStep: 1, breach: breachView() })} />);
    expect(screen.getByRole("status").textContent).toMatch(
      /^Rollout plan halted in production: error rate 10.2% in the rollout cohort vs 1% in control \(max 1.5× control and 2%\) — flag killed\.At step 2 \(5%\), 2 minutes ago: rollout 10.2% \(102 of 1,000\), control 1% \(190 of 19,000\)\.$/,
    );
  });

  it("shows nothing for a plan that is not halted", () => {
    const { container } = render(<BreachBanner plan={runningPlanView(0)} />);
    expect(container.textContent).toBe("");
  });
});

describe("PlanActions", () => {
  const renderActions = (plan: RolloutPlanStatusView, options: { killed?: boolean; readOnlyReason?: string; unsaved?: boolean } = {}) => {
    const config = configView({ enabled: true, killed: options.killed ?? false });
    return renderWithQueries(<PlanActions flag={flagView({}, config)} config={config} plan={plan} readOnlyReason={options.readOnlyReason} unsaved={options.unsaved ?? false} />);
  };
  const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
  const posted = (fetch: ReturnType<typeof vi.fn>) =>
    fetch.mock.calls.map(([url, init]) => ({ url: String(url), body: JSON.parse((init as RequestInit).body as string) }));

  it("offers only what the state allows, each refusal with its reason", () => {
    renderActions(runningPlanView(0));
    expect(button("Start").disabled).toBe(true);
    expect(button("Start").title).toBe("The plan is already running.");
    expect(button("Resume").title).toBe("Only a paused plan can be resumed.");
    expect(button("Pause").disabled).toBe(false);
    expect(button("Abort…").disabled).toBe(false);
    expect(screen.getByText("Pause holds the rollout at 5%; Abort sets it back to 0% and ends the plan.")).toBeTruthy();
  });

  it("will not start a plan of a killed flag, or with unsaved edits, and says why", () => {
    const { unmount } = renderActions(planView(), { killed: true });
    expect(button("Start").disabled).toBe(true);
    expect(screen.getByText("The flag is killed in production: unkill it first.")).toBeTruthy();
    unmount();
    renderActions(planView(), { unsaved: true });
    expect(screen.getByText("Save or discard your changes first: Start runs the saved plan.")).toBeTruthy();
  });

  it("disables every action for a viewer, with the reason", () => {
    renderActions(runningPlanView(0), { readOnlyReason: "Your role is viewer; this needs an editor or admin." });
    for (const name of ["Start", "Pause", "Resume", "Abort…"]) expect(button(name).title).toBe("Your role is viewer; this needs an editor or admin.");
    expect(screen.getAllByRole("button").every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });

  it("resumes a paused plan at the version shown", async () => {
    const fetch = vi.fn(async () => jsonResponse(runningPlanView(0)));
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderActions(planView({ state: "paused", currentStep: 1, version: 6 }));
    expect(button("Pause").title).toBe("Only a running plan can be paused.");
    await user.click(button("Resume"));
    expect(posted(fetch)[0]).toEqual({ url: "/api/v1/flags/new-checkout/environments/production/plan/resume", body: { version: 6 } });
  });

  it("asks before aborting, and sends the reason", async () => {
    const fetch = vi.fn(async () => jsonResponse(planView({ state: "aborted", currentStep: 1, version: 6 })));
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderActions(runningPlanView(0));
    await user.click(button("Abort…"));
    const dialog = screen.getByRole("dialog", { name: "Abort the rollout plan of new-checkout in production?" });
    expect(dialog.textContent).toContain("goes back to 0% now (from 5%)");
    expect(fetch).not.toHaveBeenCalled();
    await user.type(within(dialog).getByLabelText("Reason (optional)"), "checkout looks off");
    await user.click(within(dialog).getByRole("button", { name: "Abort plan" }));
    expect(posted(fetch)[0]).toEqual({ url: "/api/v1/flags/new-checkout/environments/production/plan/abort", body: { version: 5, reason: "checkout looks off" } });
  });

  it("shows a plan that moved on meanwhile as it is now, and does nothing", async () => {
    const now = planView({ state: "halted", currentStep: 1, breach: breachView(), version: 7 });
    vi.stubGlobal("fetch", vi.fn(async () => conflictResponse(now, "cannot pause a halted plan; start it again, from its first step, once the cause is fixed")));
    const user = userEvent.setup();
    const { queryClient } = renderActions(runningPlanView(0));
    await user.click(button("Pause"));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Not done: cannot pause a halted plan; start it again, from its first step, once the cause is fixed. The plan is shown as it is now.",
    );
    expect(queryClient.getQueryData(["plans", "new-checkout", "production"])).toMatchObject({ state: "halted", version: 7 });
  });
});
