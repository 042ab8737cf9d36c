import { readFileSync } from "node:fs";
import os from "node:os";

export interface Machine {
  cpu: string;
  /** Logical CPUs the process can use, and how /proc/cpuinfo counts them. */
  cores: number;
  node: string;
  v8: string;
  os: string;
  loadAverage: string;
  date: string;
}

/** "model name" from /proc/cpuinfo, with family/model/MHz (a VM may report only "AMD EPYC"). */
function cpuModel(): string {
  try {
    const cpuinfo = readFileSync("/proc/cpuinfo", "utf8").split("\n");
    const field = (name: string) => {
      const line = cpuinfo.find((l) => l.split(":")[0]!.trim() === name);
      return line === undefined ? undefined : line.slice(line.indexOf(":") + 1).trim();
    };
    const model = field("model name");
    if (model !== undefined) {
      const details = [
        field("cpu family") !== undefined ? `family ${field("cpu family")}` : undefined,
        field("model") !== undefined ? `model ${field("model")}` : undefined,
        field("cpu MHz") !== undefined ? `${Math.round(Number(field("cpu MHz")))} MHz` : undefined,
        / hypervisor( |$)/.test(field("flags") ?? "") ? "virtualized" : undefined,
      ].filter((d) => d !== undefined);
      return details.length > 0 ? `${model} (${details.join(", ")})` : model;
    }
  } catch {
    // not Linux: fall back to what os reports
  }
  return os.cpus()[0]?.model ?? "unknown";
}

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(" / "),
    date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

/** CPU time of the whole machine (/proc/stat, 1/100 s ticks) and of this process, at one instant. */
export interface CpuSnapshot {
  busyTicks: number;
  stealTicks: number;
  totalTicks: number;
  processUs: number;
  wallMs: number;
}

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const usage = process.cpuUsage();
    return {
      busyTicks: user + nice + system + irq + softirq,
      stealTicks: steal,
      totalTicks: user + nice + system + idle + iowait + irq + softirq + steal,
      processUs: usage.user + usage.system,
      wallMs: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/**
 * How busy the machine was with other work between two snapshots: other processes' CPU in cores
 * (all busy time minus this process's own, which includes its GC and compiler threads), and the
 * share of time the hypervisor stole. Both should be near 0 for figures worth keeping.
 */
export function interference(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): { text: string; disturbed: boolean } {
  if (!a || !b) return { text: "unknown (no /proc/stat)", disturbed: false };
  const seconds = (b.wallMs - a.wallMs) / 1000;
  const busySeconds = (b.busyTicks - a.busyTicks) / 100;
  const ownSeconds = (b.processUs - a.processUs) / 1e6;
  const others = Math.max(0, busySeconds - ownSeconds) / seconds;
  const totalTicks = b.totalTicks - a.totalTicks;
  const steal = totalTicks > 0 ? ((b.stealTicks - a.stealTicks) / totalTicks) * 100 : 0;
  return {
    text: `other processes ${others.toFixed(2)} cores on average, hypervisor steal ${steal.toFixed(1)}%`,
    disturbed: others > 0.2 || steal > 2,
  };
}
