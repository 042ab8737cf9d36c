/**
 * Bounded regular expressions for the `matches` operator. JavaScript regexes backtrack, so a
 * hostile pattern can hang an evaluator: `(a+)+$` exponentially, and even star-height-one
 * patterns such as `\s*\s*$` or `a.*b.*c` take seconds on a 4096-character input (each
 * adjacent repetition over the same characters, and each unanchored start position, multiplies
 * the work by the input length). Flags are written by people and evaluated in every server and
 * browser, so we accept only patterns whose worst case is bounded, and cap the input length.
 */
import { overlaps, parsePattern, RejectedPattern, type CharSet, type Item } from "./regex-shape.js";

/** Longest pattern accepted by `matches`. */
export const MAX_PATTERN_LENGTH = 512;
/** Longest attribute string `matches` looks at; longer strings never match. */
export const MAX_MATCH_INPUT_LENGTH = 4096;

/**
 * Worst-case backtracking work allowed, in "ways to split the input": two chained repetitions
 * over the whole input, such as an unanchored `\d+x` (tens of milliseconds in V8 at 4096
 * characters, a few hundred at worst on a busy machine). Three would take seconds.
 */
const MAX_COST = MAX_MATCH_INPUT_LENGTH * MAX_MATCH_INPUT_LENGTH;

/** Whether an item can match the empty string (so its neighbours meet each other). */
function isNullable(item: Item): boolean {
  return item.zeroWidth || item.min === 0 || (item.group !== null && item.group.some((sequence) => sequence.every(isNullable)));
}

function union(a: CharSet, b: CharSet): CharSet {
  return { words: a.words.map((w, i) => w | b.words[i]!), other: a.other || b.other };
}

function isQuantified(item: Item): boolean {
  return item.min !== 1 || item.max !== 1;
}

/** Whether a group contains a quantifier or an alternation at any depth. */
function isRisky(alternatives: Item[][]): boolean {
  if (alternatives.length > 1) return true;
  return alternatives.some((sequence) => sequence.some((item) => isQuantified(item) || (item.group !== null && isRisky(item.group))));
}

/** Star height above one: a repeated group that itself contains a quantifier or an alternation. */
function hasNestedRepetition(alternatives: Item[][]): boolean {
  return alternatives.some((sequence) =>
    sequence.some((item) => item.group !== null && ((item.max > 1 && isRisky(item.group)) || hasNestedRepetition(item.group))),
  );
}

/** How many ways an item can match at one position (its choices times its group's). */
function choices(item: Item): number {
  const own = item.max === Infinity ? MAX_MATCH_INPUT_LENGTH : Math.min(item.max - item.min + 1, MAX_MATCH_INPUT_LENGTH);
  return item.group === null ? own : own * item.group.reduce((sum, sequence) => sum + attemptCost(sequence), 0);
}

/**
 * Worst-case work for one match attempt: the largest product of choices along a chain of items
 * that can trade characters with each other. Two consecutive choosing items are chained when the
 * first can consume what the second starts with, and every fixed item between them could be
 * consumed by both; then every split between them must be tried. A fixed item neither can
 * consume breaks the chain. An item that can match nothing does not separate its neighbours: a
 * later item may chain with what came before it. This over-approximates (it assumes the worst
 * input for every link), so it errs on the side of rejecting.
 */
function attemptCost(sequence: Item[]): number {
  let product = 1;
  let best = 1;
  let chainSet: CharSet | null = null;
  let between: CharSet[] = [];
  for (const item of sequence) {
    if (item.zeroWidth) continue;
    const ways = choices(item);
    const nullable = isNullable(item);
    if (ways <= 1) {
      if (chainSet !== null && !nullable) between.push(item.set);
      continue;
    }
    const previous: CharSet | null = chainSet;
    const chained = previous !== null && overlaps(previous, item.first) && between.every((fixed) => overlaps(fixed, previous) && overlaps(fixed, item.set));
    if (chained) {
      product *= ways;
      chainSet = nullable ? union(previous, item.set) : item.set;
    } else if (nullable && previous !== null) {
      // Skippable: what follows may chain with the earlier chain or with this item.
      product = Math.max(product, ways);
      chainSet = union(previous, item.set);
    } else {
      product = ways;
      chainSet = item.set;
    }
    best = Math.max(best, product);
    between = [];
  }
  return best;
}

/** Without a leading `^` the engine makes an attempt at every start position. */
function sequenceCost(sequence: Item[], unanchored: boolean): number {
  return (unanchored ? MAX_MATCH_INPUT_LENGTH : 1) * attemptCost(sequence);
}

/**
 * Why `matches` would refuse a pattern, or undefined when it accepts it. The reasons double as
 * messages for `findFlagProblems`.
 *
 * @example
 * patternProblem("^user-\\d+$"); // undefined
 * patternProblem("\\s*\\s*$"); // "could take too long to match: ..."
 */
export function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string") return "must be a string (a regular expression)";
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch {
    return "is not a valid regular expression";
  }
  let alternatives: Item[][];
  try {
    alternatives = parsePattern(pattern);
  } catch (error) {
    if (error instanceof RejectedPattern) return "must not use backreferences or lookarounds";
    throw error;
  }
  if (hasNestedRepetition(alternatives)) return "must not repeat a group that contains a quantifier or '|' (such as (a+)+ or (a|b)*)";
  const cost = alternatives.reduce((sum, sequence) => sum + sequenceCost(sequence, !(sequence[0]?.anchorsStart ?? false)), 0);
  if (cost > MAX_COST) {
    return "could take too long to match: repetitions that can match the same characters follow each other (such as .*.* or \\d+\\d+); anchor it with ^, separate them, or use contains / startsWith / endsWith";
  }
  return undefined;
}

/**
 * Compiles a `matches` pattern, or returns undefined when it is too long, unsafe or invalid (such
 * a clause never matches).
 *
 * @example
 * compileSafePattern("^[a-z]+@example\\.com$", true)?.test("Ann@Example.com"); // true
 * compileSafePattern("(a+)+$", false); // undefined
 */
export function compileSafePattern(pattern: string, caseInsensitive: boolean): RegExp | undefined {
  if (patternProblem(pattern) !== undefined) return undefined;
  return new RegExp(pattern, caseInsensitive ? "i" : "");
}

/**
 * Whether `matches` accepts a pattern: at most 512 characters, a valid JavaScript regular
 * expression, no backreferences or lookarounds, no repeated group containing a quantifier or
 * `|` (`(a+)+`, `(a|b)*`, `(a{2,3})+`), and no run of repetitions able to match the same
 * characters one after another (`\s*\s*$`, `a.*b.*c`), whose backtracking would take seconds.
 * The server uses it to reject such flags on write.
 *
 * @example
 * isSafePattern("^user-\\d+$"); // true
 * isSafePattern("(a|aa)+$"); // false
 */
export function isSafePattern(pattern: string): boolean {
  return patternProblem(pattern) === undefined;
}
