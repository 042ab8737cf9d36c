import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { KillBanners, KillSwitch } from "./kill-switch";

afterEach(() => {
  vi.unstubAllGlobals();
});

const config: FlagConfigView = {
  environment: "production",
  enabled: true,
  killed: false,
  killReason: null,
  killedBy: null,
  killedAt: null,
  targets: [],
  rules: [{ clauses: [], serve: { variant: "on" } }],
  fallthrough: { variant: "on" },
  offVariant: "off",
  clientVisible: null,
  version: 4,
  updatedAt: "2025-01-01T00:00:00.000Z",
};

const flag: FlagView = {
  key: "new-checkout",
  name: "New checkout",
  description: "",
  kind: "boolean",
  variants: [
    { key: "on", value: true },
    { key: "off", value: false },
  ],
  tags: [],
  clientVisible: false,
  salt: "salt-1",
  archived: false,
  version: 1,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  environments: { production: config },
};

const killed: FlagConfigView = { ...config, killed: true, killReason: "errors spiking", killedBy: "ann@example.com", killedAt: new Date(Date.now() - 5 * 60_000).toISOString(), version: 5 };

function renderSwitch(shown: FlagView) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <KillSwitch flag={shown} environment="production" />
    </QueryClientProvider>,
  );
}

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

describe("KillSwitch", () => {
  it("explains the effect and will not kill without a reason", async () => {
    const fetch = answer(200, { config: killed, changed: true });
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
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/v1/flags/new-checkout/environments/production/kill");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ reason: "errors spiking" });
    await waitFor(() => expect(screen.queryByLabelText("Reason (required)")).toBeNull());
  });

  it("shows the server's complaint about the reason under the reason", async () => {
    vi.stubGlobal("fetch", answer(400, { error: { code: "invalid_request", message: "reason: too long", issues: [{ path: "reason", message: "must be at most 1000 characters" }] } }));
    const user = userEvent.setup();
    renderSwitch(flag);
    await user.click(screen.getByRole("button", { name: "Kill switch" }));
    await user.type(screen.getByLabelText("Reason (required)"), "x");
    await user.click(screen.getByRole("button", { name: "Kill in production" }));
    expect((await screen.findByRole("alert")).textContent).toBe("must be at most 1000 characters");
    expect(screen.getByLabelText("Reason (required)").getAttribute("aria-invalid")).toBe("true");
  });

  it("offers Unkill on a killed flag, saying what comes back, and also requires a reason", async () => {
    const fetch = answer(200, { config, changed: true });
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    renderSwitch({ ...flag, environments: { production: killed } });

    expect(screen.queryByRole("button", { name: "Kill switch" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Unkill" }));
    expect(screen.getByText(/configuration from before the kill/).textContent).toContain("serving, everyone else: on, 1 rule");
    const submit = screen.getByRole("button", { name: "Unkill in production" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await user.type(screen.getByLabelText("Reason (required)"), "fixed in 2.14.1");
    await user.click(submit);
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/v1/flags/new-checkout/environments/production/unkill");
    expect(JSON.parse(init.body as string)).toEqual({ reason: "fixed in 2.14.1" });
  });
});

describe("KillBanners", () => {
  it("shows every killed environment: where, who, when and why", () => {
    render(<KillBanners flag={{ ...flag, environments: { production: killed, staging: { ...config, environment: "staging" } } }} />);
    const banners = screen.getAllByRole("status");
    expect(banners).toHaveLength(1);
    expect(banners[0]!.textContent).toContain("Killed in production by ann@example.com 5 minutes ago — errors spiking");
  });
});
