/** Archiving and unarchiving a flag, confirmed in a dialog, with the conflict case handled. */
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagView } from "@switchyard/core";
import { api, ApiRequestError, enc } from "../api";
import { Dialog } from "../components/dialog";
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
  const conflict = change.error instanceof ApiRequestError && change.error.isConflict ? (change.error.current as FlagView) : null;
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
        <div className="note warning" role="alert">
          <strong>This flag changed since you loaded it.</strong> It is now at version {conflict.version} and{" "}
          {conflict.archived ? "archived" : "not archived"}. Nothing was changed.{" "}
          <button type="button" className="link" onClick={() => loadCurrent(conflict)}>
            Load the current version
          </button>
        </div>
      ) : alreadyDone ? (
        <p className="note success" role="status">
          It is already {archive ? "archived" : "active"}: nothing to do.
        </p>
      ) : (
        <ErrorNote error={change.error} />
      )}
      <div className="row">
        {!alreadyDone && (
          <button type="button" className={archive ? "danger" : "primary"} onClick={() => change.mutate()} disabled={change.isPending || conflict !== null}>
            {change.isPending ? (archive ? "Archiving…" : "Unarchiving…") : archive ? "Archive flag" : "Unarchive flag"}
          </button>
        )}
        <button type="button" onClick={onClose}>
          {alreadyDone ? "Close" : "Cancel"}
        </button>
      </div>
    </div>
  );
}
