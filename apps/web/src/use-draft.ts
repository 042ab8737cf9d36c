/**
 * Local edits of something the server holds (a flag's targeting, its variants, a segment), the
 * one way every editor keeps them.
 */
import { useState } from "react";

export interface Draft<Fields> {
  /** What the form shows: the edits, or the live fields while nothing is edited. */
  fields: Fields;
  /** Whether the fields differ from where the edits started. */
  dirty: boolean;
  /** The version a save must name: the one the edits started from. */
  baseVersion: number | undefined;
  /** Edited, and the server's version has moved on since: saving will show a conflict. */
  stale: boolean;
  edit(change: (fields: Fields) => Fields): void;
  /** Back to following the live fields (after a save, or to drop the edits). */
  discard(): void;
}

/**
 * Untouched, the draft follows `live` as live updates change it; once edited it keeps its own
 * fields and the version it started from, whatever arrives, until saved or discarded. Edits that
 * return to where they started are no edits: the form follows `live` again.
 *
 * @example
 * const draft = useDraft(editableOf(config), config.version);
 * save.mutate({ ...draft.fields, version: draft.baseVersion }, { onSuccess: draft.discard });
 */
export function useDraft<Fields>(live: Fields, version: number | undefined): Draft<Fields> {
  const [draft, setDraft] = useState<{ base: Fields; version: number | undefined; fields: Fields } | null>(null);
  const dirty = draft !== null && !sameJson(draft.fields, draft.base);
  return {
    fields: dirty ? draft.fields : live,
    dirty,
    baseVersion: dirty ? draft.version : version,
    stale: dirty && draft.version !== version,
    edit: (change) =>
      setDraft((previous) =>
        previous !== null && !sameJson(previous.fields, previous.base)
          ? { ...previous, fields: change(previous.fields) }
          : { base: live, version, fields: change(live) },
      ),
    discard: () => setDraft(null),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
