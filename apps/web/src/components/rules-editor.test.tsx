import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Rule, Variant } from "@switchyard/core";
import { ApiRequestError } from "../api";
import { RulesEditor } from "./rules-editor";

const variants: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];
const rule = (description: string, country: string): Rule => ({
  description,
  clauses: [{ attribute: "country", op: "in", values: [country], negate: false, caseInsensitive: false }],
  serve: { variant: "on" },
});

describe("RulesEditor", () => {
  it("moves rule 2 up with its button", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const rules = [rule("Dutch", "NL"), rule("Belgian", "BE"), rule("German", "DE")];
    render(<RulesEditor rules={rules} onChange={onChange} variants={variants} segments={[]} disabled={false} error={null} />);
    expect((screen.getByRole("button", { name: "Move rule 1 up" }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole("button", { name: "Move rule 2 up" }));
    expect(onChange).toHaveBeenCalledWith([rules[1], rules[0], rules[2]]);
  });

  it("keeps each rule's fields with it when it moves, and is keyboard operable", async () => {
    const user = userEvent.setup();
    function Harness() {
      const [rules, setRules] = useState([rule("Dutch", "NL"), rule("Belgian", "BE")]);
      return <RulesEditor rules={rules} onChange={setRules} variants={variants} segments={[]} disabled={false} error={null} />;
    }
    render(<Harness />);
    screen.getByRole("button", { name: "Move rule 1 down" }).focus();
    await user.keyboard("{Enter}");
    const descriptions = screen.getAllByLabelText("Description (optional)").map((input) => (input as HTMLInputElement).value);
    expect(descriptions).toEqual(["Belgian", "Dutch"]);
  });

  it("adds and removes rules", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const { rerender } = render(<RulesEditor rules={[]} onChange={onChange} variants={variants} segments={[]} disabled={false} error={null} />);
    await user.click(screen.getByRole("button", { name: "+ Add rule" }));
    expect(onChange).toHaveBeenLastCalledWith([{ clauses: [{ attribute: "key", op: "in", values: [], negate: false, caseInsensitive: false }], serve: { variant: "on" } }]);

    rerender(<RulesEditor rules={[rule("Dutch", "NL"), rule("Belgian", "BE")]} onChange={onChange} variants={variants} segments={[]} disabled={false} error={null} />);
    await user.click(screen.getByRole("button", { name: "Remove rule 1" }));
    expect(onChange).toHaveBeenLastCalledWith([rule("Belgian", "BE")]);
  });

  it("shows the server's errors under the clause and the serve they name", () => {
    const error = new ApiRequestError(400, "invalid_request", "invalid", [
      { path: "rules[1].clauses[0].values[0]", message: "must be a number for gt" },
      { path: "rules[0].serve.variant", message: 'variant "gone" does not exist' },
    ]);
    render(<RulesEditor rules={[rule("Dutch", "NL"), rule("Belgian", "BE")]} onChange={() => {}} variants={variants} segments={[]} disabled={false} error={error} />);
    const alerts = screen.getAllByRole("alert").map((alert) => alert.textContent);
    expect(alerts).toEqual(['rules[0].serve.variant: variant "gone" does not exist', "rules[1].clauses[0].values[0]: must be a number for gt"]);
  });

  it("disables every control for a viewer", () => {
    render(<RulesEditor rules={[rule("Dutch", "NL")]} onChange={() => {}} variants={variants} segments={[]} disabled error={null} />);
    for (const button of screen.getAllByRole("button")) expect((button as HTMLButtonElement).disabled).toBe(true);
  });
});
