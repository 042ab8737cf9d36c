import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiRequestError } from "../api";
import { FieldError } from "./feedback";

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

  it("shows nothing for a field the error does not name", () => {
    const { container } = render(<FieldError error={error} path="name" />);
    expect(container.textContent).toBe("");
  });
});
