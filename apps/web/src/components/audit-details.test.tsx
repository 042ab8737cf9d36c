import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "@switchyard/core";
import { breachView, guardStatusView } from "../plan-fixtures";
import { AuditDetails } from "./audit-details";

const alert = {
  source: "alertmanager",
  status: "firing",
  labels: { alertname: "CheckoutErrors", severity: "page", switchyard_flag: "new-checkout" },
  annotations: { summary: "checkout 5xx above 5%" },
  startsAt: "2025-06-01T11:00:00Z",
  endsAt: null,
  generatorURL: "http://prometheus.example:9090/graph?g0.expr=rate",
  fingerprint: "c0ffee",
};

const show = (details: unknown) => render(<AuditDetails details={details as JsonValue} />);

describe("AuditDetails", () => {
  it("shows the alert that killed a flag: its name, summary, labels and a link to its source", () => {
    show(alert);
    expect(screen.getByText("CheckoutErrors").parentElement!.textContent).toBe("Alertmanager CheckoutErrors (firing): checkout 5xx above 5%");
    const labels = within(screen.getByRole("list", { name: "Alert labels" })).getAllByRole("listitem").map((item) => item.textContent);
    expect(labels).toEqual(["severity=page", "switchyard_flag=new-checkout"]);
    expect(screen.getByRole("link", { name: /Open the alert's source/ }).getAttribute("href")).toBe(alert.generatorURL);
  });

  it("links only to web addresses", () => {
    show({ ...alert, generatorURL: "javascript:alert(1)" });
    expect(screen.queryByRole("link")).toBeNull();
  });

  it("shows a plan breach's numbers", () => {
    show(breachView());
    const text = screen.getByText(/Guard breached/).closest("div")!.textContent;
    expect(text).toContain("Guard breached at step 2 (5%): error rate 10.2% in the rollout cohort vs 1% in control (max 1.5× control and 2%) — flag killed.");
    expect(text).toContain("Rollout 10.2% (102 of 1,000) · control 1% (190 of 19,000)");
  });

  it("shows the step a plan set and the guards it passed", () => {
    show({ plan: { step: 2, of: 5, percent: 25, variant: "on" }, guards: [guardStatusView()] });
    expect(screen.getByText(/Plan step 3 of 5/).textContent).toBe("Plan step 3 of 5: 25% get on");
    expect(within(screen.getByRole("list", { name: "Guards" })).getByRole("listitem").textContent).toBe(
      "within limits: error rate 1% in the rollout cohort vs 1% in control (max 1.5× control and 2%)",
    );
  });

  it("shows anything else as JSON, on demand", async () => {
    const user = userEvent.setup();
    show({ source: "somewhere", note: 42 });
    await user.click(screen.getByText("Details"));
    expect(screen.getByText(/"note": 42/)).toBeTruthy();
  });
});
