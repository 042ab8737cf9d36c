/**
 * Compiling a flag: everything that can be decided before seeing a context is decided here, so
 * evaluation only reads a few properties, compares and returns a result built in advance.
 */
import type { ErrorCode, EvaluationResult, Reason } from "./result.js";
import type { EvaluationContext, FlagDefinition, Segment, Serve } from "./schema.js";
import { BUCKET_COUNT, Bucketer } from "./bucket.js";
import { list } from "./list.js";
import { compileClause, compileSegment, matchClause, type CompiledClause, type CompiledSegment, type ContextRecord } from "./clause.js";

/**
 * A flag compiled for fast evaluation; build it once per flag version with `compileFlag`.
 *
 * @example
 * const compiled: CompiledFlag = compileFlag(flag);
 * compiled.evaluate({ key: "user-1" }); // { value: false, variant: "off", reason: "STATIC" }
 */
export interface CompiledFlag {
  readonly key: string;
  readonly flag: FlagDefinition;
  /**
   * Evaluates the flag for a context. Never throws; results are shared between calls and deeply
   * frozen, values included (a value is a private copy of the flag's variant value).
   */
  evaluate(context: EvaluationContext): EvaluationResult;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** How a rule or the fallthrough serves: a fixed result, or a rollout over precomputed results. */
class ServePlan {
  constructor(
    /** The result when it does not depend on the bucket (a fixed variant, or a malformed serve). */
    readonly fixed: EvaluationResult | null,
    readonly bucketByKey: boolean,
    readonly bucketBy: string,
    readonly bucketByOwnOnly: boolean,
    /** Cumulative weights: the first index whose threshold exceeds the bucket is served. */
    readonly thresholds: readonly number[],
    readonly results: readonly EvaluationResult[],
    readonly missingBucketValue: EvaluationResult | null,
  ) {}
}

class CompiledRule {
  constructor(
    readonly clauses: readonly CompiledClause[],
    readonly plan: ServePlan,
  ) {}
}

/** Everything `evaluateCompiled` reads. */
interface FlagPlan {
  /** Killed, disabled or uncompilable: every context gets this result. */
  readonly constant: EvaluationResult | null;
  readonly invalidContext: EvaluationResult;
  readonly generalError: EvaluationResult;
  readonly targets: ReadonlyMap<string, EvaluationResult> | null;
  readonly rules: readonly CompiledRule[];
  readonly fallthrough: ServePlan;
  readonly bucketer: Bucketer;
}

function makeResult(value: unknown, variant: string | null, reason: Reason, ruleIndex?: number, errorCode?: ErrorCode): EvaluationResult {
  // Properties are always added in this order so every result shares a few hidden classes.
  const result: EvaluationResult = { value: value as EvaluationResult["value"], variant, reason };
  if (ruleIndex !== undefined) result.ruleIndex = ruleIndex;
  if (errorCode !== undefined) result.errorCode = errorCode;
  return Object.freeze(result);
}

/**
 * A deep copy of a variant value, deep-frozen, so a served value can be neither changed by its
 * receiver nor through the caller's flag. Iterative (an unvalidated value may be nested
 * arbitrarily deep); shared and cyclic parts stay shared and cyclic; arrays stay arrays and
 * other objects become plain objects of their own enumerable properties (variant values are JSON).
 */
function frozenCopy(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const copies = new Map<object, Record<string, unknown> | unknown[]>();
  const pending: [object, Record<string, unknown> | unknown[]][] = [];
  const copyOf = (source: unknown): unknown => {
    if (typeof source !== "object" || source === null) return source;
    let copy = copies.get(source);
    if (copy === undefined) {
      copy = Array.isArray(source) ? [] : {};
      copies.set(source, copy);
      pending.push([source, copy]);
    }
    return copy;
  };
  const root = copyOf(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, copy] = next;
    if (Array.isArray(copy)) {
      const array = source as readonly unknown[];
      for (let i = 0; i < array.length; i++) copy.push(copyOf(array[i]));
    } else {
      for (const key of Object.keys(source)) {
        const element = copyOf((source as Record<string, unknown>)[key]);
        // An own "__proto__" key (JSON.parse makes them) must stay a key, not set the prototype.
        if (key === "__proto__") Object.defineProperty(copy, key, { value: element, enumerable: true, writable: true, configurable: true });
        else copy[key] = element;
      }
    }
  }
  for (const copy of copies.values()) Object.freeze(copy);
  return root;
}

