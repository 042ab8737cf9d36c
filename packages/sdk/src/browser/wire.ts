/**
 * The browser stream's wire format (`/client/v1/stream`), checked by hand: zod would triple the
 * bundle, and the browser only receives evaluated results, a much smaller shape than rules.
 */
import type { EvaluationResult } from "@switchyard/core";

export interface BrowserPut {
  revision: number;
  flags: Record<string, EvaluationResult>;
}

export type BrowserPatch = { key: string; deleted: true } | { key: string; result: EvaluationResult };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function isResult(value: unknown): value is EvaluationResult {
  return isObject(value) && "value" in value && typeof value.reason === "string" && (value.variant === null || typeof value.variant === "string");
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A put's data, or null when malformed. */
export function parsePut(text: string): BrowserPut | null {
  const data = parse(text);
  if (!isObject(data) || typeof data.revision !== "number" || !isObject(data.flags)) return null;
  for (const key in data.flags) if (key === "__proto__" || !isResult(data.flags[key])) return null;
  return { revision: data.revision, flags: data.flags as Record<string, EvaluationResult> };
}

/** A patch's data, or null when malformed. */
export function parsePatch(text: string): BrowserPatch | null {
  const data = parse(text);
  // An own "__proto__" key (JSON.parse makes them) would replace the prototype of the values object.
  if (!isObject(data) || typeof data.key !== "string" || data.key === "__proto__") return null;
  if (data.deleted === true) return { key: data.key, deleted: true };
  const { key, ...result } = data;
  return isResult(result) ? { key, result } : null;
}

/** base64url of the context's JSON, as the stream's `context` parameter expects. */
export function encodeContext(context: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(context ?? {}));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
