/** Deleting a segment, confirmed, at the version the page shows; refused while flags still use it. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { SegmentView } from "@switchyard/core";
import { api, enc } from "../api";
import { conflictState } from "../components/conflict";
import { Dialog, DialogActions } from "../components/dialog";
import { ErrorNote } from "../components/feedback";
import { keys } from "../queries";

export function DeleteSegmentDialog({
  open,
  environment,
  segment,
  onClose,
  onDeleted,
}: {
  open: boolean;
  environment: string;
  segment: SegmentView;
  onClose(): void;
  onDeleted(): void;
}) {
  const queryClient = useQueryClient();
  // At the version the page shows: deleting a segment someone just changed is a conflict, not a surprise.
  const remove = useMutation({
    mutationFn: (version: number) => api<void>("DELETE", `/api/v1/environments/${enc(environment)}/segments/${enc(segment.key)}`, { ifMatch: version }),
    onSuccess: () => {
      onClose();
      onDeleted();
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.segments(environment) }),
  });
  // Both refusals are 409s with the segment as it is: at the version sent, flags still use it; at another, it changed.
  const current = conflictState<SegmentView>(remove.error);
  const inUse = current !== null && current.version === remove.variables;

  function close() {
    remove.reset();
    onClose();
  }

  return (
    <Dialog open={open} title={`Delete segment “${segment.key}”?`} onClose={close}>
      <p>It is removed from {environment} at once. Segments still used by a flag's rules cannot be deleted.</p>
      {current === null ? (
        <ErrorNote error={remove.error} />
      ) : inUse ? (
        <div className="note error" role="alert">
          <strong>Still in use. </strong>
          {remove.error instanceof Error && remove.error.message}. Remove it from those flags' rules first.
        </div>
      ) : (
        <p className="note warning" role="alert">
          <strong>Not deleted:</strong> this segment changed since you opened it (now version {current.version}). Review it, then delete it again if you still
          mean to.
        </p>
      )}
      <DialogActions>
        <button type="button" onClick={close} data-autofocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => remove.mutate(segment.version)} disabled={remove.isPending}>
          {remove.isPending ? "Deleting…" : "Delete segment"}
        </button>
      </DialogActions>
    </Dialog>
  );
}