/** Builds the results of one flag, all in advance. */
class ResultFactory {
  private readonly variants = new Map<string, unknown>();
  private readonly offVariant: string | null;

  constructor(flag: FlagDefinition) {
    for (const variant of list(flag.variants)) {
      // The first of duplicate keys wins, as `findFlagProblems` reports the later ones.
      if (variant !== null && typeof variant === "object" && !this.variants.has(variant.key)) this.variants.set(variant.key, frozenCopy(variant.value));
    }
    this.offVariant = typeof flag.offVariant === "string" && this.variants.has(flag.offVariant) ? flag.offVariant : null;
  }

  has(variant: unknown): boolean {
    return typeof variant === "string" && this.variants.has(variant);
  }

  /** The off variant with reason ERROR, or null value and variant when even that is missing. */
  error(errorCode: ErrorCode, ruleIndex?: number): EvaluationResult {
    if (this.offVariant === null) return makeResult(null, null, "ERROR", ruleIndex, errorCode);
    return makeResult(this.variants.get(this.offVariant), this.offVariant, "ERROR", ruleIndex, errorCode);
  }

  /** A served variant, or MALFORMED_FLAG when the flag names a variant it does not define. */
  serve(variant: string, reason: Reason, ruleIndex?: number): EvaluationResult {
    if (!this.has(variant)) return this.error("MALFORMED_FLAG", ruleIndex);
    return makeResult(this.variants.get(variant), variant, reason, ruleIndex);
  }

  off(reason: Reason): EvaluationResult {
    return this.offVariant === null ? this.error("MALFORMED_FLAG") : this.serve(this.offVariant, reason);
  }
}

/** How a serve was reached: by rule `index`, as the fallthrough of a flag with targeting, or of one without. */
type ServeSource = number | "fallthrough" | "static";

function compileServe(serve: Serve, results: ResultFactory, source: ServeSource): ServePlan {
  const ruleIndex = typeof source === "number" ? source : undefined;
  if (serve !== null && typeof serve === "object" && "variant" in serve) {
    const reason = source === "static" ? "STATIC" : source === "fallthrough" ? "FALLTHROUGH" : "RULE_MATCH";
    return new ServePlan(results.serve(serve.variant, reason, ruleIndex), true, "key", false, [], [], null);
  }
  const rollout = serve !== null && typeof serve === "object" && "rollout" in serve ? serve.rollout : undefined;
  const weighted = list(rollout?.variants);
  const malformed = new ServePlan(results.error("MALFORMED_FLAG", ruleIndex), true, "key", false, [], [], null);
  const thresholds: number[] = [];
  const served: EvaluationResult[] = [];
  let total = 0;
  const reason = ruleIndex === undefined ? "SPLIT" : "RULE_MATCH";
  for (const entry of weighted) {
    const weight = entry?.weight;
    if (!Number.isInteger(weight) || weight < 0 || !results.has(entry.variant)) return malformed;
    total += weight;
    thresholds.push(total);
    served.push(results.serve(entry.variant, reason, ruleIndex));
  }
  // Weights must cover every bucket exactly; anything else would serve some buckets nothing.
  if (total !== BUCKET_COUNT) return malformed;
  const bucketBy = typeof rollout?.bucketBy === "string" ? rollout.bucketBy : "key";
  const missing = results.error("TARGETING_KEY_MISSING", ruleIndex);
  return new ServePlan(null, bucketBy === "key", bucketBy, bucketBy in Object.prototype, thresholds, served, missing);
}

/** A kill's result says why, so every reader of the result (SDKs, browsers, OFREP) can tell. */
function killedResult(off: EvaluationResult, killReason: unknown): EvaluationResult {
  return off.reason === "KILLED" && typeof killReason === "string" ? Object.freeze({ ...off, killReason }) : off;
}

function compileSegments(segments: readonly Segment[] | undefined): Map<string, CompiledSegment> {
  const byKey = new Map<string, CompiledSegment>();
  for (const segment of list(segments)) {
    if (segment !== null && typeof segment === "object" && typeof segment.key === "string" && !byKey.has(segment.key)) {
      byKey.set(segment.key, compileSegment(segment));
    }
  }
  return byKey;
}

