#!/usr/bin/env node
// Makes sure the end-to-end tests have the system programs they drive, never downloading any:
// Chromium (browser tests, through playwright-core) and Prometheus Alertmanager (the alerting
// test runs the real binary).
//
// Exits 0 when each runs `--version`. Otherwise, as root with apt-get available, installs the
// missing Debian packages (printing each command; package services are kept from starting, the
// tests start what they need themselves) and checks again; anywhere else it exits 1 saying how to
// install them.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";

const tools = [
  { name: "Chromium", pkg: "chromium", fallback: "/usr/bin/chromium", variable: "CHROMIUM_PATH" },
  { name: "Alertmanager", pkg: "prometheus-alertmanager", fallback: "/usr/bin/prometheus-alertmanager", variable: null },
].map((tool) => ({ ...tool, path: (tool.variable && process.env[tool.variable]) || tool.fallback }));

function version(tool) {
  const result = spawnSync(tool.path, ["--version"], { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) return null;
  // Chromium prints to stdout, Alertmanager to stderr.
  return `${result.stdout}${result.stderr}`.trim().split("\n")[0] || "unknown version";
}

function run(command, args) {
  console.log(`ensure-test-tools: $ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (result.status !== 0) {
    console.error(`ensure-test-tools: \`${[command, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function fail(reason, missing) {
  console.error(
    `ensure-test-tools: ${reason}\n` +
      "The end-to-end tests drive these system programs and never download them. Install, then run the tests again:\n" +
      `  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y ${missing.map((tool) => tool.pkg).join(" ")}\n` +
      (missing.some((tool) => tool.variable) ? "  elsewhere:      install Chromium or Chrome and set CHROMIUM_PATH=/path/to/the/binary\n" : ""),
  );
  process.exit(1);
}

const missing = [];
for (const tool of tools) {
  const found = version(tool);
  if (found) console.log(`ensure-test-tools: ${tool.name}: ${found} (${tool.path})`);
  else missing.push(tool);
}
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = ["/usr/bin/apt-get", "/bin/apt-get"].some((candidate) => existsSync(candidate));
const names = missing.map((tool) => `${tool.name} at ${tool.path}`).join(", ");
if (!isRoot || !hasApt) fail(`not runnable: ${names}${isRoot ? "" : " (not root, so not installing)"}${hasApt ? "" : " (no apt-get here)"}.`, missing);

console.log(`ensure-test-tools: not runnable: ${names}; installing Debian's packages.`);
// Debian starts a package's service on install unless policy-rc.d says no; the tests run their own.
const policy = "/usr/sbin/policy-rc.d";
const addedPolicy = !existsSync(policy);
if (addedPolicy) {
  writeFileSync(policy, "#!/bin/sh\nexit 101\n");
  chmodSync(policy, 0o755);
}
try {
  run("apt-get", ["update"]);
  run("apt-get", ["install", "-y", ...missing.map((tool) => tool.pkg)]);
} finally {
  if (addedPolicy) rmSync(policy, { force: true });
}

const stillMissing = missing.filter((tool) => !version(tool));
if (stillMissing.length > 0) fail(`installed, but still not runnable: ${stillMissing.map((tool) => tool.path).join(", ")}.`, stillMissing);
for (const tool of missing) console.log(`ensure-test-tools: ${tool.name}: ${version(tool)} (${tool.path})`);
