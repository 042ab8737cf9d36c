/**
 * Summarises V8 CPU profiles: self time per function, and for @switchyard/core functions the
 * hottest source lines, so a missed target can be traced to code.
 *
 *   node --import tsx src/profile-summary.ts [dir-or-file] [--top 20]
 *
 * Given a directory (default .profiles/, as written by `main.ts --cpu-profile DIR`: one file per
 * contender and timed pass, named `<contender>.<pass>.cpuprofile`), the passes of each contender
 * are added up and summarised per contender. Given a file, that one profile is summarised.
 * `pnpm --filter @switchyard/bench bench:profile` profiles Switchyard and the floor and runs this.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import type { CallFrame, CpuProfile as Profile, ProfileNode } from "./cpu-profile.js";

interface Row {
  name: string;
  where: string;
  us: number;
  lines: Map<number, number>;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "20" } } });
const target = positionals[0] ?? ".profiles";
const top = Number(values.top);

function where(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, "");
  if (!url) return "(native)";
  const pnpm = url.indexOf("node_modules/.pnpm/");
  const short = pnpm >= 0 ? url.slice(pnpm + 19) : url.startsWith("/") ? relative(process.cwd(), url) : url;
  return `${short}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
}

/**
 * Samples in the inspector's native `dispatch` are the profiler being switched on and off around
 * each pass (outside the timed region), not the code under test: they are left out.
 */
function isProfilerControl(node: ProfileNode): boolean {
  return node.callFrame.functionName === "dispatch" && node.callFrame.url === "";
}

function addProfile(rows: Map<string, Row>, profile: Profile): number {
  const selfUs = new Map<number, number>();
  const control = new Set(profile.nodes.filter(isProfilerControl).map((n) => n.id));
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (control.has(profile.samples[i]!)) continue;
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const f = node.callFrame;
    const key = `${f.functionName}@${f.url}:${f.lineNumber}:${f.columnNumber}`;
    let row = rows.get(key);
    if (!row) {
      row = { name: f.functionName || "(anonymous)", where: where(f), us: 0, lines: new Map() };
      rows.set(key, row);
    }
    row.us += us;
    for (const t of node.positionTicks ?? []) row.lines.set(t.line, (row.lines.get(t.line) ?? 0) + t.ticks);
  }
  return total;
}

function print(title: string, rows: Map<string, Row>, total: number): void {
  console.log(`\n## ${title}: ${(total / 1e3).toFixed(0)} ms sampled\n`);
  console.log("  self %   self ms  function  (location)");
  for (const r of [...rows.values()].sort((a, b) => b.us - a.us).slice(0, top)) {
    console.log(`${((r.us / total) * 100).toFixed(1).padStart(8)}  ${(r.us / 1000).toFixed(0).padStart(8)}  ${r.name}  (${r.where})`);
    if (r.where.includes("packages/core") || r.where.includes("@switchyard")) {
      // V8 charges ticks of inlined callees to the inlining function, with the callee's line
      // number: a line outside this function's body belongs to a function inlined into it.
      const sum = [...r.lines.values()].reduce((a, b) => a + b, 0);
      for (const [line, n] of [...r.lines.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
        console.log(`${"".padStart(20)}line ${line}: ${((n / sum) * 100).toFixed(0)}% of its ticks`);
      }
    }
  }
}

if (statSync(target).isDirectory()) {
  const groups = new Map<string, string[]>();
  for (const f of readdirSync(target).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    const contender = basename(f).split(".")[0]!;
    groups.set(contender, [...(groups.get(contender) ?? []), join(target, f)]);
  }
  if (groups.size === 0) throw new Error(`no .cpuprofile in ${target}`);
  for (const [contender, files] of groups) {
    const rows = new Map<string, Row>();
    let total = 0;
    for (const file of files) total += addProfile(rows, JSON.parse(readFileSync(file, "utf8")) as Profile);
    print(`${contender} (${files.length} timed passes)`, rows, total);
  }
} else {
  const rows = new Map<string, Row>();
  print(target, rows, addProfile(rows, JSON.parse(readFileSync(target, "utf8")) as Profile));
}
