import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rolloutServe, type FlagView, type SeenContextView } from "@switchyard/core";
import { keys } from "../queries";
import { configView, flagView, jsonResponse, renderWithQueries, testQueryClient } from "../test-fixtures";
import { countServed, parsePercent, RolloutControl } from "./rollout-control";

afterEach(() => {
  vi.unstubAllGlobals();
});

const config = configView({
  enabled: true,
  // Dutch contexts are served off whatever the rollout says: the preview must not count them.
  rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false }], serve: { variant: "off" } }],
  fallthrough: rolloutServe({ variant: "on" }, 10000, "on", "off"),
  version: 7,
});
const flag = flagView({}, config);

const seen: SeenContextView[] = Array.from({ length: 200 }, (_, i) => ({
  key: `user-${i}`,
  context: { key: `user-${i}`, country: i < 50 ? "NL" : "DE" },
  lastSeen: "2025-01-01T00:00:00.000Z",
}));

function renderControl(contexts: SeenContextView[] = seen, shown: FlagView = flag) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.seenContexts("production"), contexts);
  renderWithQueries(<RolloutControl flag={shown} environment="production" segments={[]} />, queryClient);
  return {
    slider: screen.getByLabelText("Rollout percentage slider") as HTMLInputElement,
    number: screen.getByLabelText("Rollout percentage") as HTMLInputElement,
  };
}

describe("parsePercent", () => {
  it("accepts 0..100 in steps of 0.001 and says what is wrong otherwise", () => {
    expect(parsePercent("12.345")).toEqual({ percent: 12.345 });
    expect(parsePercent("100")).toEqual({ percent: 100 });
    expect(parsePercent("0")).toEqual({ percent: 0 });
    expect(parsePercent("12.3456").error).toMatch(/three decimals/);
    expect(parsePercent("100.001").error).toMatch(/between 0 and 100/);
    expect(parsePercent("-1").error).toMatch(/between 0 and 100/);
    expect(parsePercent("ten").error).toMatch(/number/);
    expect(parsePercent(" ").error).toMatch(/Enter/);
  });
});

describe("RolloutControl", () => {
  it("starts at the current rollout, and keeps the slider and the number in sync", () => {
    const { slider, number } = renderControl();
    expect(number.value).toBe("10");
    expect(slider.value).toBe("10");
    expect(screen.getByText(/Now:/).textContent).toContain("10% of everyone else get on");

    fireEvent.change(number, { target: { value: "25.5" } });
    expect(slider.value).toBe("25.5");
    fireEvent.change(slider, { target: { value: "60" } });
    expect(number.value).toBe("60");
  });

  it("starts a multi-variant flag at the variant it rolls out now, not at its first", () => {
    const rollout = configView({ enabled: true, offVariant: "c", fallthrough: rolloutServe({ variant: "c" }, 30_000, "b", "c") });
    const { number } = renderControl([], flagView({ kind: "string", variants: [{ key: "a", value: "A" }, { key: "b", value: "B" }, { key: "c", value: "C" }] }, rollout));
    expect(screen.getByText(/Now:/).textContent).toContain("30% of everyone else get b");
    expect(number.value).toBe("30");
    expect((screen.getByLabelText("Variant to roll out") as HTMLSelectElement).value).toBe("b");
  });

  it("shows a bad number's error inline and will not apply it", () => {
    const { number } = renderControl();
    fireEvent.change(number, { target: { value: "12.3456" } });
    expect(screen.getByRole("alert").textContent).toMatch(/three decimals/);
    expect(number.getAttribute("aria-invalid")).toBe("true");
    expect((screen.getByRole("button", { name: "Apply" }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(number, { target: { value: "30" } });
    expect(screen.queryByRole("alert")).toBeNull();
    expect((screen.getByRole("button", { name: "Apply" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("applies at the version it shows, and shows what the server refuses that no field here names", async () => {
    const fetch = vi.fn(async () =>
      jsonResponse({ error: { code: "invalid_request", message: "invalid", issues: [{ path: "rules[0].clauses[0].values[0]", message: "is not a safe pattern" }] } }, 400),
    );
    vi.stubGlobal("fetch", fetch);
    const { number } = renderControl();
    fireEvent.change(number, { target: { value: "30" } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Apply" }));
    expect((await screen.findByRole("alert")).textContent).toContain("rules[0].clauses[0].values[0] is not a safe pattern");
    expect(JSON.parse((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body as string)).toEqual({ percent: 30, version: 7 });
  });

  it("previews, for the draft percent, how many seen contexts would get the variant", () => {
    const { slider, number } = renderControl();
    const preview = () => screen.getByText(/recently seen contexts would get/).textContent;
    expect(preview()).toContain(`${countServed(flag, config, [], seen, 10, "on")} of the 200`);

    fireEvent.change(number, { target: { value: "100" } });
    // Everyone but the 50 Dutch contexts, whom the rule serves off.
    expect(preview()).toContain("150 of the 200");
    fireEvent.change(slider, { target: { value: "0" } });
    expect(preview()).toContain("0 of the 200");
    fireEvent.change(number, { target: { value: "50" } });
    const half = countServed(flag, config, [], seen, 50, "on");
    expect(half).toBeGreaterThan(50);
    expect(half).toBeLessThan(100);
    expect(preview()).toContain(`${half} of the 200`);
  });

  it("says the preview is unavailable when the seen contexts cannot be loaded", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse({ error: { code: "internal", message: "disk full", issues: [] } }, 500)));
    renderWithQueries(<RolloutControl flag={flag} environment="production" segments={[]} />, testQueryClient({ staleTime: 0 }));
    expect((await screen.findByText(/Preview unavailable/)).textContent).toContain("disk full");
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });

  it("says so when no contexts were seen yet", () => {
    renderControl([]);
    expect(screen.getByText(/No contexts seen yet in production/)).toBeTruthy();
  });
});
