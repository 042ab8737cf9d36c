import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CreatedCredentialView, CredentialView, MeView } from "@switchyard/core";
import { keys } from "../queries";
import { environmentView, jsonResponse as json, renderWithQueries, testQueryClient, userMe } from "../test-fixtures";
import { CredentialsPage } from "./credentials";

const token = "sy_server_abc123_secretsecretsecret";
const created: CreatedCredentialView = {
  id: "abc123",
  kind: "server",
  name: "checkout",
  environment: "production",
  role: null,
  scope: null,
  createdBy: "admin@localhost",
  createdAt: "2025-01-01T00:00:00.000Z",
  lastUsedAt: null,
  revokedAt: null,
  token,
};

let credentials: CredentialView[] = [];
const requests: { method: string; url: string; body: unknown }[] = [];

beforeEach(() => {
  credentials = [];
  requests.length = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ method: init.method ?? "GET", url, body: init.body ? JSON.parse(init.body as string) : undefined });
      if (url === "/api/v1/credentials" && init.method === "POST") {
        const { token: _secret, ...view } = created;
        credentials = [view];
        return json(created, 201);
      }
      if (url === "/api/v1/credentials") return json({ credentials });
      if (url === "/api/v1/environments") return json({ environments: [environmentView("production")] });
      if (url.startsWith("/api/v1/flags")) return json({ flags: [], nextCursor: null });
      return json({ error: { code: "not_found", message: "not found", issues: [] } }, 404);
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderPage(me: MeView) {
  const queryClient = testQueryClient({ staleTime: 0 });
  queryClient.setQueryData(keys.me, me);
  return renderWithQueries(<CredentialsPage />, queryClient).queryClient;
}

const admin = userMe("admin");

describe("CredentialsPage", () => {
  it("shows a new token once, copies it, and keeps it out of the query client", async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, "writeText");
    const queryClient = renderPage(admin);
    await screen.findByText("No credentials yet.");

    await user.click(screen.getByRole("button", { name: "New credential" }));
    const dialog = screen.getByRole("dialog", { name: "New credential" });
    // The dialog starts at the one field everyone must fill.
    expect(document.activeElement).toBe(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "checkout");
    await within(dialog).findByRole("option", { name: "production" });
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));

    const panel = await screen.findByRole("region", { name: /checkout.*created/ });
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({ kind: "server", name: "checkout", environment: "production" });
    expect(within(panel).getByText("Copy it now; it will not be shown again.")).toBeTruthy();
    expect((within(panel).getByLabelText("Token") as HTMLInputElement).value).toBe(token);

    await user.click(within(panel).getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(token);
    expect(within(panel).getByRole("status").textContent).toBe("Copied");

    const cached = JSON.stringify([
      queryClient.getQueryCache().getAll().map((query) => query.state.data),
      queryClient.getMutationCache().getAll().map((mutation) => mutation.state.data),
    ]);
    expect(cached).not.toContain(token);

    await user.click(within(panel).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("region", { name: /created/ })).toBeNull();
    expect(document.body.innerHTML).not.toContain(token);
    expect(await screen.findByRole("rowheader", { name: "checkout" })).toBeTruthy();
  });

  it("selects the token for a manual copy when the clipboard is unavailable", async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("denied"));
    renderPage(admin);
    await user.click(await screen.findByRole("button", { name: "New credential" }));
    const dialog = screen.getByRole("dialog", { name: "New credential" });
    await user.type(within(dialog).getByLabelText("Name"), "checkout");
    await within(dialog).findByRole("option", { name: "production" });
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));
    const panel = await screen.findByRole("region", { name: /created/ });
    await user.click(within(panel).getByRole("button", { name: "Copy" }));
    const field = within(panel).getByLabelText("Token") as HTMLInputElement;
    expect(document.activeElement).toBe(field);
    expect(within(panel).getByRole("status").textContent).toMatch(/press Ctrl\+C/);
  });

  it("tells non-admins why they see nothing, without asking the server", () => {
    renderPage(userMe("editor"));
    expect(screen.getByText(/Only admins can see credentials/)).toBeTruthy();
    expect(requests).toHaveLength(0);
  });
});
