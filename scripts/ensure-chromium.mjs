#!/usr/bin/env node
// Makes sure the browser end-to-end tests have a Chromium to drive (they never download one).
//
// Exits 0 when $CHROMIUM_PATH (default /usr/bin/chromium) runs `--version`. Otherwise, as root
// with apt-get available, installs Debian's `chromium` package (printing each command) and checks
// again; anywhere else it exits 1 saying how to install it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const DEFAULT_PATH = "/usr/bin/chromium";
const path = process.env.CHROMIUM_PATH || DEFAULT_PATH;

function version() {
  const result = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) return null;
  return result.stdout.trim().split("\n").pop() || "unknown version";
}

function run(command, args) {
  console.log(`ensure-chromium: $ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (result.status !== 0) {
    console.error(`ensure-chromium: \`${[command, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function fail(reason) {
  console.error(
    `ensure-chromium: ${reason}\n` +
      "The browser tests drive a system Chromium through playwright-core and never download a browser.\n" +
      "Install it, then run the tests again:\n" +
      "  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium\n" +
      "  elsewhere:      install Chromium or Chrome and set CHROMIUM_PATH=/path/to/the/binary",
  );
  process.exit(1);
}

const found = version();
if (found) {
  console.log(`ensure-chromium: ${found} (${path})`);
  process.exit(0);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = ["/usr/bin/apt-get", "/bin/apt-get"].some((candidate) => existsSync(candidate));
if (!isRoot || !hasApt) {
  fail(`no runnable Chromium at ${path}${isRoot ? "" : " (not root, so not installing it)"}${hasApt ? "" : " (no apt-get here)"}.`);
}

console.log(`ensure-chromium: no runnable Chromium at ${path}; installing Debian's chromium package.`);
run("apt-get", ["update"]);
run("apt-get", ["install", "-y", "chromium"]);

const installed = version();
if (!installed) {
  fail(
    path === DEFAULT_PATH
      ? `apt-get installed chromium, but ${path} still does not run.`
      : `chromium is installed, but CHROMIUM_PATH=${path} does not run; unset it to use ${DEFAULT_PATH}.`,
  );
}
console.log(`ensure-chromium: ${installed} (${path})`);
