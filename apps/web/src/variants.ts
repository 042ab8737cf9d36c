/** A flag's variants as people type and read them: values as text of the flag's kind, and labels. */
import type { FlagKind, JsonValue, Variant } from "@switchyard/core";

/**
 * Typed text as a value of the flag's kind, or what is wrong with it.
 *
 * @example
 * parseVariantValue("number", "0.25"); // { value: 0.25 }
 * parseVariantValue("json", "{a:1}"); // { error: "is not valid JSON (…)" }
 */
export function parseVariantValue(kind: FlagKind, text: string): { value: JsonValue } | { error: string } {
  switch (kind) {
    case "string":
      return { value: text };
    case "number": {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value) ? { value } : { error: "must be a number, such as 3 or 0.25" };
    }
    case "boolean":
      return text === "true" || text === "false" ? { value: text === "true" } : { error: "must be true or false" };
    case "json":
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch (error) {
        return { error: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
      }
  }
}

/** A value as the text that `parseVariantValue` reads back. */
export function variantValueText(kind: FlagKind, value: JsonValue): string {
  if (kind === "string") return typeof value === "string" ? value : JSON.stringify(value);
  if (kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** "Enabled (on: true)": the name when the variant has one, always the key and the value. */
export function variantLabel(variant: Variant): string {
  const value = JSON.stringify(variant.value);
  const shown = value.length > 40 ? `${value.slice(0, 39)}…` : value;
  return variant.name ? `${variant.name} (${variant.key}: ${shown})` : `${variant.key}: ${shown}`;
}
