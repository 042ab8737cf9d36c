import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MeView, SegmentView } from "@switchyard/core";
import { keys } from "../queries";
import { conflictResponse, environmentView, jsonResponse, renderWithQueries, segmentView, testQueryClient, userMe } from "../test-fixtures";
import { SegmentsPage } from "./segments";

const beta = segmentView({ included: ["user-1"], version: 2, clauses: [{ attribute: "plan", op: "in", values: ["pro"], negate: false, caseInsensitive: false }] });
const fetchMock = vi.fn<typeof fetch>();
/** What the server holds: refetches of the list answer with it. */
let stored: SegmentView[] = [];
/** Answers to the writes, in order. */
let writes: Response[] = [];

beforeEach(() => {
  stored = [beta];
  writes = [];
  fetchMock.mockReset();
  fetchMock.mockImplementation(async (url, init) => {
    if ((init?.method ?? "GET") === "GET" && url === "/api/v1/environments/production/segments") return jsonResponse({ segments: stored });
    const answer = writes.shift();
    if (answer === undefined) throw new Error(`unexpected request ${init?.method} ${url}`);
    return answer;
  });
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function page(url = "/segments?env=production&segment=beta") {
  return (
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path="/segments" element={<SegmentsPage />} />
      </Routes>
    </MemoryRouter>
  );
}

function renderPage(segments: SegmentView[] = [beta], me: MeView = userMe("editor"), url?: string) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.me, me);
  queryClient.setQueryData(keys.environments, [environmentView("production"), environmentView("staging")]);
  queryClient.setQueryData(keys.segments("production"), segments);
  const view = renderWithQueries(page(url), queryClient);
  return {
    ...view,
    update: (next: SegmentView[]) => {
      stored = next;
      queryClient.setQueryData(keys.segments("production"), next);
    },
  };
}

const writeCalls = () => fetchMock.mock.calls.filter(([, init]) => (init?.method ?? "GET") !== "GET");
const bodyOf = (write: number) => JSON.parse(writeCalls()[write]![1]!.body as string);

describe("SegmentsPage", () => {
  it("lists the environment's segments and opens the one in the URL", () => {
    renderPage();
    expect(screen.getByRole("rowheader", { name: "beta" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Segment beta" })).toBeTruthy();
    expect((screen.getByLabelText("Included context keys") as HTMLTextAreaElement).value).toBe("user-1");
  });

  it("saves against the version the edits started from, and shows a conflict instead of overwriting", async () => {
    const current = { ...beta, version: 3, name: "Beta crew" };
    writes = [conflictResponse(current)];
    const user = userEvent.setup();
    const { update } = renderPage();
    await user.type(screen.getByLabelText("Description"), "Early adopters");
    update([{ ...beta, version: 3 }]);
    expect(await screen.findByText(/This segment changed since you started editing \(now version 3\)/)).toBeTruthy();
    expect((screen.getByLabelText("Description") as HTMLInputElement).value).toBe("Early adopters");

    await user.click(screen.getByRole("button", { name: "Save segment" }));
    expect(bodyOf(0).version).toBe(2);
    const conflict = await screen.findByRole("alert");
    expect(conflict.textContent).toContain("Nothing was overwritten");
    expect(conflict.textContent).toContain("Beta crew");
    stored = [current];
    await user.click(within(conflict).getByRole("button", { name: "Discard my changes and load the current version" }));
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Beta crew");
  });

  it("follows changes made elsewhere while nothing is edited", async () => {
    const { update } = renderPage();
    update([{ ...beta, version: 3, included: ["user-1", "user-2"] }]);
    await waitFor(() => expect((screen.getByLabelText("Included context keys") as HTMLTextAreaElement).value).toBe("user-1\nuser-2"));
  });

  it("shows what the server refuses that no field claims", async () => {
    writes = [jsonResponse({ error: { code: "invalid_request", message: "invalid", issues: [{ path: "If-Match", message: "must be a version number" }] } }, 400)];
    const user = userEvent.setup();
    renderPage();
    await user.type(screen.getByLabelText("Description"), "x");
    await user.click(screen.getByRole("button", { name: "Save segment" }));
    expect((await screen.findByRole("alert")).textContent).toContain("If-Match must be a version number");
  });

  it("tells a segment still in use from one that changed, when deleting", async () => {
    writes = [
      jsonResponse({ error: { code: "conflict", message: "segment 'beta' is used by flags: new-checkout", issues: [], current: beta } }, 409),
      conflictResponse({ ...beta, version: 3 }, "version 2 is stale; the current version is 3"),
    ];
    const user = userEvent.setup();
    renderPage();
    await user.click(screen.getByRole("button", { name: "Delete segment" }));
    const dialog = screen.getByRole("dialog", { name: "Delete segment “beta”?" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await user.click(within(dialog).getByRole("button", { name: "Delete segment" }));
    expect((await within(dialog).findByRole("alert")).textContent).toMatch(/Still in use.*new-checkout/);

    await user.click(within(dialog).getByRole("button", { name: "Delete segment" }));
    const alert = await within(dialog).findByText(/changed since/);
    expect(alert.textContent).not.toMatch(/in use/);
    expect(writeCalls()[1]![1]!.headers).toMatchObject({ "If-Match": '"2"' });
  });

  it("lets a viewer read a segment, changing nothing, and says why", () => {
    renderPage([beta], userMe("viewer"));
    expect(screen.getByText(/^Read-only: Your role is viewer/)).toBeTruthy();
    expect(screen.getByLabelText("Name")).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "New segment" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "Delete segment" })).toHaveProperty("disabled", true);
  });

  it("says when an environment has no segments", () => {
    renderPage([], userMe("editor"), "/segments?env=production");
    expect(screen.getByText("No segments in production yet.")).toBeTruthy();
  });
});
