import { useState } from "react";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Clause, SegmentView } from "@switchyard/core";
import { ClauseEditor, parseClauseInput } from "./clause-editor";

function Harness({ initial, segments = [] }: { initial: Clause; segments?: SegmentView[] | null }) {
  const [clause, setClause] = useState(initial);
  return (
    <>
      <ClauseEditor clause={clause} onChange={setClause} segments={segments} disabled={false} error={null} path="rules[0].clauses[0]" />
      <output data-testid="clause">{JSON.stringify(clause)}</output>
    </>
  );
}

const current = () => JSON.parse(screen.getByTestId("clause").textContent!) as Clause;
const clause = (change: Partial<Clause>): Clause => ({ attribute: "country", op: "in", values: [], negate: false, caseInsensitive: false, ...change });

describe("ClauseEditor values", () => {
  it("adds a value on Enter and on comma, and removes one with ×", async () => {
    const user = userEvent.setup();
    render(<Harness initial={clause({})} />);
    const input = screen.getByLabelText("Values");
    await user.type(input, "NL{Enter}");
    await user.type(input, "BE,");
    expect(current().values).toEqual(["NL", "BE"]);
    expect((input as HTMLInputElement).value).toBe("");

    await user.click(screen.getByRole("button", { name: "Remove NL" }));
    expect(current().values).toEqual(["BE"]);
    expect(within(screen.getByRole("list", { name: "Values added" })).getAllByRole("listitem")).toHaveLength(1);
  });

  it("adds each item of a pasted comma-separated list", async () => {
    const user = userEvent.setup();
    render(<Harness initial={clause({})} />);
    await user.click(screen.getByLabelText("Values"));
    await user.paste("NL, BE ,DE");
    expect(current().values).toEqual(["NL", "BE", "DE"]);
  });

  it("takes numbers for numeric operators and rejects other text with the reason", async () => {
    const user = userEvent.setup();
    render(<Harness initial={clause({ attribute: "age", op: "gte" })} />);
    const input = screen.getByLabelText("Values");
    await user.type(input, "abc{Enter}");
    expect(current().values).toEqual([]);
    expect(screen.getByRole("alert").textContent).toBe("“abc” is not a number");
    expect((input as HTMLInputElement).value).toBe("abc");

    await user.clear(input);
    await user.type(input, "18{Enter}");
    expect(current().values).toEqual([18]);
  });

  it("checks versions with the core's own parser", () => {
    expect(parseClauseInput("semverGt", "2.4.0")).toEqual({ value: "2.4.0" });
    expect(parseClauseInput("semverGt", "latest")).toEqual({ error: "“latest” must be a semantic version such as 1.2.3" });
    expect(parseClauseInput("before", "1714521600000")).toEqual({ value: 1714521600000 });
    expect("error" in parseClauseInput("before", "May 1st")).toBe(true);
  });

  it("keeps commas inside regular expressions", async () => {
    const user = userEvent.setup();
    render(<Harness initial={clause({ attribute: "email", op: "matches" })} />);
    await user.type(screen.getByLabelText("Values"), "^a{{1,3}$");
    await user.keyboard("{Enter}");
    expect(current().values).toEqual(["^a{1,3}$"]);
  });
});

describe("ClauseEditor operators", () => {
  it("turns numeric text into numbers when switching to a numeric operator", async () => {
    const user = userEvent.setup();
    render(<Harness initial={clause({ attribute: "age", values: ["18", "x"] })} />);
    await user.selectOptions(screen.getByLabelText("Operator"), "gt");
    expect(current()).toMatchObject({ op: "gt", values: [18, "x"], caseInsensitive: false });
    expect(screen.getByText("“x” must be a number")).toBeTruthy();
  });

  it("offers the environment's segments for inSegment, and no inSegment inside a segment", async () => {
    const user = userEvent.setup();
    const beta = { key: "beta", name: "Beta testers" } as SegmentView;
    render(<Harness initial={clause({ op: "inSegment", attribute: "key" })} segments={[beta]} />);
    await user.click(screen.getByLabelText(/Beta testers/));
    expect(current().values).toEqual(["beta"]);
    cleanup();

    render(<Harness initial={clause({})} segments={null} />);
    const options = within(screen.getByLabelText("Operator")).getAllByRole("option").map((option) => (option as HTMLOptionElement).value);
    expect(options).toHaveLength(16);
    expect(options).not.toContain("inSegment");
  });
});
