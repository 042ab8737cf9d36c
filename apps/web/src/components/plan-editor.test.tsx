import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FlagView, RolloutPlanStatusView } from "@switchyard/core";
import { keys } from "../queries";
import { planView, runningPlanView } from "../plan-fixtures";
import { configView, conflictResponse, flagView, jsonResponse, renderWithQueries, testQueryClient } from "../test-fixtures";
import { RolloutPlanCard } from "./rollout-plan";

const flag = flagView({}, configView({ enabled: true, version: 4 }));
const fetchMock = vi.fn<typeof fetch>();
/** What GET answers (the plan on the server), and the answers to writes, in order. */
let onServer: RolloutPlanStatusView | null;
let writes: Response[];

beforeEach(() => {
  onServer = null;
  writes = [];
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (_url, init) => {
    if ((init?.method ?? "GET") === "GET") return onServer ? jsonResponse(onServer) : jsonResponse({ error: { code: "not_found", message: "no plan", issues: [] } }, 404);
    return writes.shift() ?? jsonResponse({ error: { code: "unavailable", message: "no answer", issues: [] } }, 503);
  });
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

function renderCard(plan: RolloutPlanStatusView | null, { readOnlyReason, shown = flag }: { readOnlyReason?: string; shown?: FlagView } = {}) {
  onServer = plan;
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.plan(shown.key, "production"), plan);
  return renderWithQueries(<RolloutPlanCard flag={shown} environment="production" readOnlyReason={readOnlyReason} />, queryClient);
}

const writesSent = () =>
  fetchMock.mock.calls
    .filter(([, init]) => init?.method !== undefined && init.method !== "GET")
    .map(([url, init]) => ({ url: String(url), method: init!.method, body: JSON.parse(init!.body as string) }));
const stepRow = (n: number) => screen.getByLabelText(`Step ${n} percent`).closest("li")!;
const save = () => screen.getByRole("button", { name: "Save plan" }) as HTMLButtonElement;

