import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { FlagDefinition } from "@switchyard/core";
import { parseAttributeValue, TryContext } from "./try-context";

const saved: FlagDefinition = {
  key: "new-checkout",
  kind: "boolean",
  variants: [
    { key: "on", value: true },
    { key: "off", value: false },
  ],
  salt: "salt-1",
  clientVisible: false,
  enabled: true,
  killed: false,
  killReason: null,
  targets: [{ variant: "off", values: ["user-9"] }],
  rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false }], serve: { variant: "on" } }],
  fallthrough: { variant: "off" },
  offVariant: "off",
  version: 2,
};

function result(title: string) {
  const heading = screen.getByRole("heading", { name: title });
  return heading.parentElement!.textContent!;
}

describe("TryContext", () => {
  it("evaluates the prefilled context: value, variant and reason with the rule's number", () => {
    render(<TryContext saved={saved} segments={[]} />);
    expect(screen.getByText(/same core as the SDKs/)).toBeTruthy();
    const text = result("Saved configuration");
    expect(text).toContain("Valuetrue");
    expect(text).toContain("Varianton");
    expect(text).toContain("RULE_MATCH — matched rule 1");
    expect(screen.queryByRole("heading", { name: "With your unsaved changes" })).toBeNull();
  });

  it("re-evaluates as the JSON changes, and shows invalid JSON inline", () => {
    render(<TryContext saved={saved} segments={[]} />);
    const json = screen.getByLabelText("Context (JSON)");
    fireEvent.change(json, { target: { value: '{"key": "user-9", "country": "NL"}' } });
    expect(result("Saved configuration")).toContain("TARGET_MATCH — individually targeted");

    fireEvent.change(json, { target: { value: '{"key": "user-1",' } });
    expect(screen.getByRole("alert").textContent).toMatch(/^Not valid JSON/);
    expect(json.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByRole("heading", { name: "Saved configuration" })).toBeNull();

    fireEvent.change(json, { target: { value: "[1]" } });
    expect(screen.getByRole("alert").textContent).toMatch(/must be a JSON object/);
  });

  it("edits attributes through the rows, which rewrite the JSON", async () => {
    const user = userEvent.setup();
    render(<TryContext saved={saved} segments={[]} />);
    const country = screen.getByLabelText("Value of country");
    await user.clear(country);
    await user.type(country, "DE");
    expect(result("Saved configuration")).toContain("FALLTHROUGH — no target or rule matched");

    await user.type(screen.getByLabelText("Attribute name"), "age");
    await user.type(screen.getByLabelText("Attribute value"), "42");
    await user.click(screen.getByRole("button", { name: "Add attribute" }));
    expect(JSON.parse((screen.getByLabelText("Context (JSON)") as HTMLTextAreaElement).value)).toEqual({ key: "user-123", country: "DE", age: 42 });

    await user.click(screen.getByRole("button", { name: "Remove age" }));
    expect(within(screen.getByRole("list", { name: "Attributes" })).queryByText("age")).toBeNull();
  });

  it("also shows the result with unsaved changes when there are some", () => {
    const unsaved: FlagDefinition = { ...saved, rules: [] };
    render(<TryContext saved={saved} unsaved={unsaved} segments={[]} />);
    expect(result("Saved configuration")).toContain("RULE_MATCH");
    expect(result("With your unsaved changes")).toContain("FALLTHROUGH");
  });
});

describe("parseAttributeValue", () => {
  it("reads JSON when it parses and text otherwise", () => {
    expect(parseAttributeValue("42")).toBe(42);
    expect(parseAttributeValue("true")).toBe(true);
    expect(parseAttributeValue('["a","b"]')).toEqual(["a", "b"]);
    expect(parseAttributeValue("NL")).toBe("NL");
  });
});

describe("TryContext attribute rows", () => {
  it("keep what is typed while it is typed, such as 1.05 or a trailing space", async () => {
    const user = userEvent.setup();
    render(<TryContext saved={saved} segments={[]} />);
    const country = screen.getByLabelText("Value of country") as HTMLInputElement;
    await user.clear(country);
    await user.type(country, "1.05");
    expect(country.value).toBe("1.05");
    expect(JSON.parse((screen.getByLabelText("Context (JSON)") as HTMLTextAreaElement).value).country).toBe(1.05);

    await user.clear(country);
    await user.type(country, "true story");
    expect(country.value).toBe("true story");
  });
});
