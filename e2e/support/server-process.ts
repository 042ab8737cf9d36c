/**
 * The real server (apps/server/src/main.ts) in its own process on 127.0.0.1, as in
 * apps/server/test/server-process.test.ts: started, stopped with SIGTERM, and started again on
 * the same data directory and, when asked, the same port.
 *
 * Every process started here is remembered until it exits; `stopAllServers()` (an afterAll) ends
 * whatever a failed test left behind, by PID only, and a preloaded guard ends a server whose test
 * worker died without cleaning up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const serverRoot = fileURLToPath(new URL("../../apps/server/", import.meta.url));
/** Makes tsx resolve @switchyard/core to its sources, as vitest's aliases do for the tests. */
const tsconfig = fileURLToPath(new URL("../tsconfig.server.json", import.meta.url));
/** Ends the server when its test worker is gone, even when no afterAll could run. */
const orphanGuard = new URL("./orphan-guard.mjs", import.meta.url).href;

/** The bootstrap admin's default email (not passed in: the config refuses it when set explicitly). */
export const ADMIN_EMAIL = "admin@localhost";
export const ADMIN_PASSWORD = "correct-horse-battery-e2e";

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 12_000;
/** Taking a port back after a stop can lose a race with another socket; retried this often. */
const PORT_RETRIES = 20;
const PORT_RETRY_DELAY_MS = 250;

export interface StartOptions {
  /** Reuse a data directory (a restart); by default a new temporary one. */
  dataDir?: string;
  /** A fixed port (a restart on the same address); by default an ephemeral one. */
  port?: number;
  /** Extra environment, e.g. SWITCHYARD_CHANGE_LOG_RETENTION. */
  env?: Record<string, string>;
}

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** Every line the process wrote to stdout and stderr. */
  output: string[];
  /** Sends SIGTERM and resolves with the exit code; SIGKILL if it does not exit in time. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
const dataDirs = new Set<string>();

/** A new temporary data directory, removed by `stopAllServers()`. */
export function createDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  dataDirs.add(dir);
  return dir;
}

export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? createDataDir();
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnServer(dataDir, options);
    } catch (error) {
      const portTaken = error instanceof StartError && error.output.some((line) => line.includes("EADDRINUSE"));
      if (!portTaken || options.port === undefined || attempt >= PORT_RETRIES) throw error;
      await sleep(PORT_RETRY_DELAY_MS);
    }
  }
}

class StartError extends Error {
  constructor(
    message: string,
    readonly output: string[],
  ) {
    super(`${message}\n${output.join("\n")}`);
  }
}

function spawnServer(dataDir: string, options: StartOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", orphanGuard, "--import", "tsx", "src/main.ts"], {
    cwd: serverRoot,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: tsconfig,
      PORT: String(options.port ?? 0),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
  const stdout = createInterface({ input: child.stdout! });

  return new Promise<ServerProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new StartError(`the server did not start within ${START_TIMEOUT_MS} ms`, output));
    }, START_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new StartError(`the server exited with ${code} before listening`, output));
    });
    stdout.on("line", (line) => {
      output.push(line);
      if (!line.startsWith("{")) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg !== "switchyard listening" || entry.port === undefined) return;
      clearTimeout(timer);
      const port = entry.port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        dataDir,
        pid: child.pid!,
        output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}

/**
 * Keeps `port` taken while its server is down, so that nothing else (another instance started on
 * port 0, an outgoing connection's ephemeral port) can take it before the server comes back.
 * Connections are cut at once, as a client sees a server that is not there. Resolves with the
 * function that frees the port again.
 */
export async function holdPort(port: number): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    const holder = createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        holder.once("error", reject);
        holder.listen(port, "127.0.0.1", resolve);
      });
      return () => new Promise<void>((resolve) => holder.close(() => resolve()));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= PORT_RETRIES) throw error;
      await sleep(PORT_RETRY_DELAY_MS);
    }
  }
}

/** Ends every server still running (SIGTERM, then SIGKILL) and removes the data directories. */
export async function stopAllServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          child.once("exit", () => {
            clearTimeout(killer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
