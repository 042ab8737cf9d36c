/**
 * Parsing and validating what the server sends, once, at the boundary: a malformed put or patch
 * is refused here and never reaches the store.
 */
import { z } from "zod";
import { environmentSnapshotSchema, flagDefinitionSchema, keySchema, segmentSchema } from "@switchyard/core/schema";
import type { EnvironmentSnapshot } from "@switchyard/core";
import { SdkError } from "../shared/errors.js";
import type { FlagPatch } from "./store.js";

const patchSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("flag"), key: keySchema, value: flagDefinitionSchema.nullable() }),
    z.strictObject({ kind: z.literal("segment"), key: keySchema, value: segmentSchema.nullable() }),
  ])
  .refine((patch) => patch.value === null || patch.value.key === patch.key, { message: "value.key must equal key" });

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: SdkError };

function malformed(what: string, detail: string): { ok: false; error: SdkError } {
  return { ok: false, error: new SdkError("malformed_event", `ignored a malformed ${what}: ${detail}`) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, detail: "not JSON" };
  }
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
}

/** A snapshot: a `put` event's data, a poll's body, a bootstrap or a persisted file's content. */
export function parseSnapshot(input: unknown, what = "put"): Parsed<EnvironmentSnapshot> {
  let value = input;
  if (typeof input === "string") {
    const json = parseJson(input);
    if (!json.ok) return malformed(what, json.detail);
    value = json.value;
  }
  const result = environmentSnapshotSchema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : malformed(what, describe(result.error));
}

/** A `patch` event's data. */
export function parsePatch(data: string): Parsed<FlagPatch> {
  const json = parseJson(data);
  if (!json.ok) return malformed("patch", json.detail);
  const result = patchSchema.safeParse(json.value);
  return result.success ? { ok: true, value: result.data } : malformed("patch", describe(result.error));
}
