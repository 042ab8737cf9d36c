/** Revisions on the wire, checked the same way by both entries: whole numbers from 0. */

export function isRevision(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** An SSE `id:`, which is the environment revision after the event; null when missing or not one. */
export function parseRevision(id: string | undefined): number | null {
  if (id === undefined || !/^\d+$/.test(id)) return null;
  const revision = Number(id);
  return isRevision(revision) ? revision : null;
}
