/**
 * A small parser for JavaScript regular expressions (legacy, non-`u` syntax) that keeps only what
 * the safety analysis in `safe-pattern.ts` needs: the sequence of atoms and groups, their
 * quantifiers, and an over-approximation of the characters each can match. It rejects what the
 * analysis refuses outright (backreferences, lookarounds); `new RegExp` still decides validity.
 */

/** Characters an atom may match: ASCII as a 128-bit set, everything else as one "other" flag. */
export interface CharSet {
  readonly words: number[];
  other: boolean;
}

/** One atom or group with its quantifier; `min`/`max` are 1 when it has none. */
export interface Item {
  /** Every character the item can match anywhere. */
  set: CharSet;
  /** Characters it can start with (equals `set` for a single atom). */
  first: CharSet;
  min: number;
  max: number;
  /** `^`, `$`, `\b`, `\B`: matches no character. */
  zeroWidth: boolean;
  anchorsStart: boolean;
  /** A group's alternatives, each a sequence of items. */
  group: Item[][] | null;
}

/** Thrown by the parser for a pattern the analysis rejects without looking further. */
export class RejectedPattern extends Error {}

const empty = (): CharSet => ({ words: [0, 0, 0, 0], other: false });

function add(set: CharSet, code: number): void {
  if (code < 128) set.words[code >> 5]! |= 1 << (code & 31);
  else set.other = true;
}

function addRange(set: CharSet, lo: number, hi: number): void {
  for (let c = lo; c <= Math.min(hi, 127); c++) add(set, c);
  if (hi >= 128) set.other = true;
}

function unionInto(target: CharSet, source: CharSet): void {
  for (let w = 0; w < 4; w++) target.words[w]! |= source.words[w]!;
  target.other ||= source.other;
}

function complement(set: CharSet): CharSet {
  return { words: set.words.map((w) => ~w), other: true };
}

/** Whether two sets share a character. */
export function overlaps(a: CharSet, b: CharSet): boolean {
  for (let w = 0; w < 4; w++) if ((a.words[w]! & b.words[w]!) !== 0) return true;
  return a.other && b.other;
}

/** Adds the other case of every ASCII letter: the analysis ignores the `i` flag by assuming it. */
function foldCase(set: CharSet): CharSet {
  const folded: CharSet = { words: [...set.words], other: set.other };
  for (let c = 65; c <= 90; c++) {
    const upper = (set.words[c >> 5]! >>> (c & 31)) & 1;
    const lower = (set.words[(c + 32) >> 5]! >>> ((c + 32) & 31)) & 1;
    if (upper || lower) {
      add(folded, c);
      add(folded, c + 32);
    }
  }
  return folded;
}

function named(kind: string): CharSet | undefined {
  const set = empty();
  switch (kind.toLowerCase()) {
    case "d":
      addRange(set, 48, 57);
      break;
    case "w":
      addRange(set, 48, 57);
      addRange(set, 65, 90);
      addRange(set, 97, 122);
      add(set, 95);
      break;
    case "s":
      addRange(set, 9, 13);
      add(set, 32);
      set.other = true;
      break;
    default:
      return undefined;
  }
  return kind === kind.toUpperCase() ? complement(set) : set;
}

const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, "0": 0 };

/** Reads a quantifier at `i`: its length (0 for none) and bounds. A lazy `?` suffix is included. */
function readQuantifier(p: string, i: number): { length: number; min: number; max: number } {
  const c = p[i];
  let q = { length: 0, min: 1, max: 1 };
  if (c === "*") q = { length: 1, min: 0, max: Infinity };
  else if (c === "+") q = { length: 1, min: 1, max: Infinity };
  else if (c === "?") q = { length: 1, min: 0, max: 1 };
  else if (c === "{") {
    // A `{` that does not form a quantifier is a literal in legacy syntax.
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (m === null) return q;
    const min = Number(m[1]);
    q = { length: m[0].length, min, max: m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]) };
  }
  if (q.length > 0 && p[i + q.length] === "?") q.length += 1;
  return q;
}

class Parser {
  private i = 0;
  constructor(private readonly p: string) {}

  parse(): Item[][] {
    const alternatives = this.alternatives(false);
    if (this.i < this.p.length) throw new RejectedPattern("unbalanced parenthesis");
    return alternatives;
  }

  private alternatives(inGroup: boolean): Item[][] {
    const alternatives: Item[][] = [[]];
    while (this.i < this.p.length) {
      const c = this.p[this.i]!;
      if (c === ")") {
        if (!inGroup) throw new RejectedPattern("unbalanced parenthesis");
        break;
      }
      if (c === "|") {
        alternatives.push([]);
        this.i += 1;
        continue;
      }
      const item = this.item();
      const q = readQuantifier(this.p, this.i);
      if (q.length > 0) {
        item.min = q.min;
        item.max = q.max;
        this.i += q.length;
      }
      alternatives[alternatives.length - 1]!.push(item);
    }
    return alternatives;
  }

