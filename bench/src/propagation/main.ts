/**
 * `pnpm --filter @switchyard/bench bench:propagation`: how fast a flag change reaches N
 * streaming server-SDK subscribers, and what idle subscribers cost the server.
 *
 * For each N (default 1,000 then 10,000), on a fresh server:
 *  1. Start the built server (`apps/server/dist/main.js`) in its own process group on 127.0.0.1,
 *     fresh temp DATA_DIR, LOG_LEVEL=warn, SWITCHYARD_HEARTBEAT_MS=5000; log in, make an admin
 *     token, the flag `new-checkout` and a server key.
 *  2. Warm up: 50 streams, 4 writes they all see, then close them.
 *  3. Server RSS before; open N raw-socket streams from this process (this process is the load
 *     generator; the server is another), 500 at a time, each batch waiting for all its `put`s.
 *  4. Settle (5 s), server RSS after: (after − before) / N per idle connection.
 *  5. Idle window (10 s, two heartbeats at 5 s): server utime+stime over wall time.
 *  6. 50 writes, one at a time: kill/unkill `new-checkout` through the admin API; for each,
 *     wait until every subscriber has read the patch with the expected `id` (or 2 s), then 20 ms.
 *     Latency per (subscriber, write) = when this process read the patch − when it had read the
 *     admin API's response, both performance.now() in this one process.
 *  7. Close everything; stop the server (SIGTERM, then SIGKILL to its group).
 * Then print the tables and write them into docs/BENCHMARKS.md between the propagation markers.
 *
 * Options: --subscribers 1000,10000  --writes 50  --batch 500  --settle-seconds 5
 * --idle-seconds 10  --write-timeout-ms 2000  --heartbeat-ms 5000  --no-write
 * --server-node-args "--flag …" (extra node flags for the server, for experiments; implies --no-write)
 * --json FILE (per-write figures and heartbeat bursts, for a closer look)
 * --cpu-profile DIR (server runs with --cpu-prof into DIR; the writes window is summarised; implies --no-write)
 * Exit codes: 0 all targets met; 1 a patch was missing, duplicated or unexpected, or the run failed;
 * 2 a target was missed (results still written).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeMachine } from "../machine.js";
import { AdminClient, setUp, toggle } from "./admin.js";
import type { CpuProfile } from "../cpu-profile.js";
import { summarize } from "./profile.js";
import { perWrite, renderBlock, type Outcome, type RunResult } from "./report.js";
import { cpuSeconds, cpuTimes, killAllServers, machineCpu, rssBytes, startServer, type ServerProcess } from "./server.js";
import { SubscriberPool } from "./subscribers.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN_JS = join(repoRoot, "apps/server/dist/main.js");
const DOC_PATH = join(repoRoot, "docs/BENCHMARKS.md");
export const START_MARKER = "<!-- propagation:results:start -->";
export const END_MARKER = "<!-- propagation:results:end -->";
const EVALUATION_END_MARKER = "<!-- bench:results:end -->";
const ADMIN_EMAIL = "bench@example.com";
const ADMIN_PASSWORD = "propagation-bench-password";
const WARM_UP_STREAMS = 50;
const WARM_UP_WRITES = 4;
const PAUSE_BETWEEN_WRITES_MS = 20;

const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
const { values: args } = parseArgs({
  args: argv,
  options: {
    subscribers: { type: "string", default: "1000,10000" },
    writes: { type: "string", default: "50" },
    batch: { type: "string", default: "500" },
    "settle-seconds": { type: "string", default: "5" },
    "idle-seconds": { type: "string", default: "10" },
    "write-timeout-ms": { type: "string", default: "2000" },
    "heartbeat-ms": { type: "string", default: "5000" },
    "deadline-seconds": { type: "string", default: "360" },
    "no-write": { type: "boolean", default: false },
    "cpu-profile": { type: "string" },
    json: { type: "string" },
    "server-node-args": { type: "string" },
  },
});
const SUBSCRIBERS = args.subscribers.split(",").map((s) => Number(s.trim()));
const WRITES = Number(args.writes);
const BATCH = Number(args.batch);
const SETTLE_MS = Number(args["settle-seconds"]) * 1000;
const IDLE_MS = Number(args["idle-seconds"]) * 1000;
const WRITE_TIMEOUT_MS = Number(args["write-timeout-ms"]);
const HEARTBEAT_MS = Number(args["heartbeat-ms"]);
const PROFILE_DIR = args["cpu-profile"] ? resolve(args["cpu-profile"]) : undefined;
/** Extra flags for the server's node (experiments, e.g. "--max-semi-space-size=2"); implies --no-write. */
const SERVER_NODE_ARGS = args["server-node-args"]?.split(" ").filter(Boolean) ?? [];
const write = !args["no-write"] && !PROFILE_DIR && SERVER_NODE_ARGS.length === 0;
for (const [name, value] of Object.entries({ SUBSCRIBERS: Math.min(...SUBSCRIBERS), WRITES, BATCH, SETTLE_MS, IDLE_MS, WRITE_TIMEOUT_MS, HEARTBEAT_MS })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bad option value for ${name}`);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every server this process starts dies with it, however it ends, and its data directory goes.
const dataDirs = new Set<string>();
process.on("exit", () => {
  killAllServers();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping`);
    killAllServers();
    process.exit(1);
  });
}
const watchdog = setTimeout(() => {
  log(`\nbench:propagation did not finish within ${args["deadline-seconds"]} s; killing everything`);
  killAllServers();
  process.exit(1);
}, Number(args["deadline-seconds"]) * 1000);

