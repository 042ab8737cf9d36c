/**
 * The admin and SDK HTTP APIs as a test drives them: log in once, then act with an admin token,
 * which lives in the database and so keeps working across restarts on the same data directory.
 */
import type { EnvironmentSnapshot, EvaluationContext, EvaluationResult } from "@switchyard/core";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "./server-process.js";

export const ENV = "production";
const REQUEST_TIMEOUT_MS = 10_000;
let credentials = 0;

export interface ApiResponse {
  status: number;
  json: any;
}

async function request(url: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? null : JSON.parse(text) };
}

export class Admin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Logs in as the bootstrap admin and creates an admin token (one login per server and test). */
  static async login(url: string): Promise<Admin> {
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.get("Set-Cookie")!.split(";")[0]!;
    const created = await request(url, "POST", "/api/v1/credentials", { Cookie: cookie }, { kind: "admin", name: "e2e", role: "admin" });
    if (created.status !== 201) throw new Error(`creating an admin token failed: ${created.status} ${JSON.stringify(created.json)}`);
    return new Admin(url, created.json.token as string);
  }

  /** The same credentials against another instance (same data directory, another address). */
  at(url: string): Admin {
    return new Admin(url, this.token);
  }

  call(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return request(this.url, method, path, { Authorization: `Bearer ${this.token}` }, body);
  }

  /** Like `call`, but throws unless the status is 2xx. */
  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const response = await this.call(method, path, body);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`${method} ${path} -> ${response.status} ${JSON.stringify(response.json)}`);
    }
    return response.json;
  }

  createFlag(input: Record<string, unknown>) {
    return this.ok("POST", "/api/v1/flags", input);
  }

  /** PATCHes a flag's config in an environment, naming the version it read just before. */
  async configure(flagKey: string, changes: Record<string, unknown>, environment = ENV) {
    const path = `/api/v1/flags/${flagKey}/environments/${environment}`;
    const { version } = await this.ok("GET", path);
    return this.ok("PATCH", path, { ...changes, version });
  }

  kill(flagKey: string, reason = "e2e", environment = ENV) {
    return this.ok("POST", `/api/v1/flags/${flagKey}/environments/${environment}/kill`, { reason });
  }

  unkill(flagKey: string, reason = "e2e", environment = ENV) {
    return this.ok("POST", `/api/v1/flags/${flagKey}/environments/${environment}/unkill`, { reason });
  }

  rollout(flagKey: string, input: { percent: number; rule?: number; variant?: string }, environment = ENV) {
    return this.ok("POST", `/api/v1/flags/${flagKey}/environments/${environment}/rollout`, input);
  }

  archive(flagKey: string) {
    return this.ok("POST", `/api/v1/flags/${flagKey}/archive`, {});
  }

  createSegment(input: Record<string, unknown>, environment = ENV) {
    return this.ok("POST", `/api/v1/environments/${environment}/segments`, input);
  }

  async updateSegment(segmentKey: string, changes: Record<string, unknown>, environment = ENV) {
    const path = `/api/v1/environments/${environment}/segments/${segmentKey}`;
    const { version } = await this.ok("GET", path);
    return this.ok("PATCH", path, { ...changes, version });
  }

  async serverKey(environment = ENV): Promise<string> {
    return (await this.ok("POST", "/api/v1/credentials", { kind: "server", name: `e2e-server-${++credentials}`, environment })).token;
  }

  async clientKey(environment = ENV): Promise<string> {
    return (await this.ok("POST", "/api/v1/credentials", { kind: "client", name: `e2e-client-${++credentials}`, environment })).token;
  }
}

/** `GET /sdk/v1/flags`: the environment's snapshot as the server holds it now. */
export async function fetchSnapshot(url: string, sdkKey: string): Promise<EnvironmentSnapshot> {
  const response = await request(url, "GET", "/sdk/v1/flags", { Authorization: `Bearer ${sdkKey}` });
  if (response.status !== 200) throw new Error(`GET /sdk/v1/flags -> ${response.status}`);
  return response.json as EnvironmentSnapshot;
}

/** `POST /sdk/v1/evaluate` without a key: every flag, evaluated by the server for the context. */
export async function evaluateOnServer(url: string, sdkKey: string, context: EvaluationContext): Promise<{ revision: number; flags: Record<string, EvaluationResult> }> {
  const response = await request(url, "POST", "/sdk/v1/evaluate", { Authorization: `Bearer ${sdkKey}` }, { context });
  if (response.status !== 200) throw new Error(`POST /sdk/v1/evaluate -> ${response.status} ${JSON.stringify(response.json)}`);
  return response.json;
}
