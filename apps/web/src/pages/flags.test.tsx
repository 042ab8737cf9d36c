import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useParams } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FlagConfigView, FlagView, MeView } from "@switchyard/core";
import { keys } from "../queries";
import { configView, conflictResponse, environmentView, flagView, jsonResponse, renderWithQueries, testQueryClient, userMe } from "../test-fixtures";
import { parseVariantValue } from "../variants";
import { parseTags } from "./create-flag-dialog";
import { filterFlags, FlagsPage } from "./flags";

/** A boolean flag in production and staging, both off unless told otherwise. */
function flag(key: string, change: Partial<FlagView>, production: Partial<FlagConfigView> = {}, staging: Partial<FlagConfigView> = {}): FlagView {
  return flagView({ key, name: key, salt: "s", ...change }, configView({ environment: "production", ...production }), configView({ environment: "staging", ...staging }));
}

const environments = [environmentView("production"), environmentView("staging")];

const flags = [
  flag("new-checkout", { name: "New checkout", tags: ["checkout"] }, { enabled: true, killed: true, killReason: "errors at 4%", killedBy: "ops@example.com" }),
  flag(
    "search-v2",
    { name: "Search v2", description: "Faster search backend", tags: ["search"] },
    { enabled: true, fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } } },
    { enabled: true },
  ),
  flag("dark-mode", { name: "Dark mode", tags: ["ui", "checkout"] }),
];

describe("variant values and tags", () => {
  it("parses values by the flag's kind", () => {
    expect(parseVariantValue("string", "")).toEqual({ value: "" });
    expect(parseVariantValue("number", "0.25")).toEqual({ value: 0.25 });
    expect(parseVariantValue("number", "ten")).toEqual({ error: "must be a number, such as 3 or 0.25" });
    expect(parseVariantValue("number", " ")).toHaveProperty("error");
    expect(parseVariantValue("boolean", "true")).toEqual({ value: true });
    expect(parseVariantValue("json", '{"a":[1]}')).toEqual({ value: { a: [1] } });
    expect(parseVariantValue("json", "{a:1}")).toHaveProperty("error");
  });

  it("splits tags on commas and checks each", () => {
    expect(parseTags(" checkout, beta,,checkout ")).toEqual({ tags: ["checkout", "beta"], error: null });
    expect(parseTags("ok, not ok").error).toMatch(/^"not ok" must start/);
  });
});

describe("filterFlags", () => {
  const all = ["production", "staging"];
  const keysOf = (list: FlagView[]) => list.map((f) => f.key);

  it("searches key, name and description, ignoring case", () => {
    expect(keysOf(filterFlags(flags, { q: "CHECKOUT", tag: "", state: "any", environment: "" }, all))).toEqual(["new-checkout"]);
    expect(keysOf(filterFlags(flags, { q: "faster", tag: "", state: "any", environment: "" }, all))).toEqual(["search-v2"]);
  });

  it("filters by tag and by the state in any, or one, environment", () => {
    expect(keysOf(filterFlags(flags, { q: "", tag: "checkout", state: "any", environment: "" }, all))).toEqual(["new-checkout", "dark-mode"]);
    expect(keysOf(filterFlags(flags, { q: "", tag: "", state: "on", environment: "" }, all))).toEqual(["search-v2"]);
    expect(keysOf(filterFlags(flags, { q: "", tag: "", state: "on", environment: "production" }, all))).toEqual([]);
    expect(keysOf(filterFlags(flags, { q: "", tag: "", state: "off", environment: "" }, all))).toEqual(["new-checkout", "dark-mode"]);
    expect(keysOf(filterFlags(flags, { q: "", tag: "", state: "killed", environment: "" }, all))).toEqual(["new-checkout"]);
  });
});

