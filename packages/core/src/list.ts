/**
 * The array in a field that should hold one, or an empty array: compiling and checking read
 * flags that may not have passed the schema (defaults missing, wrong types), and never throw.
 *
 * @example
 * list(flag.rules).forEach((rule) => {}); // no-op when `rules` is missing or not an array
 */
export function list<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}
