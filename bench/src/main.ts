/**
 * `pnpm bench`: evaluation speed of @switchyard/core for `new-checkout` against unleash-client,
 * @launchdarkly/node-server-sdk and @openfeature/flagd-core, all in this process, all offline,
 * with a Set lookup + bare murmur3 + compare loop as the floor (see contenders/switchyard.ts).
 *
 * Method (see docs/BENCHMARKS.md):
 *  1. Build 1,000,000 subjects (key `user-<i>`, country uniform over NL/DE/FR/US, seeded) and let
 *     each contender build its own context objects from them. Nothing of that is timed.
 *  2. Verify, untimed: every contender evaluates every subject once; its fraction of `true` must be
 *     0.1875 ± 0.005, no US subject may get `true`, and Switchyard must agree with `bucket()` on
 *     every single subject, as must the floor's own hash. Any failure exits 1 before anything is timed.
 *  3. Warm up: one full timed-loop pass per contender.
 *  4. R rounds, interleaved: each round runs every contender once over all subjects, the order
 *     rotated by one each round, a full GC before each run, timed with process.hrtime.bigint().
 *     Every run's count of `true` must equal the verified count.
 *  5. Report the median and min ns/evaluation, and the median as a ratio to the floor's and to
 *     Switchyard's median from the same run; write the table into docs/BENCHMARKS.md.
 *
 * Options: --rounds N (default 7), --n N (default 1000000), --only a,b (names, case-insensitive
 * prefixes; implies --no-write), --no-write (do not touch docs/BENCHMARKS.md), --cpu-profile DIR
 * (V8 CPU profiles of each timed pass only, GC before it excluded, one file per contender and
 * round, for src/profile-summary.ts; implies --no-write).
 * --write-disturbed: write the docs even when other processes used > 0.2 cores (or the hypervisor
 * stole > 2%) during the timed rounds; by default such a run is printed but not written.
 * Exit codes: 0 ok, 1 a contender measured the wrong thing (or setup failed), 2 target missed,
 * 3 the run was disturbed by other work and so not written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EXPECTED_TRUE_FRACTION, makeSubjects, type Subjects } from "./contexts.js";
import { flagdContender } from "./contenders/flagd.js";
import { launchDarklyContender } from "./contenders/launchdarkly.js";
import { floorContender, switchyardContender } from "./contenders/switchyard.js";
import type { Contender } from "./contenders/types.js";
import { unleashContender } from "./contenders/unleash.js";
import { cpuSnapshot, describeMachine, interference, type Machine } from "./machine.js";
import { max, median, min } from "./stats.js";

const TARGET_NS = 100;
const TARGET_SPEEDUP = 5;
const FLOOR = "Floor (Set + bare murmur3 + compare)";
const SWITCHYARD = "Switchyard";
const DOC_PATH = fileURLToPath(new URL("../../docs/BENCHMARKS.md", import.meta.url));
const START_MARKER = "<!-- bench:results:start -->";
const END_MARKER = "<!-- bench:results:end -->";

// `pnpm bench -- --rounds 3` passes the "--" through: drop it.
const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
const { values: args } = parseArgs({
  args: argv,
  options: {
    rounds: { type: "string", default: "7" },
    n: { type: "string", default: "1000000" },
    only: { type: "string" },
    "no-write": { type: "boolean", default: false },
    "cpu-profile": { type: "string" },
    "write-disturbed": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(args.rounds);
const N = Number(args.n);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a positive integer, got ${args.rounds}`);
if (!Number.isInteger(N) || N < 1000) throw new Error(`--n must be an integer >= 1000, got ${args.n}`);
const only = args.only?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
const write = !args["no-write"] && !only && !args["cpu-profile"];

const log = (message: string) => process.stderr.write(`${message}\n`);
const gc: () => void =
  typeof globalThis.gc === "function"
    ? (globalThis.gc as () => void)
    : (() => {
        log("warning: run with node --expose-gc so a full GC can run before each timed pass");
        return () => {};
      })();

interface Measured {
  contender: Contender;
  verifiedTrue: number;
  fraction: number;
  samplesNs: number[];
}

/** 0.005 at 1,000,000 contexts; wider for small --n, where 0.005 is under 5 standard deviations. */
function tolerance(n: number): number {
  return Math.max(0.005, 5 * Math.sqrt((EXPECTED_TRUE_FRACTION * (1 - EXPECTED_TRUE_FRACTION)) / n));
}

