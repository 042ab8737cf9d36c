import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import type { AuditEntryView, AuditPageView } from "@switchyard/core";
import { keys } from "../queries";
import { AuditList, describeAction } from "./audit-list";

describe("describeAction", () => {
  it("puts known actions in words and shows unknown ones as recorded", () => {
    expect(describeAction("flag.kill")).toBe("killed");
    expect(describeAction("flag.config.update")).toBe("changed configuration");
    expect(describeAction("flag.rollout")).toBe("set rollout");
    expect(describeAction("plan.halt")).toBe("halted rollout plan");
    expect(describeAction("flag.teleport")).toBe("flag.teleport");
  });
});

function entry(id: number, change: Partial<AuditEntryView>): AuditEntryView {
  return {
    id,
    at: "2025-06-01T11:00:00.000Z",
    actor: { kind: "user", id: "1", name: "ada@example.com" },
    action: "flag.config.update",
    resourceKind: "flag_config",
    resourceKey: "new-checkout",
    flag: "new-checkout",
    environment: "production",
    before: null,
    after: null,
    reason: null,
    details: null,
    ...change,
  };
}

function renderList(pages: Record<string, AuditPageView>, props: Parameters<typeof AuditList>[0] = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  for (const [cursor, page] of Object.entries(pages)) {
    const filter = { flag: props.flag, environment: props.environment, actor: props.actor };
    queryClient.setQueryData(keys.auditPage(cursor === "" ? filter : { ...filter, cursor }), page);
  }
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter>
        <AuditList {...props} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe("AuditList", () => {
  const kill = entry(12, {
    action: "flag.kill",
    actor: { kind: "automation", id: "t1", name: "pager-bot" },
    reason: "checkout errors at 4%",
    before: { killed: false, version: 3 },
    after: { killed: true, version: 4 },
  });
  const rollout = entry(11, {
    action: "flag.rollout",
    before: { fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10000 }] } } },
    after: { fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 25000 }] } } },
  });
  const segment = entry(10, { action: "segment.teleport", resourceKind: "segment", resourceKey: "beta-users", flag: null, actor: { kind: "system", id: "system", name: "system" } });
  const older = entry(3, { action: "flag.create", environment: null, before: null, after: { key: "new-checkout" } });

  it("says who did what, where and why, with the exact time", () => {
    renderList({ "": { entries: [kill, rollout, segment], nextCursor: null } });
    const [killed, rolledOut, unknown] = screen.getAllByRole("listitem");
    expect(killed!.querySelector("p")!.textContent).toMatch(/pager-bot automation killed new-checkout in production$/);
    expect(within(killed!).getByText("checkout errors at 4%")).toBeTruthy();
    expect(within(killed!).getByRole("link", { name: "new-checkout" }).getAttribute("href")).toBe("/flags/new-checkout");
    expect(killed!.querySelector("time")!.getAttribute("dateTime")).toBe("2025-06-01T11:00:00.000Z");
    expect(rolledOut!.textContent).toMatch(/ada@example.com user set rollout new-checkout in production/);
    expect(unknown!.textContent).toMatch(/system system segment.teleport beta-users in production/);
  });

  it("shows what caused a machine's write in the entry", () => {
    const alerted = entry(13, {
      ...kill,
      reason: "Alertmanager: CheckoutErrors: checkout 5xx above 5%",
      details: { source: "alertmanager", status: "firing", labels: { alertname: "CheckoutErrors" }, annotations: { summary: "checkout 5xx above 5%" }, generatorURL: "https://prometheus.example/graph" },
    });
    renderList({ "": { entries: [alerted], nextCursor: null } });
    const item = screen.getAllByRole("listitem")[0]!;
    expect(within(item).getByText("CheckoutErrors")).toBeTruthy();
    expect(within(item).getByRole("link", { name: /Open the alert's source/ })).toBeTruthy();
  });

  it("shows the change on demand", async () => {
    const user = userEvent.setup();
    renderList({ "": { entries: [rollout], nextCursor: null } });
    await user.click(screen.getByText("Show changes"));
    expect(screen.getByText("fallthrough.rollout.variants[0].weight")).toBeTruthy();
  });

  it("leaves out the flag and environment the embedding page already names", () => {
    renderList({ "": { entries: [kill], nextCursor: null } }, { flag: "new-checkout", environment: "production", compact: true });
    const line = screen.getAllByRole("listitem")[0]!.querySelector("p")!.textContent!;
    expect(line).toMatch(/pager-bot automation killed$/);
  });

  it("loads older entries after the newest page", async () => {
    const user = userEvent.setup();
    renderList({ "": { entries: [kill, rollout], nextCursor: "11" }, "11": { entries: [older], nextCursor: null } });
    expect(screen.getAllByRole("listitem")).toHaveLength(3);
    await user.click(screen.getByRole("button", { name: "Load older entries" }));
    const items = screen.getAllByRole("listitem");
    expect(items).toHaveLength(3);
    expect(items[2]!.textContent).toMatch(/created flag new-checkout/);
    expect(screen.queryByRole("button", { name: "Load older entries" })).toBeNull();
  });

  it("says when nothing matches", () => {
    renderList({ "": { entries: [], nextCursor: null } }, { actor: "nobody" });
    expect(screen.getByText("No audit entries match.")).toBeTruthy();
  });
});
