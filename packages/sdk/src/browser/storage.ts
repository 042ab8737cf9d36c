/**
 * Last values in localStorage, per server and key, for the context they were evaluated for.
 * Storage may be missing, full or forbidden (private modes): every failure is a quiet no-op.
 */
import type { EvaluationResult } from "@switchyard/core";

/** The part of `Storage` the client uses, so tests can pass a plain object. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface StoredValues {
  url: string;
  context: string;
  revision: number;
  savedAt: number;
  flags: Record<string, EvaluationResult>;
}

/** The public id of a key: the part before the "." (client keys are public anyway; this keeps keys short). */
export function storageKey(clientKey: string): string {
  return `switchyard:${clientKey.split(".")[0]}`;
}

export function defaultStorage(): StorageLike | null {
  try {
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** The stored values when they were saved for this server and this exact context. */
export function loadValues(storage: StorageLike | null, key: string, url: string, context: string): StoredValues | null {
  try {
    const stored = JSON.parse(storage?.getItem(key) ?? "null") as StoredValues | null;
    if (stored && stored.url === url && stored.context === context && typeof stored.flags === "object" && stored.flags !== null) return stored;
  } catch {
    // Unreadable: start without.
  }
  return null;
}

export function saveValues(storage: StorageLike | null, key: string, values: StoredValues): void {
  try {
    storage?.setItem(key, JSON.stringify(values));
  } catch {
    // Full or forbidden: persistence is best effort.
  }
}
