/**
 * Last values in localStorage, per server and key, for the context they were evaluated for.
 * Storage may be missing, full or forbidden (private modes): every failure is a quiet no-op. What
 * it holds is checked like the wire: another script, an older version or a user may have written it.
 */
import type { EvaluationResult } from "@switchyard/core";
import { isRevision } from "../shared/revision.js";
import { asResults, isObject } from "./wire.js";

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

export function defaultStorage(): StorageLike | null {
  try {
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** The stored values when they are well-formed and were saved for this server and this exact context. */
export function loadValues(storage: StorageLike | null, key: string, url: string, context: string): StoredValues | null {
  try {
    const stored: unknown = JSON.parse(storage?.getItem(key) ?? "null");
    if (!isObject(stored) || stored.url !== url || stored.context !== context) return null;
    const { revision, savedAt } = stored;
    const flags = asResults(stored.flags);
    if (flags && isRevision(revision) && typeof savedAt === "number" && Number.isFinite(savedAt)) return { url, context, revision, savedAt, flags };
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
