import { useState } from "react";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BUCKET_COUNT, type Serve, type Variant } from "@switchyard/core";
import { evenWeights, percentToWeight, ServeEditor, weightToPercent } from "./serve-editor";

describe("percentToWeight and weightToPercent", () => {
  it("convert in 0.001% steps without float drift", () => {
    expect(percentToWeight(33.333)).toBe(33333);
    expect(percentToWeight(0.001)).toBe(1);
    expect(percentToWeight(0.1 + 0.2)).toBe(300);
    expect(percentToWeight(100)).toBe(BUCKET_COUNT);
    expect(weightToPercent(33333)).toBe(33.333);
    expect(weightToPercent(1)).toBe(0.001);
    expect(weightToPercent(BUCKET_COUNT)).toBe(100);
  });

  it("round-trip every weight of a sweep", () => {
    for (let weight = 0; weight <= BUCKET_COUNT; weight += 7) expect(percentToWeight(weightToPercent(weight))).toBe(weight);
  });

  it("split evenly into integers that sum to the bucket count", () => {
    expect(evenWeights(3)).toEqual([33334, 33333, 33333]);
    expect(evenWeights(3).reduce((a, b) => a + b, 0)).toBe(BUCKET_COUNT);
  });
});

const variants: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];

function Harness({ initial }: { initial: Serve }) {
  const [serve, setServe] = useState(initial);
  return (
    <>
      <ServeEditor serve={serve} onChange={setServe} variants={variants} disabled={false} error={null} path="fallthrough" label="Default" />
      <output data-testid="serve">{JSON.stringify(serve)}</output>
    </>
  );
}

describe("ServeEditor", () => {
  
  it("shows the running total and an error until the split adds up to 100%", async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 50000 }, { variant: "off", weight: 50000 }] } }} />);
    expect(screen.queryByRole("alert")).toBeNull();

    const on = screen.getByLabelText("Percent for on");
    await user.clear(on);
    await user.type(on, "33.333");
    expect(screen.getByRole("alert").textContent).toContain("83.333%");
    expect(on.getAttribute("aria-invalid")).toBe("true");

    const off = screen.getByLabelText("Percent for off");
    await user.clear(off);
    await user.type(off, "66.667");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(JSON.parse(screen.getByTestId("serve").textContent!)).toEqual({
      rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 33333 }, { variant: "off", weight: 66667 }] },
    });
  });

  it("switches from one variant to a split that starts at 100% for it", async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ variant: "off" }} />);
    await user.click(screen.getByLabelText("Split by percentage"));
    expect(JSON.parse(screen.getByTestId("serve").textContent!)).toEqual({
      rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 0 }, { variant: "off", weight: BUCKET_COUNT }] },
    });
    expect((screen.getByLabelText("Percent for off") as HTMLInputElement).value).toBe("100");
  });
});
