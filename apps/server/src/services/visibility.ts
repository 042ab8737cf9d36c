/** What an SDK key may see: which flags, and how much of their results. */
import type { CompiledFlag, EvaluationContext, EvaluationResult } from "@switchyard/core";

type KeyKind = "server_key" | "client_key";

/** Client keys are public: they only ever see flags marked visible to browsers. */
export function visibleTo(key: { kind: KeyKind }, flag: CompiledFlag | undefined): flag is CompiledFlag {
  return flag !== undefined && (key.kind === "server_key" || flag.flag.clientVisible);
}

/**
 * A flag evaluated for what a key may read. A kill's reason is for the team (alert names,
 * incident notes), so results for public client keys say only that the flag is killed.
 */
export function evaluateFor(kind: KeyKind, flag: CompiledFlag, context: EvaluationContext): EvaluationResult {
  const result = flag.evaluate(context);
  if (kind === "server_key" || result.killReason === undefined) return result;
  const { killReason: _private, ...shown } = result;
  return shown;
}
