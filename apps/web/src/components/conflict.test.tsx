import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "../api";
import { configView } from "../test-fixtures";
import { Conflict } from "./conflict";

const current = configView({
  enabled: true,
  targets: [{ variant: "on", values: ["a", "b"] }],
  rules: [
    { clauses: [], serve: { variant: "on" } },
    { clauses: [], serve: { variant: "off" } },
  ],
  fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } },
  version: 9,
});

describe("Conflict", () => {
  it("summarises the current state, shows it as JSON, and offers to discard", async () => {
    const onDiscard = vi.fn();
    const error = new ApiRequestError(409, "conflict", "version 8 is stale; the current version is 9", [], current);
    render(<Conflict error={error} environment="production" onDiscard={onDiscard} />);

    const panel = screen.getByRole("alert");
    expect(panel.textContent).toContain("Not saved: this flag changed in production");
    expect(panel.textContent).toContain("Nothing was overwritten");
    expect(panel.textContent).toContain("Nowversion 9");
    expect(panel.textContent).toContain("Servingon");
    expect(panel.textContent).toContain("Everyone elseon 25% / off 75%");
    expect(panel.textContent).toContain("Rules2");
    expect(panel.textContent).toContain("Targets2 context keys");
    expect(screen.getByText("Current configuration (JSON)")).toBeTruthy();
    expect(panel.querySelector("pre")!.textContent).toBe(JSON.stringify(current, null, 2));

    await userEvent.setup().click(screen.getByRole("button", { name: "Discard my changes and load the current version" }));
    expect(onDiscard).toHaveBeenCalledTimes(1);
  });

  it("renders nothing for other errors", () => {
    const { container } = render(<Conflict error={new ApiRequestError(400, "invalid_request", "bad")} environment="production" onDiscard={() => {}} />);
    expect(container.textContent).toBe("");
  });
});
