/**
 * The real server as `pnpm start` runs it (main.ts in its own process), over a real socket on
 * 127.0.0.1: first start, the curl walk-through of the README, and a clean SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SseReader } from "../src/test-support/sse-reader.js";

const serverRoot = fileURLToPath(new URL("..", import.meta.url));
const running: ChildProcess[] = [];
const dataDirs: string[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  stdout: string[];
  exited: Promise<number | null>;
}

async function startServer(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), "switchyard-"))): Promise<Started> {
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverRoot,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  const stdout: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout.join("\n")}`)), 20_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      stdout.push(line);
      if (!line.startsWith("{")) return;
      const entry = JSON.parse(line);
      if (entry.msg === "switchyard listening") {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${entry.port}`);
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${stdout.join("\n")}`)));
  });
  return { child, url, stdout, exited };
}

describe("server process", () => {
  it("prints a generated admin password once on first start, and it logs in", async () => {
    const server = await startServer({ SWITCHYARD_ADMIN_PASSWORD: "" });
    const printed = server.stdout.join("\n");
    const password = /password:\s+(\S+)/.exec(printed)?.[1];
    expect(password).toBeTruthy();
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "admin@localhost", password }),
    });
    expect(login.status).toBe(200);
    // The password is shown on stdout for the operator, never inside a log entry.
    expect(server.stdout.filter((line) => line.startsWith("{")).join("\n")).not.toContain(password!);
  }, 30_000);

  it("runs the README walk-through over a real socket: create, target, roll out, evaluate, kill, audit", async () => {
    const server = await startServer({ SWITCHYARD_ADMIN_EMAIL: "owner@localhost", SWITCHYARD_ADMIN_PASSWORD: "correct-horse-battery" });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "owner@localhost", password: "correct-horse-battery" }),
    });
    expect(login.headers.get("Set-Cookie")).toMatch(/HttpOnly/);
    expect(login.headers.get("Set-Cookie")).toMatch(/SameSite=Strict/);
    const cookie = login.headers.get("Set-Cookie")!.split(";")[0]!;
    const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { Cookie: cookie }) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as any };
    };

    expect((await api("POST", "/api/v1/flags", { key: "new-checkout" })).status).toBe(201);
    const targeted = await api("PATCH", "/api/v1/flags/new-checkout/environments/production", {
      version: 1,
      enabled: true,
      rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "off" } }],
      fallthrough: { variant: "off" },
    });
    expect(targeted.status).toBe(200);
    expect((await api("POST", "/api/v1/flags/new-checkout/environments/production/rollout", { rule: 0, percent: 10 })).status).toBe(200);
    const serverKey = (await api("POST", "/api/v1/credentials", { kind: "server", name: "checkout-api", environment: "production" })).json.token;

    const evaluations = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api("POST", "/sdk/v1/evaluate", { key: "new-checkout", context: { key: `user-${i}`, country: "NL" } }, { Authorization: `Bearer ${serverKey}` }),
      ),
    );
    const share = evaluations.filter(({ json }) => json.value === true).length / evaluations.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.18);

    expect((await api("POST", "/api/v1/flags/new-checkout/environments/production/kill", { reason: "error rate 4%" })).json.changed).toBe(true);
    const killed = await api("POST", "/sdk/v1/evaluate", { key: "new-checkout", context: { key: "user-1", country: "NL" } }, { Authorization: `Bearer ${serverKey}` });
    expect(killed.json).toMatchObject({ value: false, reason: "KILLED" });
    const audit = await api("GET", "/api/v1/audit?flag=new-checkout");
    expect(audit.json.entries.map((entry: { action: string }) => entry.action)).toEqual(["flag.kill", "flag.rollout", "flag.config.update", "flag.create"]);

    const logs = server.stdout.join("\n");
    expect(logs).not.toContain(serverKey.split(".")[1]);
    expect(logs).not.toContain(cookie.split("=")[1]);
  }, 30_000);

  it("keeps data across a restart and exits cleanly on SIGTERM, finishing in-flight requests", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-"));
    const env = { SWITCHYARD_ADMIN_PASSWORD: "correct-horse-battery" };
    const first = await startServer(env, dataDir);
    const token = await loginAndCreateToken(first.url);
    await fetch(`${first.url}/api/v1/flags`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: '{"key":"kept"}' });

    const serverKey = await createServerKey(first.url, token);
    const stream = await SseReader.open(`${first.url}/sdk/v1/stream`, { Authorization: `Bearer ${serverKey}` });
    await stream.waitFor((message) => message.event === "put");

    // A connection that never sends a request (Node's fetch opens one after an aborted stream)
    // must not hold the shutdown up.
    const silent = connect(Number(new URL(first.url).port), "127.0.0.1");
    await new Promise((resolve) => silent.once("connect", resolve));

    const inFlight = fetch(`${first.url}/api/v1/flags`, { headers: { Authorization: `Bearer ${token}` } });
    const started = Date.now();
    first.child.kill("SIGTERM");
    expect((await inFlight).status).toBe(200);
    // Open streams are ended by the server, so SDKs reconnect elsewhere rather than hang.
    expect(await stream.waitForEnd()).toBe(true);
    expect(await first.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    silent.destroy();

    const second = await startServer(env, dataDir);
    const flags = await fetch(`${second.url}/api/v1/flags`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await flags.json()) as { flags: { key: string }[] }).flags.map((flag) => flag.key)).toEqual(["kept"]);
    expect(second.stdout.join("\n")).not.toContain("password:");
  }, 40_000);
});

async function createServerKey(url: string, token: string): Promise<string> {
  const created = await fetch(`${url}/api/v1/credentials`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ kind: "server", name: "stream", environment: "production" }),
  });
  return ((await created.json()) as { token: string }).token;
}

async function loginAndCreateToken(url: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "admin@localhost", password: "correct-horse-battery" }),
  });
  const cookie = login.headers.get("Set-Cookie")!.split(";")[0]!;
  const created = await fetch(`${url}/api/v1/credentials`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json" },
    body: JSON.stringify({ kind: "admin", name: "restart-test", role: "admin" }),
  });
  return ((await created.json()) as { token: string }).token;
}
