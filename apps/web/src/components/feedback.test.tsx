import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "../api";
import { ErrorNote, FieldError, QueryState, unclaimed } from "./feedback";

describe("FieldError", () => {
  const error = new ApiRequestError(400, "invalid_request", "rules[0].clauses[0].values: must not be empty", [
    { path: "rules[0].clauses[0].values", message: "must not be empty" },
    { path: "key", message: "must start with a letter" },
  ]);

  it("shows the message for the field it names, and for fields under it with their path", () => {
    render(
      <>
        <FieldError error={error} path="key" />
        <FieldError error={error} path="rules" />
      </>,
    );
    const alerts = screen.getAllByRole("alert").map((alert) => alert.textContent);
    expect(alerts).toEqual(["must start with a letter", "rules[0].clauses[0].values: must not be empty"]);
  });

  it("leaves out the fields that show their own", () => {
    const { container } = render(<FieldError error={error} path="rules" except={["rules[0]"]} />);
    expect(container.textContent).toBe("");
  });

  it("shows nothing for a field the error does not name", () => {
    const { container } = render(<FieldError error={error} path="name" />);
    expect(container.textContent).toBe("");
  });
});

describe("unclaimed and ErrorNote", () => {
  const error = new ApiRequestError(400, "invalid_request", "name: too long; version: is required", [
    { path: "name", message: "too long" },
    { path: "version", message: "is required" },
  ]);

  it("keep for the banner only what no field shows, once", () => {
    render(<ErrorNote error={unclaimed(error, ["name"])} />);
    expect(screen.getByRole("alert").textContent).toBe("The server refused this: version is required");
    expect(unclaimed(error, ["name", "version"])).toBeNull();
  });

  it("pass on errors that name no field, and leave conflicts to their panel", () => {
    const forbidden = new ApiRequestError(403, "forbidden", "editors only");
    expect(unclaimed(forbidden, ["name"])).toBe(forbidden);
    expect(unclaimed(new ApiRequestError(409, "conflict", "stale", [], { version: 2 }), [])).toBeNull();
    expect(unclaimed(null, [])).toBeNull();
  });
});

describe("QueryState", () => {
  const query = (change: object) => ({ data: undefined as string | undefined, error: null as unknown, isPending: false, refetch: vi.fn(), ...change });

  it("shows loading, then the data", () => {
    const { rerender } = render(<QueryState query={query({ isPending: true })} what="flags">{(data) => <p>{data}</p>}</QueryState>);
    expect(screen.getByRole("status").textContent).toContain("Loading flags");
    rerender(<QueryState query={query({ data: "three flags" })} what="flags">{(data) => <p>{data}</p>}</QueryState>);
    expect(screen.getByText("three flags")).toBeTruthy();
  });

  it("keeps showing the data when a refresh fails, so nothing on screen (or typed into it) is lost", () => {
    render(<QueryState query={query({ data: "three flags", error: new Error("network down") })} what="flags">{(data) => <input aria-label="Typed" defaultValue={data} />}</QueryState>);
    expect(screen.getByLabelText("Typed")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("Could not refresh flags: network down");
  });

  it("offers a retry when nothing could be loaded", () => {
    render(<QueryState query={query({ error: new Error("network down") })} what="flags">{(data) => <p>{data}</p>}</QueryState>);
    expect(screen.getByRole("alert").textContent).toContain("Could not load flags: network down");
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });
});