describe("PlanEditor", () => {
  it("starts from the default plan, refuses a step not above the one before, and saves the plan as typed", async () => {
    const saved = planView({ version: 1 });
    writes = [jsonResponse(saved)];
    const user = userEvent.setup();
    renderCard(null);
    expect(screen.getByText(/No plan yet in production/)).toBeTruthy();

    const percent = screen.getByLabelText("Step 2 percent");
    await user.clear(percent);
    await user.type(percent, "0.5");
    expect(within(stepRow(2)).getByText("Percent: Must be above the previous step's 1%.")).toBeTruthy();
    expect(percent.getAttribute("aria-invalid")).toBe("true");
    expect(save().disabled).toBe(true);

    await user.clear(percent);
    await user.type(percent, "2.5");
    await user.selectOptions(screen.getByLabelText("Step 5 hold unit"), "seconds");
    await user.clear(screen.getByLabelText("Step 5 hold"));
    await user.type(screen.getByLabelText("Step 5 hold"), "30");
    await user.clear(screen.getByLabelText("Max rate (%)"));
    await user.type(screen.getByLabelText("Max rate (%)"), "1.5");
    await user.click(screen.getByLabelText(/Roll back to 0%/));
    expect(save().disabled).toBe(false);
    onServer = saved;
    await user.click(save());

    expect(writesSent()).toEqual([
      {
        url: "/api/v1/flags/new-checkout/environments/production/plan",
        method: "PUT",
        body: {
          steps: [
            { percent: 1, holdSeconds: 600 },
            { percent: 2.5, holdSeconds: 600 },
            { percent: 25, holdSeconds: 600 },
            { percent: 50, holdSeconds: 600 },
            { percent: 100, holdSeconds: 30 },
          ],
          guards: [{ metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.015, minSamples: 1000 }],
          onBreach: "rollback",
        },
      },
    ]);
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(screen.getByText(/Not started: 5 steps/)).toBeTruthy();
  });

  it("adds, moves and removes steps, and switches a guard to p95", async () => {
    const user = userEvent.setup();
    renderCard(null);
    await user.click(screen.getByRole("button", { name: "Move step 2 up" }));
    expect((screen.getByLabelText("Step 1 percent") as HTMLInputElement).value).toBe("5");
    expect(within(stepRow(2)).getByText("Percent: Must be above the previous step's 5%.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Move step 1 down" }));
    await user.click(screen.getByRole("button", { name: "Remove step 5" }));
    await user.click(screen.getByRole("button", { name: "+ Add step" }));
    expect((screen.getByLabelText("Step 5 percent") as HTMLInputElement).value).toBe("100");

    await user.selectOptions(screen.getByLabelText("Measure"), "p95");
    await user.clear(screen.getByLabelText("Metric"));
    await user.type(screen.getByLabelText("Metric"), "latency_ms");
    expect(screen.getByText("Must be a number, at least 0.")).toBeTruthy();
    await user.type(screen.getByLabelText("Max p95"), "250");
    await user.click(save());
    expect(writesSent()[0]!.body.guards).toEqual([{ metric: "latency_ms", kind: "p95", max: 250, minSamples: 1000 }]);
  });

  it("shows the server's complaints next to the fields they name", async () => {
    writes = [
      jsonResponse(
        {
          error: {
            code: "invalid_request",
            message: "invalid",
            issues: [
              { path: "steps[1].percent", message: "must be above the previous step's 1" },
              { path: "guards[0].maxRatio", message: "must be at most 1000" },
            ],
          },
        },
        400,
      ),
    ];
    const user = userEvent.setup();
    renderCard(null);
    await user.click(screen.getByLabelText(/Roll back to 0%/));
    await user.click(save());
    expect(await within(stepRow(2)).findByText("must be above the previous step's 1")).toBeTruthy();
    expect(screen.getByLabelText("Step 2 percent").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("must be at most 1000")).toBeTruthy();
    expect(screen.getByLabelText("Max × control").getAttribute("aria-invalid")).toBe("true");
  });

  it("saves edits of a plan at the version they started from, and shows a conflict instead of overwriting", async () => {
    const paused = planView({ state: "paused", currentStep: 1, version: 7 });
    const current = planView({ state: "draft", version: 8, steps: [{ percent: 10, holdSeconds: 60 }] });
    writes = [conflictResponse(current, "version 7 is stale; the current version is 8")];
    const user = userEvent.setup();
    const { queryClient } = renderCard(paused);
    await user.click(screen.getByText("Edit the plan"));
    await user.clear(screen.getByLabelText("Step 1 hold"));
    await user.type(screen.getByLabelText("Step 1 hold"), "5");
    expect(screen.getByText(/Saving replaces this paused plan with a draft/)).toBeTruthy();
    await user.click(save());
    expect(writesSent()[0]!.body).toMatchObject({ version: 7 });
    expect(writesSent()[0]!.body.steps[0]).toEqual({ percent: 1, holdSeconds: 300 });

    const conflict = await screen.findByRole("alert");
    expect(conflict.textContent).toContain("Nothing was overwritten");
    expect(conflict.textContent).toContain("version 8: 10%");
    expect((screen.getByLabelText("Step 1 hold") as HTMLInputElement).value).toBe("5");
    await user.click(within(conflict).getByRole("button", { name: "Discard my changes and load the current version" }));
    expect(queryClient.getQueryData(keys.plan("new-checkout", "production"))).toMatchObject({ version: 8 });
    await waitFor(() => expect((screen.getByLabelText("Step 1 percent") as HTMLInputElement).value).toBe("10"));
  });

  it("treats a plan someone defined meanwhile as a conflict, without a request", async () => {
    const user = userEvent.setup();
    const { queryClient } = renderCard(null);
    await user.click(screen.getByLabelText(/Roll back to 0%/));
    queryClient.setQueryData(keys.plan("new-checkout", "production"), planView({ version: 1 }));
    expect((await screen.findByRole("alert")).textContent).toContain("someone defined a plan in production after you started");
    expect(save().disabled).toBe(true);
    expect(writesSent()).toEqual([]);
  });

  it("lets a viewer read the plan and change nothing, and locks a running plan for everyone", async () => {
    const { unmount } = renderCard(planView(), { readOnlyReason: "Your role is viewer; this needs an editor or admin." });
    expect(screen.getByLabelText("Step 1 percent")).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "+ Add guard" })).toHaveProperty("disabled", true);
    // By the actions and by the editor, whichever is in view.
    expect(screen.getAllByText(/^Read-only: Your role is viewer/)).toHaveLength(2);
    unmount();

    renderCard(runningPlanView(60_000));
    expect(screen.getByLabelText("Step 1 percent")).toHaveProperty("disabled", true);
    expect(screen.getByText("A running plan cannot be changed: pause or abort it first.")).toBeTruthy();
  });

  it("asks for the variant of a non-boolean flag, never the off variant", async () => {
    const multi = flagView(
      { kind: "string", variants: [{ key: "control", value: "a" }, { key: "blue", value: "b" }, { key: "green", value: "c" }] },
      configView({ offVariant: "control", fallthrough: { variant: "control" } }),
    );
    const user = userEvent.setup();
    renderCard(null, { shown: multi });
    const variant = screen.getByLabelText("Variant to roll out") as HTMLSelectElement;
    expect([...variant.options].map((option) => option.value)).toEqual(["blue", "green"]);
    await user.selectOptions(variant, "green");
    await user.click(save());
    expect(writesSent()[0]!.body.variant).toBe("green");
  });
});
