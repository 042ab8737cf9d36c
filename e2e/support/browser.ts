/**
 * Debian's Chromium, headless, driven by playwright-core (which never downloads a browser of its
 * own), plus esbuild bundles of our browser entry points and a tiny static server for the pages.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { sleep } from "./server-process.js";

export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];
const CLOSE_TIMEOUT_MS = 10_000;

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser, kills any of its processes still alive (by PID), removes the profile. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh temporary profile. Throws (so the tests fail, never skip) when
 * Chromium is missing: `node scripts/ensure-test-tools.mjs` installs it.
 */
export async function launchChromium(): Promise<Chromium> {
  const probe = spawnSync(chromiumPath, ["--version"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 0) {
    throw new Error(
      `Chromium is not runnable at ${chromiumPath} (${probe.error?.message ?? `exit ${probe.status}`}). ` +
        "Run `node scripts/ensure-test-tools.mjs` (installs Debian's chromium as root), or set CHROMIUM_PATH.",
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "switchyard-e2e-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      viewport: { width: 800, height: 500 },
    });
  } catch (error) {
    killProfileProcesses(userDataDir);
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    close: async () => {
      await Promise.race([context.close().catch(() => {}), sleep(CLOSE_TIMEOUT_MS)]);
      // Normally none is left; a browser that did not close in time is ended here, by PID.
      for (let i = 0; i < 50 && profileProcesses(userDataDir).length > 0; i++) await sleep(100);
      killProfileProcesses(userDataDir);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** PIDs of the Chromium processes started with this (unique, temporary) profile directory. */
function profileProcesses(userDataDir: string): number[] {
  const marker = `--user-data-dir=${userDataDir}`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function killProfileProcesses(userDataDir: string): void {
  for (const pid of profileProcesses(userDataDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Our packages' browser-side entry points, bundled from their sources so a test never runs a stale build. */
const sources: Record<string, string> = {
  "@switchyard/openfeature/web": repo("packages/openfeature/src/web.ts"),
  "@switchyard/sdk/browser": repo("packages/sdk/src/browser.ts"),
  "@switchyard/core": repo("packages/core/src/index.ts"),
  "@switchyard/core/metric-buckets": repo("packages/core/src/metric-buckets.ts"),
};

/**
 * Bundles a TypeScript entry file, or a module given as source (its imports resolved from
 * e2e/), into one ES module for browsers, with the esbuild vite brings along.
 */
export async function bundleForBrowser(entry: string | { source: string }): Promise<string> {
  // As packages/sdk/scripts/size.mjs does: esbuild is a dependency of vite, not of ours.
  const requireFromVite = createRequire(createRequire(import.meta.url).resolve("vite"));
  const esbuild = requireFromVite("esbuild") as Esbuild;
  const result = await esbuild.build({
    ...(typeof entry === "string"
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.source, resolveDir: fileURLToPath(new URL(".", import.meta.url)), sourcefile: "page.js", loader: "js" } }),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "switchyard-sources",
        setup: (build: EsbuildPluginBuild) => build.onResolve({ filter: /^@switchyard\// }, (args) => (sources[args.path] ? { path: sources[args.path]! } : undefined)),
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

/** The part of esbuild's API used here (esbuild is not a dependency of ours, so neither are its types). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
interface EsbuildPluginBuild {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string } | undefined): void;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves fixed files from 127.0.0.1 on an ephemeral port: another origin than the flag server's. */
export async function serveStatic(files: Record<string, { type: string; body: string | Buffer }>): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? "/", "http://localhost").pathname];
    if (!file) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
