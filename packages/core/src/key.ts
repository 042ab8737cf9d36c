/**
 * The rule every key follows (flags, variants, segments, environments, tags), without zod, so
 * browser forms check keys as they are typed with the rule the server enforces.
 */
export const MAX_KEY_LENGTH = 128;
export const KEY_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const KEY_PATTERN_MESSAGE = "must start with a letter or digit and contain only letters, digits, '.', '_' and '-'";

/**
 * What is wrong with `key`, in the server's words, or null when the server accepts it.
 *
 * @example
 * keyProblem("new-checkout"); // null
 * keyProblem("-x"); // "must start with a letter or digit and contain only …"
 */
export function keyProblem(key: string): string | null {
  if (key.length === 0) return "must not be empty";
  if (key.length > MAX_KEY_LENGTH) return `must be at most ${MAX_KEY_LENGTH} characters`;
  if (!KEY_PATTERN.test(key)) return KEY_PATTERN_MESSAGE;
  return null;
}