describe("FlagsPage", () => {
  const editor = userMe("editor");
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    fetchMock.mockReset();
    fetchMock.mockRejectedValue(new Error("unexpected request"));
    vi.stubGlobal("fetch", fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function FlagStub() {
    return <p>Flag page of {useParams().key}</p>;
  }

  function renderPage(me: MeView = editor, list: FlagView[] = flags, url = "/flags") {
    const queryClient = testQueryClient();
    queryClient.setQueryData(keys.me, me);
    queryClient.setQueryData(keys.environments, environments);
    queryClient.setQueryData(keys.flagList(false), list);
    queryClient.setQueryData(keys.flagList(true), [flag("old-banner", { archived: true })]);
    return renderWithQueries(
      <MemoryRouter initialEntries={[url]}>
        <Routes>
          <Route path="/flags" element={<FlagsPage />} />
          <Route path="/flags/:key" element={<FlagStub />} />
        </Routes>
      </MemoryRouter>,
      queryClient,
    );
  }

  const rowKeys = () =>
    screen
      .getAllByRole("row")
      .slice(1)
      .map((row) => within(row).getAllByRole("link")[0]!.textContent);

  it("shows each flag's state per environment in words", () => {
    renderPage();
    const row = screen.getByRole("row", { name: /search-v2/ });
    const cells = within(row).getAllByRole("cell");
    expect(cells[0]!.textContent).toBe("◐rollout 10%");
    expect(cells[1]!.textContent).toBe("● on");
    const killed = within(screen.getByRole("row", { name: /new-checkout/ })).getAllByRole("cell")[0]!;
    expect(killed.textContent).toContain("killed");
    expect(killed.querySelector("[title]")!.getAttribute("title")).toBe("Killed by ops@example.com: errors at 4%");
  });

  it("filters as you type, by tag and by state", async () => {
    const user = userEvent.setup();
    renderPage(editor, flags, "/flags?q=search");
    expect(rowKeys()).toEqual(["search-v2"]);
    const search = screen.getByRole("searchbox", { name: "Search" });
    await user.clear(search);
    await user.type(search, "mode");
    expect(rowKeys()).toEqual(["dark-mode"]);
    await user.clear(search);
    await user.selectOptions(screen.getByRole("combobox", { name: "Tag" }), "checkout");
    expect(rowKeys()).toEqual(["new-checkout", "dark-mode"]);
    await user.selectOptions(screen.getByRole("combobox", { name: "State" }), "killed");
    expect(rowKeys()).toEqual(["new-checkout"]);
    await user.type(search, "nothing-like-this");
    expect(screen.getByText("No flags match these filters.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(rowKeys()).toEqual(["new-checkout", "search-v2", "dark-mode"]);
    expect(search).toHaveProperty("value", "");
  });

  it("tells an empty list from a filtered-out one", () => {
    renderPage(editor, []);
    expect(screen.getByText("No flags yet — create the first one.")).toBeTruthy();
  });

  it("checks the key as it is typed and keeps Create disabled until it is valid and unused", async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getAllByRole("button", { name: "Create flag" })[0]!);
    const dialog = screen.getByRole("dialog", { name: "Create flag" });
    const key = within(dialog).getByRole("textbox", { name: "Key" });
    const submit = within(dialog).getByRole("button", { name: "Create flag" });
    expect(submit).toHaveProperty("disabled", true);

    await user.type(key, "-oops");
    expect(within(dialog).getByText(/Key must start with a letter or digit/)).toBeTruthy();
    expect(key.getAttribute("aria-invalid")).toBe("true");
    expect(submit).toHaveProperty("disabled", true);

    await user.clear(key);
    await user.type(key, "old-banner");
    expect(within(dialog).getByText(/already taken by an archived flag/)).toBeTruthy();
    expect(submit).toHaveProperty("disabled", true);

    await user.clear(key);
    await user.type(key, "fresh-flag");
    expect(key.getAttribute("aria-invalid")).toBe("false");
    expect(submit).toHaveProperty("disabled", false);
  });

  it("creates a string flag with its variants and opens it", async () => {
    const user = userEvent.setup();
    fetchMock.mockResolvedValueOnce(jsonResponse(flag("banner-text", { kind: "string" }), 201));
    renderPage();
    await user.click(screen.getAllByRole("button", { name: "Create flag" })[0]!);
    const dialog = screen.getByRole("dialog", { name: "Create flag" });
    await user.type(within(dialog).getByRole("textbox", { name: "Key" }), "banner-text");
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Kind" }), "string");
    await user.type(within(dialog).getByRole("textbox", { name: "Variant 1 key" }), "hello");
    await user.type(within(dialog).getByRole("textbox", { name: "Variant 1 value" }), "Hello!");
    await user.type(within(dialog).getByRole("textbox", { name: "Tags" }), "ui, copy");
    await user.click(within(dialog).getByRole("button", { name: "Create flag" }));

    expect(await screen.findByText("Flag page of banner-text")).toBeTruthy();
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("/api/v1/flags");
    expect(JSON.parse(init!.body as string)).toEqual({
      key: "banner-text",
      kind: "string",
      tags: ["ui", "copy"],
      clientVisible: false,
      variants: [{ key: "hello", value: "Hello!" }],
    });
  });

  it("archives at the listed version, and after a conflict only at the version the server reports", async () => {
    const user = userEvent.setup();
    const current = flag("dark-mode", { version: 3, description: "changed elsewhere" });
    fetchMock
      .mockResolvedValueOnce(conflictResponse(current, "version 1 is stale"))
      .mockResolvedValueOnce(jsonResponse({ ...current, archived: true, version: 4 }))
      .mockImplementation(async () => jsonResponse({ flags: [], nextCursor: null }));
    renderPage();
    await user.click(screen.getByRole("button", { name: "Archive dark-mode" }));
    const dialog = screen.getByRole("dialog", { name: "Archive flag" });
    // Enter on the dialog as it opens cancels: focus starts on Cancel, not on the destructive action.
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await user.click(within(dialog).getByRole("button", { name: "Archive flag" }));
    expect((await within(dialog).findByRole("alert")).textContent).toMatch(/It is now at version 3 and not archived\.\s*Load the current version/);
    expect(within(dialog).getByRole("alert").textContent).toContain("Nothing was overwritten.");
    expect(within(dialog).getByRole("button", { name: "Archive flag" })).toHaveProperty("disabled", true);

    await user.click(within(dialog).getByRole("button", { name: "Load the current version" }));
    await user.click(within(dialog).getByRole("button", { name: "Archive flag" }));
    const bodies = fetchMock.mock.calls.filter(([url]) => url === "/api/v1/flags/dark-mode/archive").map(([, init]) => JSON.parse(init!.body as string));
    expect(bodies).toEqual([{ version: 1 }, { version: 3 }]);
  });

  it("disables changes for viewers and says why", () => {
    renderPage(userMe("viewer"));
    expect(screen.getByText("Read-only: Your role is viewer; this needs an editor or admin.")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Create flag" })[0]).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "Archive dark-mode" })).toHaveProperty("disabled", true);
  });
});