async function runOne(n: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-propagation-"));
  dataDirs.add(dataDir);
  let server: ServerProcess | undefined;
  const pools: SubscriberPool[] = [];
  const admin = { client: undefined as AdminClient | undefined };
  try {
    server = await startServer({
      mainJs: MAIN_JS,
      dataDir,
      env: { LOG_LEVEL: "warn", SWITCHYARD_ADMIN_EMAIL: ADMIN_EMAIL, SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD, SWITCHYARD_HEARTBEAT_MS: String(HEARTBEAT_MS) },
      nodeArgs: [...SERVER_NODE_ARGS, ...(PROFILE_DIR ? ["--cpu-prof", "--cpu-prof-dir", PROFILE_DIR, "--cpu-prof-name", `server-${n}.cpuprofile`] : [])],
    });
    log(`[${n}] server pid ${server.pid} on ${server.url}`);
    admin.client = new AdminClient(server.port);
    const { serverKey } = await setUp(admin.client, ADMIN_EMAIL, ADMIN_PASSWORD);
    let writeIndex = 0;

    // Warm-up: the stream, publish and admin paths run (and get compiled) before anything is measured.
    const warm = new SubscriberPool(server.port, serverKey);
    pools.push(warm);
    await warm.open(WARM_UP_STREAMS, WARM_UP_STREAMS, 20_000);
    let revision = Math.max(...warm.putRevisions());
    for (let i = 0; i < WARM_UP_WRITES; i++) {
      const expected = warm.expect(++revision, WRITE_TIMEOUT_MS);
      await toggle(admin.client, writeIndex++);
      await expected.received;
    }
    warm.destroy();
    await sleep(SETTLE_MS);

    const rssBefore = rssBytes(server.pid);
    const pool = new SubscriberPool(server.port, serverKey);
    pools.push(pool);
    const connectStart = performance.now();
    log(`[${n}] opening ${n.toLocaleString("en-US")} streams, ${BATCH} at a time…`);
    await pool.open(n, BATCH, 30_000);
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const revisions = pool.putRevisions();
    if (revisions.length !== 1 || revisions[0] !== revision) throw new Error(`puts carry revisions ${revisions.join(", ")}, expected only ${revision}`);
    log(`[${n}] all ${n.toLocaleString("en-US")} have their put (${connectSeconds.toFixed(1)} s); settling ${SETTLE_MS / 1000} s`);
    await sleep(SETTLE_MS);
    const rssAfter = rssBytes(server.pid);

    const heartbeatsBefore = pool.heartbeats;
    const cpu0 = cpuSeconds(server.pid);
    const idle0 = performance.now();
    await sleep(IDLE_MS);
    const idleCpu = cpuSeconds(server.pid) - cpu0;
    const idleWall = (performance.now() - idle0) / 1000;
    const idleHeartbeats = pool.heartbeats - heartbeatsBefore;
    const rssAfterIdle = rssBytes(server.pid);
    log(`[${n}] idle ${idleWall.toFixed(1)} s: server CPU ${idleCpu.toFixed(2)} s, ${idleHeartbeats.toLocaleString("en-US")} heartbeats read; RSS ${(rssBefore / 2 ** 20).toFixed(1)} → ${(rssAfter / 2 ** 20).toFixed(1)} MiB`);

    log(`[${n}] ${WRITES} writes…`);
    const sent: number[] = [];
    const responded: number[] = [];
    const times: Float64Array[] = [];
    let missing = 0;
    const machine0 = machineCpu();
    const server0 = cpuTimes(server.pid);
    const self0 = process.cpuUsage();
    const wall0 = performance.now();
    const profileFrom = process.hrtime.bigint();
    for (let w = 0; w < WRITES; w++) {
      const expected = pool.expect(++revision, WRITE_TIMEOUT_MS);
      const t0 = performance.now();
      const response = await toggle(admin.client, writeIndex++);
      sent.push(t0);
      responded.push(response.receivedAt);
      await expected.received;
      pool.forget(revision);
      let got = 0;
      for (const t of expected.times) if (!Number.isNaN(t)) got++;
      missing += n - got;
      times.push(expected.times);
      await sleep(PAUSE_BETWEEN_WRITES_MS);
    }
    const profileTo = process.hrtime.bigint();
    const wallWrites = (performance.now() - wall0) / 1000;
    const server1 = cpuTimes(server.pid);
    const serverUserWrites = server1.user - server0.user;
    const serverSystemWrites = server1.system - server0.system;
    const serverWrites = serverUserWrites + serverSystemWrites;
    const selfUsage = process.cpuUsage(self0);
    const selfWrites = (selfUsage.user + selfUsage.system) / 1e6;
    const machine1 = machineCpu();
    const others = Math.max(0, machine1.busy - machine0.busy - serverWrites - selfWrites) / wallWrites;
    const steal = ((machine1.steal - machine0.steal) / Math.max(1e-9, machine1.total - machine0.total)) * 100;
    log(`[${n}] writes done in ${wallWrites.toFixed(1)} s; missing ${missing}, unexpected ${pool.unexpectedPatches}, duplicate ${pool.duplicatePatches}, closed early ${pool.closedEarly}`);

    for (const p of pools) p.destroy();
    admin.client.close();
    const pid = server.pid;
    await server.stop();
    server = undefined;

    let profileText: string | undefined;
    if (PROFILE_DIR) {
      const file = join(PROFILE_DIR, `server-${n}.cpuprofile`);
      if (existsSync(file)) {
        const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
        const from = Number(profileFrom / 1000n);
        const to = Number(profileTo / 1000n);
        if (from < profile.startTime || to > profile.endTime) log(`[${n}] warning: the writes window lies outside the profile; clocks differ?`);
        profileText = summarize(profile, from, to, 30).text;
        writeFileSync(join(PROFILE_DIR, `server-${n}.writes-window.json`), JSON.stringify({ fromUs: from, toUs: to }));
      } else {
        log(`[${n}] no profile at ${file} (files there: ${readdirSync(PROFILE_DIR).join(", ")})`);
      }
    }

    return {
      subscribers: n,
      serverPid: pid,
      writes: WRITES,
      sent,
      responded,
      times,
      missing,
      unexpected: pool.unexpectedPatches,
      duplicates: pool.duplicatePatches,
      closedEarly: pool.closedEarly,
      connectSeconds,
      rssBefore,
      rssAfter,
      rssAfterIdle,
      idleCpuSeconds: idleCpu,
      idleWallSeconds: idleWall,
      idleHeartbeats,
      writesWallSeconds: wallWrites,
      serverCpuWrites: serverWrites,
      serverSystemCpuWrites: serverSystemWrites,
      generatorCpuWrites: selfWrites,
      othersCores: others,
      stealPercent: steal,
      profileText,
      heartbeatBursts: [...pool.heartbeatBursts],
    };
  } catch (error) {
    if (server) log(`[${n}] server output:\n${server.output() || "(none)"}`);
    throw error;
  } finally {
    for (const p of pools) p.destroy();
    admin.client?.close();
    if (server) await server.stop(2000);
    rmSync(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  }
}

function writeDoc(block: string): void {
  const wrapped = `${START_MARKER}\n${block}\n${END_MARKER}`;
  const current = readFileSync(DOC_PATH, "utf8");
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  let next: string;
  if (start >= 0 && end > start) next = current.slice(0, start) + wrapped + current.slice(end + END_MARKER.length);
  else {
    // First run: after the evaluation results.
    const after = current.indexOf(EVALUATION_END_MARKER);
    next =
      after >= 0
        ? `${current.slice(0, after + EVALUATION_END_MARKER.length)}\n\n${wrapped}${current.slice(after + EVALUATION_END_MARKER.length)}`
        : `${current.trimEnd()}\n\n${wrapped}\n`;
  }
  writeFileSync(DOC_PATH, next.endsWith("\n") ? next : `${next}\n`);
  log(`wrote results into ${DOC_PATH}`);
}

async function main(): Promise<number> {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build the server first (turbo run build --filter=@switchyard/server...)`);
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const machine = describeMachine();
  const results: RunResult[] = [];
  for (const n of SUBSCRIBERS) results.push(await runOne(n));
  const loadAtEnd = describeMachine().loadAverage;
  const { block, outcome } = renderBlock(results, { machine, loadAtEnd, heartbeatMs: HEARTBEAT_MS, batch: BATCH, settleMs: SETTLE_MS, idleMs: IDLE_MS, writeTimeoutMs: WRITE_TIMEOUT_MS, pauseMs: PAUSE_BETWEEN_WRITES_MS, warmUpStreams: WARM_UP_STREAMS, warmUpWrites: WARM_UP_WRITES });
  process.stdout.write(`\n${block}\n`);
  for (const r of results) if (r.profileText) process.stdout.write(`\nServer CPU profile, ${r.subscribers.toLocaleString("en-US")} subscribers, writes window only:\n${r.profileText}\n`);
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(results.map(perWrite), null, 1));
    log(`wrote per-write figures to ${args.json}`);
  }
  if (write) writeDoc(block);
  return exitCode(outcome);
}

function exitCode(outcome: Outcome): number {
  if (outcome.broken) return 1;
  return outcome.targetsMet ? 0 : 2;
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  (err: unknown) => {
    log(`\nbench:propagation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killAllServers();
    process.exit(1);
  },
);
