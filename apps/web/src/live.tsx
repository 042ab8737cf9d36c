/**
 * Follows the admin event stream so an open page shows changes made elsewhere (another user, the
 * CLI, automation) without a reload: each change invalidates exactly the queries it touched.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { ChangeEventView } from "@switchyard/core";
import { keys } from "./queries";

export type LiveStatus = "connecting" | "live" | "reconnecting";

const LiveContext = createContext<LiveStatus>("connecting");

/** Waits before connecting again after the browser gave up: 1 s, doubling up to 30 s. */
const retryDelay = (attempt: number) => Math.min(30_000, 1_000 * 2 ** attempt);

export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    let source: EventSource;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let wasLive = false;

    function onChange(event: Event) {
      const change = JSON.parse((event as MessageEvent<string>).data) as ChangeEventView;
      if (change.flag !== null) {
        void queryClient.invalidateQueries({ queryKey: keys.flag(change.flag) });
        void queryClient.invalidateQueries({ queryKey: keys.flags, predicate: (q) => q.queryKey[1] === "list" });
        // A plan moves with its own writes, and with the flag's (a kill pauses it).
        void queryClient.invalidateQueries({ queryKey: keys.plans(change.flag) });
      }
      if (change.resourceKind === "segment" && change.environment !== null) {
        void queryClient.invalidateQueries({ queryKey: keys.segments(change.environment) });
      }
      // A new environment gives every flag a config there.
      if (change.resourceKind === "environment") void queryClient.invalidateQueries({ queryKey: keys.flags });
      if (change.resourceKind === "credential") void queryClient.invalidateQueries({ queryKey: keys.credentials });
      // Every write moves an environment's revision, and is an audit entry.
      void queryClient.invalidateQueries({ queryKey: keys.environments });
      void queryClient.invalidateQueries({ queryKey: keys.audit });
    }

    function connect() {
      source = new EventSource("/api/v1/events");
      source.addEventListener("open", () => {
        setStatus("live");
        failures = 0;
        // Changes made while disconnected were not seen: refetch what is on screen.
        if (wasLive) void queryClient.invalidateQueries();
        wasLive = true;
      });
      source.addEventListener("error", () => {
        setStatus(wasLive ? "reconnecting" : "connecting");
        // EventSource retries a dropped connection by itself, but gives up for good on an HTTP
        // error: a proxy's 502 while the server restarts, or a 401 once the session has ended.
        if (source.readyState !== EventSource.CLOSED) return;
        source.close();
        retry = setTimeout(() => {
          // An ended session shows the sign-in page (which unmounts this) instead of retrying forever.
          void queryClient.refetchQueries({ queryKey: keys.me });
          connect();
        }, retryDelay(failures++));
      });
      source.addEventListener("change", onChange);
    }

    connect();
    return () => {
      clearTimeout(retry);
      source.close();
    };
  }, [queryClient]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}

const statusWords: Record<LiveStatus, { label: string; title: string }> = {
  connecting: { label: "Connecting…", title: "Connecting to live updates" },
  live: { label: "Live", title: "Changes made elsewhere show here as they happen" },
  reconnecting: { label: "Reconnecting…", title: "Lost the live updates: reconnecting (what is shown may be out of date)" },
};

/** Whether the page follows changes made elsewhere: a dot and a word, never the colour alone. */
export function LiveStatusIndicator() {
  const status = useLiveStatus();
  const words = statusWords[status];
  return (
    <span className={`live-status ${status}`} title={words.title}>
      <span className="live-dot" aria-hidden="true" />
      <span role="status">{words.label}</span>
    </span>
  );
}
