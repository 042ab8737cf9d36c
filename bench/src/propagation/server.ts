/**
 * The real built server (`apps/server/dist/main.js`) in its own process and process group, on
 * 127.0.0.1 with a fresh data directory, and what /proc says about it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface ServerProcess {
  pid: number;
  port: number;
  url: string;
  /** Last lines the server printed (it runs at LOG_LEVEL=warn, so normally nothing). */
  output(): string;
  /** SIGTERM, so a `--cpu-prof` profile gets written; SIGKILL to the whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole process group, synchronously (for exit handlers). */
  killNow(): void;
}

export interface StartOptions {
  mainJs: string;
  dataDir: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

/**
 * An unused loopback port. At LOG_LEVEL=warn the server does not print its "switchyard listening"
 * line (it is info level), so it cannot be started on port 0 and asked; it gets a port picked here.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Kills every server this process started; safe to call from an "exit" handler. */
export function killAllServers(): void {
  for (const child of live) killGroup(child, "SIGKILL");
  live.clear();
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.mainJs], {
    env: { ...process.env, ...options.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: options.dataDir },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so everything it might start goes down with it.
    detached: true,
  });
  live.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before listening:\n${lines.join("\n")}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, "SIGKILL");
      throw new Error(`server did not answer /healthz within ${options.startTimeoutMs ?? 20_000} ms:\n${lines.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid: child.pid!,
    port,
    url,
    output: () => lines.join("\n"),
    async stop(graceMs = 15_000) {
      killGroup(child, "SIGTERM");
      const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
      if ((await Promise.race([exited, timer])) === "timeout") killGroup(child, "SIGKILL");
      // Anything else left in its group (nothing is expected) goes too.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // group already empty
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
    killNow: () => killGroup(child, "SIGKILL"),
  };
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** User and system CPU time of a process in seconds (/proc/<pid>/stat utime, stime; USER_HZ = 100 on Linux). */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** utime + stime in seconds. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** Busy and total CPU time of the whole machine (/proc/stat), in seconds. */
export function machineCpu(): { busy: number; total: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return {
    busy: (user + nice + system + irq + softirq) / 100,
    total: (user + nice + system + idle + iowait + irq + softirq + steal) / 100,
    steal: steal / 100,
  };
}
