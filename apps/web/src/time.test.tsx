import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatRelativeTime, RelativeTime } from "./time";

const now = Date.parse("2025-06-01T12:00:00.000Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("formatRelativeTime", () => {
  it("counts back in the largest whole unit, and gives the date past a month", () => {
    expect(formatRelativeTime("2025-06-01T11:59:50.000Z", now)).toBe("just now");
    expect(formatRelativeTime("2025-06-01T11:55:00.000Z", now)).toBe("5 minutes ago");
    expect(formatRelativeTime("2025-06-01T09:00:00.000Z", now)).toBe("3 hours ago");
    expect(formatRelativeTime("2025-05-31T10:00:00.000Z", now)).toBe("yesterday");
    expect(formatRelativeTime("2025-03-01T10:00:00.000Z", now)).toBe("Mar 1, 2025");
  });
});

describe("RelativeTime", () => {
  it("stays true on an open page, with the exact time as its title", () => {
    vi.useFakeTimers({ now, toFake: ["Date", "setInterval", "clearInterval"] });
    render(<RelativeTime iso="2025-06-01T11:55:00.000Z" />);
    const time = screen.getByText("5 minutes ago");
    expect(time.getAttribute("dateTime")).toBe("2025-06-01T11:55:00.000Z");
    expect(time.getAttribute("title")).toMatch(/2025/);
    act(() => {
      vi.advanceTimersByTime(120_000);
    });
    expect(time.textContent).toBe("7 minutes ago");
  });
});
