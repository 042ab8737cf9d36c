/**
 * The admin API as the bench uses it: one keep-alive connection, node:http, JSON in and out.
 * Setup logs in once, makes an admin token, the flag and a server key; the writer kills and
 * unkills the flag over the same connection.
 */
import { Agent, request } from "node:http";

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  /** performance.now() when the last byte of the response had been read. */
  receivedAt: number;
}

export class AdminClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly port: number,
    private token?: string,
  ) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
            ...(payload ? { "Content-Type": "application/json", "Content-Length": String(payload.length) } : {}),
            ...headers,
          },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const receivedAt = performance.now();
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = text;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json, receivedAt });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no response in 10 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  async expect(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse> {
    const response = await this.call(method, path, body, headers);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${JSON.stringify(response.json)}`);
    }
    return response;
  }

  useToken(token: string): void {
    this.token = token;
  }

  close(): void {
    this.agent.destroy();
  }
}

export const FLAG = "new-checkout";
export const ENVIRONMENT = "production";

/**
 * Logs in as the bootstrap admin, creates an admin token (used for every write after this), the
 * flag of the evaluation bench (country in NL/DE/FR → 25% rollout, else off) and a server key.
 */
export async function setUp(admin: AdminClient, email: string, password: string): Promise<{ serverKey: string }> {
  const login = await admin.expect(200, "POST", "/api/v1/auth/login", { email, password });
  const setCookie = login.headers["set-cookie"];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(";")[0];
  if (!cookie) throw new Error("login returned no session cookie");
  const token = await admin.expect(201, "POST", "/api/v1/credentials", { kind: "admin", name: "propagation-bench", role: "admin" }, { Cookie: cookie });
  admin.useToken(token.json.token as string);

  await admin.expect(201, "POST", "/api/v1/flags", { key: FLAG });
  const config = `/api/v1/flags/${FLAG}/environments/${ENVIRONMENT}`;
  await admin.expect(200, "PATCH", config, {
    version: 1,
    enabled: true,
    rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL", "DE", "FR"] }], serve: { variant: "off" } }],
    fallthrough: { variant: "off" },
  });
  await admin.expect(200, "POST", `${config}/rollout`, { rule: 0, percent: 25 });
  const key = await admin.expect(201, "POST", "/api/v1/credentials", { kind: "server", name: "propagation-bench", environment: ENVIRONMENT });
  return { serverKey: key.json.token as string };
}

/** One write: kill (odd) or unkill (even) the flag; resolves when the response has been read. */
export async function toggle(admin: AdminClient, index: number): Promise<JsonResponse> {
  const action = index % 2 === 0 ? "kill" : "unkill";
  const response = await admin.expect(200, "POST", `/api/v1/flags/${FLAG}/environments/${ENVIRONMENT}/${action}`, {
    reason: `propagation bench write ${index + 1}`,
  });
  if (response.json?.changed !== true) throw new Error(`${action} ${index + 1} changed nothing: ${JSON.stringify(response.json)}`);
  return response;
}
