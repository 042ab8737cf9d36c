/**
 * Follows the admin event stream so an open page shows changes made elsewhere (another user, the
 * CLI, automation) without a reload: each change invalidates exactly the queries it touched.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { ChangeEventView } from "@switchyard/core";
import { keys } from "./queries";

export type LiveStatus = "connecting" | "live" | "reconnecting";

const LiveContext = createContext<{ status: LiveStatus; lastChange: ChangeEventView | null }>({ status: "connecting", lastChange: null });

export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [lastChange, setLastChange] = useState<ChangeEventView | null>(null);

  useEffect(() => {
    const source = new EventSource("/api/v1/events");
    let wasLive = false;
    source.addEventListener("open", () => {
      setStatus("live");
      // Changes made while disconnected were not seen: refetch what is on screen.
      if (wasLive) void queryClient.invalidateQueries();
      wasLive = true;
    });
    // EventSource reconnects by itself after an error.
    source.addEventListener("error", () => setStatus("reconnecting"));
    source.addEventListener("change", (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as ChangeEventView;
      setLastChange(change);
      if (change.flag !== null) {
        void queryClient.invalidateQueries({ queryKey: keys.flag(change.flag) });
        void queryClient.invalidateQueries({ queryKey: keys.flags, predicate: (q) => q.queryKey[1] === "list" });
      }
      if (change.resourceKind === "segment" && change.environment !== null) {
        void queryClient.invalidateQueries({ queryKey: keys.segments(change.environment) });
      }
      if (change.resourceKind === "environment") void queryClient.invalidateQueries({ queryKey: keys.flags });
      if (change.resourceKind === "credential") void queryClient.invalidateQueries({ queryKey: keys.credentials });
      void queryClient.invalidateQueries({ queryKey: keys.environments });
      void queryClient.invalidateQueries({ queryKey: keys.audit });
    });
    return () => source.close();
  }, [queryClient]);

  return <LiveContext.Provider value={{ status, lastChange }}>{children}</LiveContext.Provider>;
}

export function useLive() {
  return useContext(LiveContext);
}
