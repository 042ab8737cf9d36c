/**
 * `pnpm bench` (root) → `bench:all`: the evaluation bench, then the propagation bench, each as
 * its own `pnpm run` so each builds what it needs. Options go to the evaluation bench as before
 * (`pnpm bench -- --rounds 5`); `--no-write` goes to both. The propagation bench runs even when
 * the evaluation bench fails or misses its target.
 *
 * Exit code: 1 if either exited 1 (something measured wrongly or failed), else 3 if the
 * evaluation run was disturbed, else 2 if a target was missed, else 0.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
const pnpm = process.platform === "win32" ? "pnpm.cmd" : "pnpm";

function run(script: string, scriptArgs: string[]): number {
  process.stderr.write(`\n> pnpm run ${script}${scriptArgs.length ? ` -- ${scriptArgs.join(" ")}` : ""}\n`);
  const result = spawnSync(pnpm, ["run", script, ...(scriptArgs.length ? ["--", ...scriptArgs] : [])], { cwd: benchDir, stdio: "inherit" });
  if (result.error) {
    process.stderr.write(`could not run ${script}: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

const evaluation = run("bench", args);
const propagation = run("bench:propagation", args.includes("--no-write") ? ["--no-write"] : []);
const codes = [evaluation, propagation];
process.stderr.write(`\nevaluation bench exited ${evaluation}, propagation bench exited ${propagation}\n`);
const code = codes.includes(1) ? 1 : codes.includes(3) ? 3 : codes.includes(2) ? 2 : Math.max(...codes);
process.exit(code);