function compilePlan(flag: FlagDefinition, segments: readonly Segment[] | undefined): FlagPlan {
  const results = new ResultFactory(flag);
  const constant = flag.killed === true ? killedResult(results.off("KILLED"), flag.killReason) : flag.enabled !== true ? results.off("DISABLED") : null;
  const bySegmentKey = compileSegments(segments);
  let targets: Map<string, EvaluationResult> | null = null;
  for (const target of list(flag.targets)) {
    const result = results.serve(target.variant, "TARGET_MATCH");
    for (const key of list(target.values)) {
      targets ??= new Map();
      // The first target listing a key wins.
      if (!targets.has(key)) targets.set(key, result);
    }
  }
  const rules = list(flag.rules).map(
    (rule, index) =>
      new CompiledRule(
        list(rule.clauses).map((clause) => compileClause(clause, bySegmentKey)),
        compileServe(rule.serve, results, index),
      ),
  );
  const targeted = targets !== null || rules.length > 0;
  return {
    constant,
    invalidContext: results.error("INVALID_CONTEXT"),
    generalError: results.error("GENERAL"),
    targets,
    rules,
    fallthrough: compileServe(flag.fallthrough, results, targeted ? "fallthrough" : "static"),
    bucketer: new Bucketer(String(flag.key), typeof flag.salt === "string" ? flag.salt : ""),
  };
}

/**
 * A context value as the string that targets, key clauses and bucketing use: a string as is, a
 * finite number as `String(n)` (so `{ key: 42 }` is the context key "42"), anything else missing.
 */
function asString(raw: unknown): string | undefined {
  return typeof raw === "string" ? raw : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : undefined;
}

const UNCOMPILABLE: EvaluationResult = makeResult(null, null, "ERROR", undefined, "MALFORMED_FLAG");

function servePlan(plan: ServePlan, bucketer: Bucketer, context: ContextRecord, key: string | undefined): EvaluationResult {
  if (plan.fixed !== null) return plan.fixed;
  let value: string | undefined;
  if (plan.bucketByKey) {
    value = key;
  } else {
    const raw = plan.bucketByOwnOnly && !hasOwn.call(context, plan.bucketBy) ? undefined : context[plan.bucketBy];
    value = asString(raw);
  }
  if (value === undefined) return plan.missingBucketValue!;
  const b = bucketer.bucket(value);
  const thresholds = plan.thresholds;
  const last = thresholds.length - 1;
  for (let i = 0; i < last; i++) if (b < thresholds[i]!) return plan.results[i]!;
  return plan.results[last]!;
}

/** Evaluates a compiled flag. The try/catch turns a throwing getter or proxy into reason ERROR. */
function evaluatePlan(plan: FlagPlan, context: unknown): EvaluationResult {
  try {
    if (plan.constant !== null) return plan.constant;
    if (typeof context !== "object" || context === null || Array.isArray(context)) return plan.invalidContext;
    const ctx = context as ContextRecord;
    // The context key: `key`, else OpenFeature's `targetingKey`, each read as `asString` does.
    const key = asString(ctx.key) ?? asString(ctx.targetingKey);
    if (plan.targets !== null && key !== undefined) {
      const target = plan.targets.get(key);
      if (target !== undefined) return target;
    }
    const rules = plan.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const clauses = rule.clauses;
      let all = true;
      for (let c = 0; c < clauses.length; c++) {
        if (!matchClause(clauses[c]!, ctx, key)) {
          all = false;
          break;
        }
      }
      if (all) return servePlan(rule.plan, plan.bucketer, ctx, key);
    }
    return servePlan(plan.fallthrough, plan.bucketer, ctx, key);
  } catch {
    return plan.generalError;
  }
}

/**
 * Compiles a flag (and the segments its rules may reference) for repeated evaluation. Compile
 * once per flag version; `evaluate` then allocates nothing. It never throws: a flag too broken to
 * compile evaluates to reason ERROR with errorCode MALFORMED_FLAG.
 *
 * @example
 * const compiled = compileFlag(flag, segments);
 * const { value, reason } = compiled.evaluate({ key: "user-123", country: "NL" });
 */
export function compileFlag(flag: FlagDefinition, segments?: readonly Segment[]): CompiledFlag {
  let plan: FlagPlan;
  try {
    plan = compilePlan(flag, segments);
  } catch {
    plan = { constant: UNCOMPILABLE, invalidContext: UNCOMPILABLE, generalError: UNCOMPILABLE, targets: null, rules: [], fallthrough: new ServePlan(UNCOMPILABLE, true, "key", false, [], [], null), bucketer: new Bucketer("", "") };
  }
  let key = "";
  try {
    key = typeof flag.key === "string" ? flag.key : "";
  } catch {
    // A flag whose `key` getter throws still compiles (to an always-ERROR flag, above).
  }
  return Object.freeze({ key, flag, evaluate: (context: EvaluationContext) => evaluatePlan(plan, context) });
}
