import { act, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChangeEventView } from "@switchyard/core";
import { LiveProvider, LiveStatusIndicator } from "./live";
import { keys } from "./queries";
import { flagView, jsonResponse, renderWithQueries, testQueryClient, userMe } from "./test-fixtures";

/** An EventSource the test drives: open it, break it, send it changes. */
class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = FakeEventSource.CONNECTING;
  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  /** A dropped connection the browser retries by itself, or (`closed`) an HTTP error after which it gives up. */
  fail(closed: boolean) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.dispatchEvent(new Event("error"));
  }
  send(change: Partial<ChangeEventView>) {
    this.dispatchEvent(new MessageEvent("change", { data: JSON.stringify({ auditId: 1, at: "", actor: { kind: "user", id: "1", name: "a" }, action: "flag.kill", resourceKind: "flag_config", resourceKey: "new-checkout", flag: null, environment: null, ...change }) }));
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

const latest = () => FakeEventSource.instances.at(-1)!;

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(userMe("editor"))));
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function renderLive() {
  const queryClient = testQueryClient();
  queryClient.setQueryData(keys.me, userMe("editor"));
  queryClient.setQueryData(keys.flag("new-checkout"), flagView());
  queryClient.setQueryData(keys.plan("new-checkout", "production"), null);
  renderWithQueries(
    <LiveProvider>
      <LiveStatusIndicator />
    </LiveProvider>,
    queryClient,
  );
  return queryClient;
}

describe("LiveProvider", () => {
  it("says in words whether changes made elsewhere are followed", () => {
    renderLive();
    expect(screen.getByRole("status").textContent).toBe("Connecting…");
    act(() => latest().open());
    expect(screen.getByRole("status").textContent).toBe("Live");
    act(() => latest().fail(false));
    expect(screen.getByRole("status").textContent).toBe("Reconnecting…");
  });

  it("marks what a change touched as stale", () => {
    const queryClient = renderLive();
    act(() => latest().open());
    act(() => latest().send({ flag: "new-checkout", environment: "production" }));
    expect(queryClient.getQueryState(keys.flag("new-checkout"))!.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(keys.plan("new-checkout", "production"))!.isInvalidated).toBe(true);
  });

  it("connects again after an HTTP error, when the browser itself gives up", async () => {
    renderLive();
    act(() => latest().open());
    // A proxy's 502 while the server restarts: EventSource closes for good.
    act(() => latest().fail(true));
    expect(FakeEventSource.instances).toHaveLength(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(30_000);
    });
    expect(FakeEventSource.instances.length).toBeGreaterThan(1);
    act(() => latest().open());
    expect(screen.getByRole("status").textContent).toBe("Live");
  });
});
