/**
 * The real Prometheus Alertmanager (Debian's `prometheus-alertmanager` package, which .ci/run
 * installs) in its own process on 127.0.0.1 and an ephemeral port, with a temporary storage path
 * and a config whose only receiver is Switchyard's /api/v1/integrations/alertmanager.
 *
 * Every process started here is remembered until it exits; `stopAllAlertmanagers()` (an
 * afterAll) ends what a failed test left behind, by PID. A watchdog shell ends Alertmanager
 * when the test worker that started it is gone, as orphan-guard.mjs does for servers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const ALERTMANAGER_BINARY = "/usr/bin/prometheus-alertmanager";

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export interface AlertmanagerOptions {
  /** Where Alertmanager sends notifications, query included. */
  receiverUrl: string;
  /** Sent as `Authorization: Bearer <token>` (http_config.authorization, from a 0600 file). */
  token: string;
}

export interface AlertmanagerProcess {
  url: string;
  pid: number;
  /** Every line Alertmanager logged. */
  output: string[];
  /** POST /api/v2/alerts, as Prometheus does. */
  postAlerts(alerts: unknown[]): Promise<void>;
  /** SIGTERM by PID, then SIGKILL if it does not exit in time. */
  stop(): Promise<void>;
}

/** Each running Alertmanager, with the promise of its exit. */
const running = new Map<ChildProcess, Promise<void>>();
const dirs = new Set<string>();

/** Throws, with what to do about it, when the binary is not installed. */
export function requireAlertmanager(): void {
  if (!existsSync(ALERTMANAGER_BINARY)) {
    throw new Error(
      `${ALERTMANAGER_BINARY} is missing. This test runs the real Alertmanager: install Debian's package ` +
        `with 'apt-get update && apt-get install -y prometheus-alertmanager' (\`pnpm test\` does, through scripts/ensure-test-tools.mjs).`,
    );
  }
}

/** Short waits so the test sees a notification within a second or two of posting an alert. */
function config({ receiverUrl }: AlertmanagerOptions, tokenFile: string): string {
  return [
    "route:",
    "  receiver: switchyard",
    "  group_by: [alertname, switchyard_flag, switchyard_env]",
    "  group_wait: 200ms",
    "  group_interval: 500ms",
    "  repeat_interval: 1h",
    "receivers:",
    "  - name: switchyard",
    "    webhook_configs:",
    `      - url: ${JSON.stringify(receiverUrl)}`,
    "        send_resolved: true",
    "        http_config:",
    "          authorization:",
    "            type: Bearer",
    `            credentials_file: ${JSON.stringify(tokenFile)}`,
    "",
  ].join("\n");
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerProcess> {
  requireAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), "switchyard-alertmanager-"));
  dirs.add(dir);
  const tokenFile = join(dir, "switchyard.token");
  writeFileSync(tokenFile, options.token, { mode: 0o600 });
  const configFile = join(dir, "alertmanager.yml");
  writeFileSync(configFile, config(options, tokenFile));

  const child = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "data")}`,
      "--web.listen-address=127.0.0.1:0",
      // No cluster: a single instance needs no gossip port.
      "--cluster.listen-address=",
      "--log.level=debug",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  running.set(child, exited);
  // Ends Alertmanager if this worker dies without its afterAll; ends itself when Alertmanager does.
  spawn("sh", ["-c", `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 0.5; done; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: "ignore",
    detached: true,
  }).unref();

  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Alertmanager did not start within ${START_TIMEOUT_MS} ms:\n${output.join("\n")}`));
    }, START_TIMEOUT_MS);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Alertmanager exited with ${child.exitCode} before listening:\n${output.join("\n")}`));
    });
    const onLine = (line: string) => {
      output.push(line);
      const listening = /msg="Listening on" address=(\S+)/.exec(line);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    };
    createInterface({ input: child.stderr! }).on("line", onLine);
    createInterface({ input: child.stdout! }).on("line", onLine);
  });
  const url = `http://${address}`;

  return {
    url,
    pid: child.pid!,
    output,
    async postAlerts(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status !== 200) throw new Error(`POST /api/v2/alerts -> ${response.status} ${await response.text()}`);
    },
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid!, "SIGTERM");
  const killer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, "SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killer);
}

/** Ends every Alertmanager still running and removes their directories. */
export async function stopAllAlertmanagers(): Promise<void> {
  await Promise.all([...running].map(([child, exited]) => stopChild(child, exited)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
