/**
 * Writes made against a stale version: the server refuses them with a 409 and the current state,
 * and the UI shows that state, overwrites nothing, and offers to start again from it. Also the
 * config writes of the flag page, whose answer goes straight into the cache.
 */
import type { ReactNode } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { ApiRequestError } from "../api";
import { describeServe, withConfig } from "../definition";
import { keys } from "../queries";
import "./conflict.css";

/** A mutation that writes a config and stores the config the server answers with. */
export function useConfigWrite<Input>(flagKey: string, write: (input: Input) => Promise<FlagConfigView>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: (config) => {
      queryClient.setQueryData<FlagView>(keys.flag(flagKey), (flag) => flag && withConfig(flag, config));
    },
    // A conflict means the cached flag is old too: reload it (the live stream usually has already).
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.flags }),
  });
}

/** The state a 409 carries, when `error` is one. */
export function conflictState<T>(error: unknown): T | null {
  return error instanceof ApiRequestError && error.isConflict ? (error.current as T) : null;
}

const DISCARD_AND_LOAD = "Discard my changes and load the current version";

/** What a 409 found: nothing was saved, what is there now (`children`), and the way back to it. */
export function ConflictPanel({
  heading,
  children,
  onLoad,
  loadLabel = DISCARD_AND_LOAD,
}: {
  heading: string;
  children: ReactNode;
  onLoad: () => void;
  loadLabel?: string;
}) {
  return (
    <div className="note warning conflict" role="alert">
      <p>
        <strong>{heading}</strong> Nothing was overwritten.
      </p>
      {children}
      <button type="button" onClick={onLoad}>
        {loadLabel}
      </button>
    </div>
  );
}

/** A draft based on a version the server has moved past: kept, and saving it will show the conflict. */
export function StaleNote({ changed, version }: { changed: string; version: number }) {
  return (
    <p className="note warning" role="status">
      {changed} since you started editing (now version {version}). Your changes are kept; saving them overwrites nothing and shows you the
      current version instead.
    </p>
  );
}

function isConfigView(value: unknown): value is FlagConfigView {
  return typeof value === "object" && value !== null && "version" in value && "fallthrough" in value && "rules" in value;
}

/** Shows a config write's 409 with the current config, when `error` is one; renders nothing otherwise. */
export function Conflict({ error, environment, onDiscard, loadLabel }: { error: unknown; environment: string; onDiscard: () => void; loadLabel?: string }) {
  const current = conflictState<unknown>(error);
  if (current === null) return null;
  return (
    <ConflictPanel heading={`Not saved: this flag changed in ${environment} after you started.`} onLoad={onDiscard} loadLabel={loadLabel}>
      {isConfigView(current) && (
        <dl>
          <dt>Now</dt>
          <dd>version {current.version}</dd>
          <dt>Serving</dt>
          <dd>
            {current.enabled ? "on" : "off"}
            {current.killed && " (killed: the off variant is served)"}
          </dd>
          <dt>Everyone else</dt>
          <dd>{describeServe(current.fallthrough)}</dd>
          <dt>Rules</dt>
          <dd>{current.rules.length}</dd>
          <dt>Targets</dt>
          <dd>{current.targets.reduce((sum, target) => sum + target.values.length, 0)} context keys</dd>
        </dl>
      )}
      <details>
        <summary>Current configuration (JSON)</summary>
        <pre>{JSON.stringify(current, null, 2)}</pre>
      </details>
    </ConflictPanel>
  );
}
