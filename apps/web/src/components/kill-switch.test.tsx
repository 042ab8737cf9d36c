import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FlagView } from "@switchyard/core";
import { configView, conflictResponse, flagView, jsonResponse, renderWithQueries } from "../test-fixtures";
import { KillBanners, KillSwitch } from "./kill-switch";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const config = configView({ enabled: true, rules: [{ clauses: [], serve: { variant: "on" } }], version: 4 });
const flag = flagView({}, config);
const killed = configView({ ...config, killed: true, killReason: "errors spiking", killedBy: "ann@example.com", killedAt: new Date(Date.now() - 5 * 60_000).toISOString(), version: 5 });

function renderSwitch(shown: FlagView) {
  const view = renderWithQueries(<KillSwitch flag={shown} environment="production" />);
  return (next: FlagView) => view.rerender(<KillSwitch flag={next} environment="production" />);
}

const requestOf = (fetch: ReturnType<typeof vi.fn>, call = 0) => {
  const [path, init] = fetch.mock.calls[call] as unknown as [string, RequestInit];
  return { path, method: init.method, body: JSON.parse(init.body as string) };
};

describe("KillSwitch", () => {
  it("explains the effect, will not kill without a reason, and kills at the version it shows", async () => {
    const fetch = vi.fn(async () => jsonResponse({ config: killed, changed: true }));
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderSwitch(flag);

    await user.click(screen.getByRole("button", { name: "Kill switch" }));
    expect(screen.getByText(/Every SDK in/).textContent).toContain("Every SDK in production serves the off variant off (false) within a second");
    const submit = screen.getByRole("button", { name: "Kill in production" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await user.type(screen.getByLabelText("Reason (required)"), "   ");
    expect(submit.disabled).toBe(true);

    await user.type(screen.getByLabelText("Reason (required)"), "errors spiking");
    expect(submit.disabled).toBe(false);
    await user.click(submit);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(requestOf(fetch)).toEqual({ path: "/api/v1/flags/new-checkout/environments/production/kill", method: "POST", body: { reason: "errors spiking", version: 4 } });
    await waitFor(() => expect(screen.queryByLabelText("Reason (required)")).toBeNull());
  });

  it("shows the server's complaint about the reason under the reason", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse({ error: { code: "invalid_request", message: "reason: too long", issues: [{ path: "reason", message: "must be at most 1000 characters" }] } }, 400)));
    const user = userEvent.setup();
    renderSwitch(flag);
    await user.click(screen.getByRole("button", { name: "Kill switch" }));
    await user.type(screen.getByLabelText("Reason (required)"), "x");
    await user.click(screen.getByRole("button", { name: "Kill in production" }));
    expect((await screen.findByRole("alert")).textContent).toBe("must be at most 1000 characters");
    expect(screen.getByLabelText("Reason (required)").getAttribute("aria-invalid")).toBe("true");
  });

  it("shows what changed when the config moved on, and kills nothing", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => conflictResponse({ ...config, enabled: false, version: 5 })));
    const user = userEvent.setup();
    renderSwitch(flag);
    await user.click(screen.getByRole("button", { name: "Kill switch" }));
    await user.type(screen.getByLabelText("Reason (required)"), "errors spiking");
    await user.click(screen.getByRole("button", { name: "Kill in production" }));
    const conflict = await screen.findByRole("alert");
    expect(conflict.textContent).toContain("Nothing was overwritten");
    expect(conflict.textContent).toContain("version 5");
    expect((screen.getByLabelText("Reason (required)") as HTMLTextAreaElement).value).toBe("errors spiking");
  });

  it("keeps the dialog a kill when someone else kills meanwhile, and says there is nothing left to do", async () => {
    const user = userEvent.setup();
    const rerender = renderSwitch(flag);
    await user.click(screen.getByRole("button", { name: "Kill switch" }));
    rerender(flagView({}, killed));
    expect(screen.getByRole("dialog", { name: "Kill new-checkout in production?" })).toBeTruthy();
    expect(screen.getByText(/Someone has killed it in production meanwhile/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Kill in production" })).toHaveProperty("disabled", true);
  });

  it("offers Unkill on a killed flag, saying what comes back, and also requires a reason", async () => {
    const fetch = vi.fn(async () => jsonResponse({ config, changed: true }));
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderSwitch(flagView({}, killed));

    expect(screen.queryByRole("button", { name: "Kill switch" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Unkill" }));
    expect(screen.getByText(/configuration from before the kill/).textContent).toContain("serving, everyone else: on, 1 rule");
    const submit = screen.getByRole("button", { name: "Unkill in production" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await user.type(screen.getByLabelText("Reason (required)"), "fixed in 2.14.1");
    await user.click(submit);
    expect(requestOf(fetch)).toMatchObject({ path: "/api/v1/flags/new-checkout/environments/production/unkill", body: { reason: "fixed in 2.14.1", version: 5 } });
  });
});

describe("KillBanners", () => {
  it("shows every killed environment: where, who, when and why", () => {
    render(<KillBanners flag={flagView({}, killed, configView({ environment: "staging" }))} />);
    const banners = screen.getAllByRole("status");
    expect(banners).toHaveLength(1);
    expect(banners[0]!.textContent).toContain("Killed in production by ann@example.com 5 minutes ago — errors spiking");
  });

  it("keeps the time since the kill true on an open page", () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    render(<KillBanners flag={flagView({}, configView({ ...killed, killedAt: new Date(Date.now() - 5 * 60_000).toISOString() }))} />);
    act(() => {
      vi.advanceTimersByTime(3 * 60_000);
    });
    expect(screen.getByRole("status").textContent).toContain("8 minutes ago");
  });
});
