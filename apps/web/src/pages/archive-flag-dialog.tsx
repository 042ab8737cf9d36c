/** Archiving and unarchiving a flag, confirmed in a dialog, with the conflict case handled. */
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagView } from "@switchyard/core";
import { api, enc } from "../api";
import { conflictState, ConflictPanel } from "../components/conflict";
import { Dialog, DialogActions } from "../components/dialog";
import { ErrorNote } from "../components/feedback";
import { keys } from "../queries";

/** `target`: the flag as the list showed it; archived flags are offered unarchiving. */
export function ArchiveFlagDialog({ target, onClose }: { target: FlagView | null; onClose: () => void }) {
  return (
    <Dialog open={target !== null} title={target?.archived ? "Unarchive flag" : "Archive flag"} onClose={onClose}>
      {target && <ArchiveForm target={target} onClose={onClose} />}
    </Dialog>
  );
}

/** Confirms archiving or unarchiving, at the version the list showed; after a conflict, at the version the server reported. */
function ArchiveForm({ target, onClose }: { target: FlagView; onClose: () => void }) {
  const queryClient = useQueryClient();
  const archive = !target.archived;
  const [base, setBase] = useState(target);
  const change = useMutation({
    mutationFn: () => api<FlagView>("POST", `/api/v1/flags/${enc(base.key)}/${archive ? "archive" : "unarchive"}`, { body: { version: base.version } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.flags });
      onClose();
    },
  });
  const conflict = conflictState<FlagView>(change.error);
  const alreadyDone = base.archived === archive;

  function loadCurrent(current: FlagView) {
    setBase(current);
    change.reset();
    void queryClient.invalidateQueries({ queryKey: keys.flags });
  }

  return (
    <div className="stack">
      {archive ? (
        <p>
          Archive <code>{base.key}</code>? SDKs stop receiving it and serve their defaults in every environment. Nothing is deleted; you can
          unarchive it later.
        </p>
      ) : (
        <p>
          Unarchive <code>{base.key}</code>? SDKs receive it again, with the configuration it had in each environment.
        </p>
      )}
      {conflict ? (
        <ConflictPanel heading="This flag changed since the list showed it." onLoad={() => loadCurrent(conflict)} loadLabel="Load the current version">
          <p>
            It is now at version {conflict.version} and {conflict.archived ? "archived" : "not archived"}.
          </p>
        </ConflictPanel>
      ) : alreadyDone ? (
        <p className="note success" role="status">
          It is already {archive ? "archived" : "active"}: nothing to do.
        </p>
      ) : (
        <ErrorNote error={change.error} />
      )}
      <DialogActions>
        <button type="button" onClick={onClose} data-autofocus>
          {alreadyDone ? "Close" : "Cancel"}
        </button>
        {!alreadyDone && (
          <button type="button" className={archive ? "danger" : "primary"} onClick={() => change.mutate()} disabled={change.isPending || conflict !== null}>
            {change.isPending ? (archive ? "Archiving…" : "Unarchiving…") : archive ? "Archive flag" : "Unarchive flag"}
          </button>
        )}
      </DialogActions>
    </div>
  );
}
