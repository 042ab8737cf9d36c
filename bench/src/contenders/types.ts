import type { Subjects } from "../contexts.js";

/**
 * One contender in the benchmark. `prepare` builds the contender's own context objects (untimed);
 * `verify` evaluates every subject once through a separate, untimed code path and returns the
 * per-subject outcome; `run` is the timed loop and returns how many evaluations came out `true`
 * (which also keeps the results live, so nothing is dead-code eliminated).
 */
export interface Contender {
  readonly name: string;
  /** Package and version, or "—" for the floor. */
  readonly version: string;
  prepare(subjects: Subjects): void;
  verify(): Promise<Uint8Array> | Uint8Array;
  run(): Promise<number> | number;
  close?(): Promise<void> | void;
}
