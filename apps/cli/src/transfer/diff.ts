/** Structural differences between two JSON values, as paths the file's reader recognises. */

export interface FieldChange {
  /** `config.rules[0].serve.variant`, as in the file. */
  path: string;
  /** On the server; undefined when absent. */
  before: unknown;
  /** In the file; undefined when absent. */
  after: unknown;
}

/** Every leaf that differs; object key order does not count, array order does. */
export function diffValues(before: unknown, after: unknown, path: string): FieldChange[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => diffValues(before[index], after[index], `${path}[${index}]`)).flat();
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffValues(before[key], after[key], path === "" ? key : `${path}.${key}`));
  }
  return [{ path, before, after }];
}

export function sameValue(a: unknown, b: unknown): boolean {
  return diffValues(a, b, "").length === 0;
}

export function renderValue(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}

export function renderChange(change: FieldChange): string {
  return `${change.path}: ${renderValue(change.before)} → ${renderValue(change.after)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
