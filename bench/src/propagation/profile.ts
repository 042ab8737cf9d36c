/**
 * Summarises the server's `--cpu-prof` profile over a time window only (the writes), since the
 * same profile also covers start-up and thousands of connections being opened.
 *
 *   node --import tsx src/propagation/profile.ts FILE [--from US --to US] [--top 25]
 *
 * Times are V8 profile timestamps (µs of the monotonic clock, the same clock as
 * process.hrtime() in any process on the machine). Prints self time per function and total
 * (inclusive) time per function, with source locations, and a split by kind of code.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CallFrame, CpuProfile } from "../cpu-profile.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

function where(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, "");
  if (!url) return "(native)";
  const pnpm = url.indexOf("node_modules/.pnpm/");
  if (pnpm >= 0) return `${url.slice(pnpm + 19).replace(/\/node_modules\//, " ")}:${f.lineNumber + 1}`;
  return `${url.startsWith("/") ? relative(repoRoot, url) : url}:${f.lineNumber + 1}`;
}

function kind(f: CallFrame): string {
  const url = f.url;
  if (f.functionName === "(garbage collector)") return "garbage collector";
  if (f.functionName === "(idle)" || f.functionName === "(program)") return f.functionName;
  if (!url) return "native / V8 builtins";
  if (url.startsWith("node:")) return "Node core (node:*)";
  if (url.includes("/node_modules/")) return `dependency ${/node_modules\/\.pnpm\/([^/]+)/.exec(url)?.[1]?.replace(/@[\d.]+.*$/, "") ?? "?"}`;
  if (url.includes("/apps/server/")) return "apps/server";
  if (url.includes("/packages/")) return "packages/*";
  return "other";
}

export interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  text: string;
}

export function summarize(profile: CpuProfile, fromUs = profile.startTime, toUs = profile.endTime, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  let inWindow = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    // A sample stands for the time until the next one (or the profile's end).
    const next = i + 1 < profile.samples.length ? t + profile.timeDeltas[i + 1]! : profile.endTime;
    const us = Math.max(0, Math.min(next, toUs) - t);
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + us);
    inWindow += us;
  }

  const key = (f: CallFrame) => `${f.functionName || "(anonymous)"}  ${where(f)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    self.set(key(frame), (self.get(key(frame)) ?? 0) + us);
    kinds.set(kind(frame), (kinds.get(kind(frame)) ?? 0) + us);
    // Inclusive: each distinct function on the stack once (recursion counted once).
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = key(byId.get(n)!.callFrame);
      if (seen.has(k) || k.startsWith("(root)")) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const windowUs = toUs - fromUs;
  const busy = inWindow - (kinds.get("(idle)") ?? 0);
  const pct = (us: number) => `${((us / windowUs) * 100).toFixed(1)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
  const table = (rows: [string, number][]) => rows.map(([name, us]) => `  ${ms(us).padStart(10)} ${pct(us).padStart(6)}  ${name}`).join("\n");
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const text = [
    `window ${ms(windowUs)}, sampled ${ms(inWindow)}, of which not idle ${ms(busy)} (${pct(busy)} of the window)`,
    "by kind of code (self time):",
    table(sorted(kinds)),
    `top ${top} functions by self time:`,
    table(sorted(self).slice(0, top)),
    `top ${top} functions by total (inclusive) time:`,
    table(sorted(total).filter(([k]) => !k.startsWith("(")).slice(0, top)),
  ].join("\n");
  return { windowMs: windowUs / 1000, sampledMs: inWindow / 1000, text };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: "string" }, to: { type: "string" }, top: { type: "string", default: "25" } },
  });
  const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as CpuProfile;
  const from = values.from === undefined ? undefined : Number(values.from);
  const to = values.to === undefined ? undefined : Number(values.to);
  process.stdout.write(`${summarize(profile, from, to, Number(values.top)).text}\n`);
}
