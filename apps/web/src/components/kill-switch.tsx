/**
 * The kill switch of one environment, its undo, and the banner a killed flag shows. Both actions
 * ask for a reason: it goes into the audit log and onto the banner everyone sees.
 */
import { useId, useState, type FormEvent } from "react";
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { api, enc } from "../api";
import { summarizeConfig } from "../definition";
import { RelativeTime } from "../time";
import { Conflict, useConfigWrite } from "./conflict";
import { Dialog, DialogActions } from "./dialog";
import { ErrorNote, FieldError, hasIssues, unclaimed } from "./feedback";

type Action = "kill" | "unkill";

export function KillSwitch({ flag, environment, readOnlyReason }: { flag: FlagView; environment: string; readOnlyReason?: string }) {
  const config = flag.environments[environment]!;
  const action: Action = config.killed ? "unkill" : "kill";
  // The action chosen, fixed while its dialog is open: a kill made elsewhere meanwhile must not turn "Kill" into "Unkill" under the cursor.
  const [chosen, setChosen] = useState<Action | null>(null);
  return (
    <div className="kill-switch">
      {action === "kill" ? (
        <button type="button" className="danger kill-button" onClick={() => setChosen("kill")} disabled={readOnlyReason !== undefined} title={readOnlyReason}>
          Kill switch
        </button>
      ) : (
        <button type="button" onClick={() => setChosen("unkill")} disabled={readOnlyReason !== undefined} title={readOnlyReason}>
          Unkill
        </button>
      )}
      <KillDialog open={chosen !== null} onClose={() => setChosen(null)} action={chosen ?? action} flag={flag} config={config} />
    </div>
  );
}

function KillDialog({
  open,
  onClose,
  action,
  flag,
  config,
}: {
  open: boolean;
  onClose: () => void;
  action: Action;
  flag: FlagView;
  config: FlagConfigView;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const environment = config.environment;
  // At the version the dialog shows: what it says is what happens, or nothing does.
  const write = useConfigWrite(flag.key, async (body: { reason: string; version: number }) => {
    const answer = await api<{ config: FlagConfigView }>("POST", `/api/v1/flags/${enc(flag.key)}/environments/${enc(environment)}/${action}`, { body });
    return answer.config;
  });
  const offValue = flag.variants.find((variant) => variant.key === config.offVariant)?.value;

  function close() {
    write.reset();
    setReason("");
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    write.mutate({ reason: reason.trim(), version: config.version }, { onSuccess: close });
  }

  const reasonInvalid = hasIssues(write.error, "reason");
  const doneElsewhere = !write.isSuccess && config.killed === (action === "kill");
  return (
    <Dialog className="kill-dialog" open={open} onClose={close} title={action === "kill" ? `Kill ${flag.key} in ${environment}?` : `Unkill ${flag.key} in ${environment}?`}>
      <form onSubmit={submit} className="stack">
        {action === "kill" ? (
          <p>
            Every SDK in <strong>{environment}</strong> serves the off variant <strong>{config.offVariant}</strong>
            {offValue !== undefined && <> ({JSON.stringify(offValue)})</>} within a second, to everyone, whatever the targeting says. The
            configuration is kept and comes back when you unkill.
          </p>
        ) : (
          <p>
            The configuration from before the kill is restored in <strong>{environment}</strong>: {summarizeConfig(config)}.
          </p>
        )}
        {doneElsewhere && (
          <p className="note warning" role="status">
            Someone has {action === "kill" ? "killed" : "unkilled"} it in {environment} meanwhile: there is nothing left to do.
          </p>
        )}
        <div>
          <label htmlFor={`${id}-reason`}>Reason (required)</label>
          <textarea
            id={`${id}-reason`}
            rows={3}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            required
            aria-invalid={reasonInvalid ? true : undefined}
            placeholder={action === "kill" ? "Checkout errors spiking since 14:02" : "Fix deployed in 2.14.1"}
          />
          <p className="hint">Recorded in the audit log and shown on the flag.</p>
          <FieldError error={write.error} path="reason" />
        </div>
        <Conflict error={write.error} environment={environment} onDiscard={() => write.reset()} loadLabel="Review the current version" />
        <ErrorNote error={unclaimed(write.error, ["reason"])} />
        <DialogActions>
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className={action === "kill" ? "danger" : "primary"} disabled={reason.trim() === "" || write.isPending || doneElsewhere}>
            {action === "kill" ? (write.isPending ? "Killing…" : `Kill in ${environment}`) : write.isPending ? "Restoring…" : `Unkill in ${environment}`}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** One banner per killed environment, whatever environment the page shows. */
export function KillBanners({ flag }: { flag: FlagView }) {
  const killed = Object.values(flag.environments).filter((config) => config.killed);
  return (
    <>
      {killed.map((config) => (
        <div key={config.environment} className="kill-banner" role="status">
          <strong>Killed in {config.environment}</strong>
          {config.killedBy && <> by {config.killedBy}</>}
          {config.killedAt && (
            <>
              {" "}
              <RelativeTime iso={config.killedAt} />
            </>
          )}
          {config.killReason && <> — {config.killReason}</>}
          <span className="kill-banner-effect"> Every SDK there serves the off variant ({config.offVariant}).</span>
        </div>
      ))}
    </>
  );
}
