/** The real server on a socket, and the built CLI run against it as a child process. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createHarness, type Harness } from "../../server/src/test-support/harness.js";

const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

export interface CliRunOptions {
  /** Replaces SWITCHYARD_TOKEN; null leaves it unset. */
  token?: string | null;
  url?: string | null;
  cwd?: string;
  stdin?: string;
}

export interface Server {
  h: Harness;
  url: string;
  adminToken: string;
  /** Runs `switchyard ...args` configured by environment variables, as a pipeline would be. */
  cli(args: string[], options?: CliRunOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const h = await createHarness();
  const { url, close } = await h.listen();
  const adminToken = h.token({ kind: "admin", name: "pipeline", role: "admin" });
  const cli = (args: string[], options: CliRunOptions = {}) =>
    runCli(args, { ...options, url: options.url === undefined ? url : options.url, token: options.token === undefined ? adminToken : options.token });
  return { h, url, adminToken, cli, close };
}

export function runCli(args: string[], { token, url, cwd, stdin }: CliRunOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  if (token) env.SWITCHYARD_TOKEN = token;
  if (url) env.SWITCHYARD_URL = url;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
    child.stdin.end(stdin ?? "");
  });
}