async function makeContenders(): Promise<Contender[]> {
  const all: Array<[string, () => Contender | Promise<Contender>]> = [
    [FLOOR, floorContender],
    [SWITCHYARD, switchyardContender],
    ["flagd-core", flagdContender],
    ["Unleash", unleashContender],
    ["LaunchDarkly", launchDarklyContender],
  ];
  const chosen = only ? all.filter(([name]) => only.some((o) => name.toLowerCase().startsWith(o))) : all;
  if (chosen.length === 0) throw new Error(`--only ${args.only} matches no contender (${all.map(([n]) => n).join(", ")})`);
  const out: Contender[] = [];
  for (const [name, make] of chosen) {
    try {
      out.push(await make());
    } catch (err) {
      throw new Error(`setting up ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return out;
}

/** Step 2: the checks that make the timings mean something. Returns problems found. */
async function verify(contenders: Contender[], subjects: Subjects): Promise<{ measured: Measured[]; problems: string[] }> {
  const problems: string[] = [];
  const measured: Measured[] = [];
  const tol = tolerance(subjects.n);
  for (const contender of contenders) {
    log(`verifying ${contender.name} over ${subjects.n.toLocaleString("en-US")} contexts…`);
    let outcome: Uint8Array;
    try {
      outcome = await contender.verify();
    } catch (err) {
      problems.push(`${contender.name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    let trueCount = 0;
    let untargetedTrue = 0;
    for (let i = 0; i < outcome.length; i++) {
      if (outcome[i] === 1) {
        trueCount++;
        if (subjects.countries[i] === "US") untargetedTrue++;
      }
    }
    const fraction = trueCount / subjects.n;
    if (Math.abs(fraction - EXPECTED_TRUE_FRACTION) > tol) {
      problems.push(`${contender.name}: fraction of true ${fraction.toFixed(5)}, expected ${EXPECTED_TRUE_FRACTION} ± ${tol.toFixed(4)}`);
    }
    if (untargetedTrue > 0) problems.push(`${contender.name}: served true to ${untargetedTrue} US contexts (the rule targets NL, DE, FR only)`);
    measured.push({ contender, verifiedTrue: trueCount, fraction, samplesNs: [] });
  }
  const floor = measured.find((m) => m.contender.name === FLOOR);
  const switchyard = measured.find((m) => m.contender.name === SWITCHYARD);
  if (floor && switchyard && floor.verifiedTrue !== switchyard.verifiedTrue) {
    problems.push(`Switchyard served true ${switchyard.verifiedTrue} times, the floor ${floor.verifiedTrue}: they must agree exactly`);
  }
  return { measured, problems };
}

/** One timed pass over all contexts; returns ns per evaluation. */
async function timedPass(m: Measured, n: number, what: string, profiler?: PassProfiler): Promise<number> {
  gc();
  await profiler?.start();
  const t0 = process.hrtime.bigint();
  let count = m.contender.run();
  if (typeof count !== "number") count = await count;
  const t1 = process.hrtime.bigint();
  await profiler?.stop(`${m.contender.name.split(" ")[0]!.toLowerCase()}.${what.replace(/\W+/g, "-")}.cpuprofile`);
  if (count !== m.verifiedTrue) {
    throw new Error(`${m.contender.name} (${what}): timed loop counted ${count} true, verification counted ${m.verifiedTrue}`);
  }
  return Number(t1 - t0) / n;
}

function fmtNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}
function fmtRatio(r: number): string {
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

interface Report {
  table: string;
  verdict: string;
  pass: boolean;
}

function report(measured: Measured[]): Report {
  const floorMedian = median(measured.find((m) => m.contender.name === FLOOR)?.samplesNs ?? []);
  const syMedian = median(measured.find((m) => m.contender.name === SWITCHYARD)?.samplesNs ?? []);
  const rows = measured.map((m) => {
    const med = median(m.samplesNs);
    const spread = ((max(m.samplesNs) - min(m.samplesNs)) / med) * 100;
    return [
      m.contender.name,
      fmtNs(med),
      fmtNs(min(m.samplesNs)),
      `${spread.toFixed(0)}%`,
      Number.isNaN(floorMedian) ? "—" : fmtRatio(med / floorMedian),
      Number.isNaN(syMedian) ? "—" : fmtRatio(med / syMedian),
      m.fraction.toFixed(4),
    ];
  });
  const header = ["Contender", "median ns/eval", "min ns/eval", "spread (max−min)/median", "× floor", "× Switchyard", "fraction true"];
  const align = ["---", "---:", "---:", "---:", "---:", "---:", "---:"];
  const table = [header, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");

  const peers = measured.filter((m) => m.contender.name !== FLOOR && m.contender.name !== SWITCHYARD);
  let verdict: string;
  let pass = true;
  if (Number.isNaN(syMedian) || peers.length === 0) {
    verdict = "Target not evaluated (Switchyard or every peer was left out with --only).";
  } else {
    const fastest = peers.reduce((a, b) => (median(a.samplesNs) <= median(b.samplesNs) ? a : b));
    const speedup = median(fastest.samplesNs) / syMedian;
    const nsOk = syMedian <= TARGET_NS;
    const speedOk = speedup >= TARGET_SPEEDUP;
    pass = nsOk && speedOk;
    verdict =
      `Target (≤ ${TARGET_NS} ns/eval and ≥ ${TARGET_SPEEDUP}× faster than the fastest peer): **${pass ? "met" : "MISSED"}**. ` +
      `Switchyard ${fmtNs(syMedian)} ns/eval (${nsOk ? "≤" : ">"} ${TARGET_NS}); fastest peer ${fastest.contender.name} ` +
      `${fmtNs(median(fastest.samplesNs))} ns/eval, ${speedup.toFixed(1)}× Switchyard (${speedOk ? "≥" : "<"} ${TARGET_SPEEDUP}×).`;
  }
  return { table, verdict, pass };
}

function machineLines(machine: Machine, loadAtEnd: string, busy: string, n: number, rounds: number): string {
  return [
    `- Date: ${machine.date}`,
    `- CPU: ${machine.cpu}, ${machine.cores} logical cores`,
    `- Node ${machine.node} (V8 ${machine.v8}), ${machine.os}`,
    `- Load average (1/5/15 min) at start: ${machine.loadAverage}; at end: ${loadAtEnd} (the bench itself keeps about one core busy)`,
    `- During the timed rounds: ${busy}`,
    `- ${n.toLocaleString("en-US")} distinct contexts per pass, ${rounds} interleaved rounds after one warm-up pass; ns/eval per pass, median and min over rounds`,
  ].join("\n");
}

function versionLines(measured: Measured[]): string {
  return measured
    .filter((m) => m.contender.version !== "—")
    .map((m) => `- ${m.contender.name}: ${m.contender.version}`)
    .join("\n");
}

function writeDoc(block: string): void {
  const wrapped = `${START_MARKER}\n${block}\n${END_MARKER}`;
  const current = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + wrapped + current.slice(end + END_MARKER.length)
      : `${current.trimEnd()}\n\n## Latest results\n\n${wrapped}\n`;
  writeFileSync(DOC_PATH, next);
  log(`wrote results into ${DOC_PATH}`);
}

/** V8's sampling profiler (every 100 µs), switched on for each timed pass only. */
class PassProfiler {
  private readonly session = new Session();
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.session.connect();
  }
  async init(): Promise<void> {
    await this.session.post("Profiler.enable");
    await this.session.post("Profiler.setSamplingInterval", { interval: 100 });
  }
  start(): Promise<void> {
    return this.session.post("Profiler.start");
  }
  async stop(file: string): Promise<void> {
    const { profile } = await this.session.post("Profiler.stop");
    writeFileSync(join(this.dir, file), JSON.stringify(profile));
  }
  close(): void {
    this.session.disconnect();
    log(`wrote CPU profiles of the timed passes to ${this.dir}`);
  }
}

async function main(): Promise<number> {
  const machine = describeMachine();
  log(`building ${N.toLocaleString("en-US")} subjects…`);
  const subjects = makeSubjects(N);

  const contenders = await makeContenders();
  for (const c of contenders) c.prepare(subjects);
  gc();

  const { measured, problems } = await verify(contenders, subjects);
  if (problems.length > 0) {
    log(`\nFAILED: a contender does not evaluate new-checkout as specified, so its timings would mean nothing:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  for (const m of measured) log(`  ${m.contender.name}: fraction of true ${m.fraction.toFixed(5)} ✓`);

  for (const m of measured) {
    const ns = await timedPass(m, N, "warm-up");
    log(`warm-up ${m.contender.name}: ${fmtNs(ns)} ns/eval`);
  }
  const roundsStart = cpuSnapshot();
  let profiler: PassProfiler | undefined;
  if (args["cpu-profile"]) {
    profiler = new PassProfiler(args["cpu-profile"]);
    await profiler.init();
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = measured.map((_, i) => measured[(i + round) % measured.length]!);
    const line: string[] = [];
    for (const m of order) {
      const ns = await timedPass(m, N, `round ${round + 1}`, profiler);
      m.samplesNs.push(ns);
      line.push(`${m.contender.name} ${fmtNs(ns)}`);
    }
    log(`round ${round + 1}/${ROUNDS}: ${line.join(", ")} (ns/eval)`);
  }
  const roundsEnd = cpuSnapshot();
  profiler?.close();
  for (const c of contenders) await c.close?.();

  const { table, verdict, pass } = report(measured);
  const loadAtEnd = describeMachine().loadAverage;
  const busy = interference(roundsStart, roundsEnd);
  const disturbed = busy.disturbed
    ? "**Warning:** other work ran on this machine during the timed rounds (see above), so these figures are disturbed; rerun on a quiet machine before relying on them."
    : undefined;
  if (disturbed) log(`\n${disturbed}`);
  const block = [machineLines(machine, loadAtEnd, busy.text, N, ROUNDS), "", table, "", verdict, ...(disturbed ? ["", disturbed] : []), "", "Versions:", "", versionLines(measured)].join("\n");
  process.stdout.write(`\n${block}\n`);
  if (write && disturbed && !args["write-disturbed"]) {
    log(`not writing ${DOC_PATH}: the run was disturbed (pass --write-disturbed to write it anyway)`);
    return 3;
  }
  if (write) writeDoc(block);
  return pass ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
