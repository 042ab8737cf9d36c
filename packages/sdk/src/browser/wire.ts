/**
 * The browser stream's wire format (`/client/v1/stream`), checked by hand: zod would triple the
 * bundle, and the browser only receives evaluated results, a much smaller shape than rules.
 */
import type { EvaluationResult } from "@switchyard/core";
import { isRevision } from "../shared/revision.js";

export interface BrowserPut {
  revision: number;
  flags: Record<string, EvaluationResult>;
}

export type BrowserPatch = { key: string; deleted: true } | { key: string; result: EvaluationResult };

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function isResult(value: unknown): value is EvaluationResult {
  return isObject(value) && "value" in value && typeof value.reason === "string" && (value.variant === null || typeof value.variant === "string");
}

/**
 * `value` when it is a map of key -> result (a put's flags, or stored ones), else null. An own
 * "__proto__" key (JSON.parse makes them) would replace the prototype of the values object.
 */
export function asResults(value: unknown): Record<string, EvaluationResult> | null {
  if (!isObject(value)) return null;
  for (const key in value) if (key === "__proto__" || !isResult(value[key])) return null;
  return value as Record<string, EvaluationResult>;
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
  if (!isObject(data) || !isRevision(data.revision)) return null;
  const flags = asResults(data.flags);
  return flags ? { revision: data.revision, flags } : null;
}

/** A patch's data, or null when malformed. */
export function parsePatch(text: string): BrowserPatch | null {
  const data = parse(text);
  if (!isObject(data) || typeof data.key !== "string" || data.key === "__proto__") return null;
  if (data.deleted === true) return { key: data.key, deleted: true };
  const { key, ...result } = data;
  return isResult(result) ? { key, result } : null;
}

/** The server refuses a larger `context` parameter. */
const MAX_CONTEXT_PARAM_LENGTH = 8192;

/** A context as JSON (to tell contexts apart) and as the stream's base64url `context` parameter. */
export interface EncodedContext {
  json: string;
  param: string;
}

/**
 * Encodes a context once, or gives null when the server would refuse it or it cannot be encoded at
 * all: not a JSON object, a BigInt, a cycle, a throwing getter or Proxy, over the size limit.
 */
export function encodeContext(context: unknown): EncodedContext | null {
  try {
    const json = JSON.stringify(context ?? {});
    if (typeof json !== "string" || json[0] !== "{") return null;
    const bytes = new TextEncoder().encode(json);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    const param = btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return param.length <= MAX_CONTEXT_PARAM_LENGTH ? { json, param } : null;
  } catch {
    return null;
  }
}
