/**
 * Writes to a flag's config in one environment: the answer goes straight into the cache, and a
 * write made against a stale version shows what is there now instead of overwriting it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { ApiRequestError } from "../api";
import { describeServe, withConfig } from "../definition";
import { keys } from "../queries";

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

function isConfigView(value: unknown): value is FlagConfigView {
  return typeof value === "object" && value !== null && "version" in value && "fallthrough" in value && "rules" in value;
}

/** Shows a 409's current state, when `error` is one; renders nothing otherwise. */
export function Conflict({ error, environment, onDiscard }: { error: unknown; environment: string; onDiscard: () => void }) {
  if (!(error instanceof ApiRequestError) || !error.isConflict) return null;
  const current = error.current;
  return (
    <div className="note warning conflict" role="alert">
      <p>
        <strong>Not saved: this flag changed in {environment} after you started.</strong> Nothing was overwritten.
      </p>
      {isConfigView(current) && (
        <dl className="conflict-summary">
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
      <button type="button" onClick={onDiscard}>
        Discard my changes and load the current version
      </button>
    </div>
  );
}