  private item(): Item {
    const p = this.p;
    const c = p[this.i]!;
    if (c === "(") return this.group();
    if (c === "^" || c === "$") {
      this.i += 1;
      return { set: empty(), first: empty(), min: 1, max: 1, zeroWidth: true, anchorsStart: c === "^", group: null };
    }
    if (c === "[") return atom(this.charClass());
    if (c === "\\") {
      const next = p[this.i + 1];
      if (next === "b" || next === "B") {
        this.i += 2;
        return { set: empty(), first: empty(), min: 1, max: 1, zeroWidth: true, anchorsStart: false, group: null };
      }
      return atom(this.escape(false));
    }
    this.i += 1;
    if (c === ".") return atom(complement(charSet(10, 13, 0x2028)));
    return atom(charSet(c.charCodeAt(0)));
  }

  private group(): Item {
    const p = this.p;
    this.i += 1;
    if (p[this.i] === "?") {
      const kind = p[this.i + 1];
      if (kind === ":") this.i += 2;
      else if (kind === "<" && p[this.i + 2] !== "=" && p[this.i + 2] !== "!") {
        const close = p.indexOf(">", this.i);
        if (close < 0) throw new RejectedPattern("unterminated group name");
        this.i = close + 1;
      } else throw new RejectedPattern("lookaround");
    }
    const alternatives = this.alternatives(true);
    if (p[this.i] !== ")") throw new RejectedPattern("unbalanced parenthesis");
    this.i += 1;
    const set = empty();
    const first = empty();
    for (const alternative of alternatives) {
      for (const item of alternative) unionInto(set, item.set);
      // Leading items up to the first one that must match some character.
      for (const item of alternative) {
        unionInto(first, item.first);
        if (item.min >= 1 && !item.zeroWidth && (item.group === null || !item.group.some((inner) => inner.length === 0))) break;
      }
    }
    return { set, first, min: 1, max: 1, zeroWidth: false, anchorsStart: false, group: alternatives };
  }

  /** An escape at `i` (a backslash). Inside a class `\b` is a backspace. */
  private escape(inClass: boolean): CharSet {
    const p = this.p;
    const next = p[this.i + 1];
    if (next === undefined) throw new RejectedPattern("trailing backslash");
    // \1-\9 and \k<name> are backreferences (or legacy octal escapes, rejected just the same).
    if ((next >= "1" && next <= "9") || next === "k") throw new RejectedPattern("backreference");
    this.i += 2;
    const set = named(next);
    if (set !== undefined) return set;
    if (inClass && next === "b") return charSet(8);
    if (next in CONTROL_ESCAPES) return charSet(CONTROL_ESCAPES[next]!);
    const hex = next === "x" ? 2 : next === "u" ? 4 : 0;
    const digits = p.slice(this.i, this.i + hex);
    if (hex > 0 && digits.length === hex && /^[0-9a-fA-F]+$/.test(digits)) {
      const code = parseInt(digits, 16);
      this.i += hex;
      return charSet(code);
    }
    if (next === "c" && /^[a-zA-Z]$/.test(p[this.i] ?? "")) {
      this.i += 1;
      return charSet(p.charCodeAt(this.i - 1) & 31);
    }
    // An identity escape (or a legacy `\c`): the character itself, plus the backslash to be safe.
    return charSet(next.charCodeAt(0), 92);
  }

  private charClass(): CharSet {
    const p = this.p;
    this.i += 1;
    const negate = p[this.i] === "^";
    if (negate) this.i += 1;
    const set = empty();
    // In JavaScript `[]` matches nothing and `[^]` anything: a `]` always closes the class.
    while (this.i < p.length && p[this.i] !== "]") {
      const lo = this.classAtom();
      if (p[this.i] === "-" && p[this.i + 1] !== "]" && this.i + 1 < p.length) {
        this.i += 1;
        const hi = this.classAtom();
        if (typeof lo === "number" && typeof hi === "number") addRange(set, lo, hi);
        else for (const part of [lo, 45, hi]) typeof part === "number" ? add(set, part) : unionInto(set, part);
      } else if (typeof lo === "number") add(set, lo);
      else unionInto(set, lo);
    }
    if (this.i >= p.length) throw new RejectedPattern("unterminated character class");
    this.i += 1;
    return negate ? complement(set) : set;
  }

  /** One class member: a character code, or a set for `\d`-style escapes. */
  private classAtom(): number | CharSet {
    const p = this.p;
    if (p[this.i] !== "\\") {
      this.i += 1;
      return p.charCodeAt(this.i - 1);
    }
    const set = this.escape(true);
    let single = -1;
    for (let c = 0; c < 128 && !set.other; c++) {
      if ((set.words[c >> 5]! >>> (c & 31)) & 1) {
        if (single >= 0) return set;
        single = c;
      }
    }
    return single >= 0 && !set.other ? single : set;
  }
}

function charSet(...codes: number[]): CharSet {
  const set = empty();
  for (const code of codes) add(set, code);
  return set;
}

function atom(set: CharSet): Item {
  const folded = foldCase(set);
  return { set: folded, first: folded, min: 1, max: 1, zeroWidth: false, anchorsStart: false, group: null };
}

/**
 * Parses a pattern into its top-level alternatives. Throws `RejectedPattern` for backreferences,
 * lookarounds and unbalanced syntax.
 */
export function parsePattern(pattern: string): Item[][] {
  return new Parser(pattern).parse();
}
