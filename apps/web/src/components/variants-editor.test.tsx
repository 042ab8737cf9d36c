import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FlagView } from "@switchyard/core";
import { keys } from "../queries";
import { conflictResponse, flagView, jsonResponse, renderWithQueries, testQueryClient } from "../test-fixtures";
import { VariantsEditor } from "./variants-editor";

afterEach(() => {
  vi.unstubAllGlobals();
});

const banner = flagView({
  key: "banner-text",
  kind: "string",
  version: 3,
  variants: [
    { key: "hello", value: "Hello" },
    { key: "hi", value: "Hi" },
  ],
});

function renderEditor(flag: FlagView = banner, readOnlyReason?: string) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.flag(flag.key), flag);
  const view = renderWithQueries(<VariantsEditor flag={flag} readOnlyReason={readOnlyReason} />, queryClient);
  return { ...view, rerender: (next: FlagView) => view.rerender(<VariantsEditor flag={next} readOnlyReason={readOnlyReason} />) };
}

const requestBody = (fetch: ReturnType<typeof vi.fn>, call = 0) => JSON.parse((fetch.mock.calls[call] as unknown as [string, RequestInit])[1].body as string);

describe("VariantsEditor", () => {
  it("shows each of the server's complaints once, next to the field it names", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => jsonResponse({ error: { code: "invalid_request", message: "invalid", issues: [{ path: "variants[1].name", message: "must be at most 200 characters" }] } }, 400)));
    const user = userEvent.setup();
    renderEditor();
    await user.type(screen.getByLabelText("Name (optional)", { selector: "[id$='-1-name']" }), "Hi there");
    await user.click(screen.getByRole("button", { name: "Save variants" }));
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((alert) => alert.textContent)).toEqual(["must be at most 200 characters"]);
  });

  it("saves against the version the edits started from, whatever arrived since", async () => {
    const fetch = vi.fn(async () => conflictResponse({ ...banner, version: 4, variants: [{ key: "hello", value: "Hello!" }, banner.variants[1]] }));
    vi.stubGlobal("fetch", fetch);
    const user = userEvent.setup();
    const { rerender } = renderEditor();
    const name = screen.getAllByLabelText("Name (optional)")[0]!;
    await user.type(name, "Greeting");
    // Someone else saves: the edits stay, marked stale.
    rerender({ ...banner, version: 4 });
    expect(screen.getByText(/This flag changed since you started editing \(now version 4\)/)).toBeTruthy();
    expect((screen.getAllByLabelText("Name (optional)")[0] as HTMLInputElement).value).toBe("Greeting");

    await user.click(screen.getByRole("button", { name: "Save variants" }));
    expect(requestBody(fetch).version).toBe(3);
    const conflict = await screen.findByRole("alert");
    expect(conflict.textContent).toContain("Nothing was overwritten");
    expect(within(conflict).getByText("Hello!", { exact: false })).toBeTruthy();
  });

  it("follows changes made elsewhere while nothing is edited", () => {
    const { rerender } = renderEditor();
    rerender({ ...banner, version: 4, variants: [{ key: "hello", value: "Hello!" }, banner.variants[1]!] });
    expect((screen.getAllByLabelText("Value")[0] as HTMLInputElement).value).toBe("Hello!");
    expect(screen.queryByText(/since you started editing/)).toBeNull();
  });

  it("tells a viewer why nothing can be changed", () => {
    renderEditor(banner, "Your role is viewer; this needs an editor or admin.");
    expect(screen.getByText("Read-only: Your role is viewer; this needs an editor or admin.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Save variants" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "+ Add variant" })).toHaveProperty("disabled", true);
  });
});
