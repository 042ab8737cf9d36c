/** An app on an in-memory database with one caller of every kind, for route tests. */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { pino } from "pino";
import { createApp, type AppOptions } from "../app.js";
import { bootstrap } from "../bootstrap.js";
import { openStorage } from "../db/open.js";
import { systemActor } from "../services/changes.js";

export const callerKinds = ["anonymous", "client", "server", "automation", "viewer", "editor", "admin"] as const;
export type CallerKind = (typeof callerKinds)[number];

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export async function createHarness(options: Partial<Omit<AppOptions, "storage" | "logger">> = {}) {
  const storage = openStorage(":memory:");
  const switchyard = createApp({ storage, logger: pino({ level: "silent" }), ...options });
  const { app, services } = switchyard;
  await bootstrap(storage.db, switchyard, { email: "admin@example.com", password: "admin-password" });
  await services.users.create({ email: "editor@example.com", password: "editor-password", role: "editor" }, systemActor);
  await services.users.create({ email: "viewer@example.com", password: "viewer-password", role: "viewer" }, systemActor);

  const sessionCookie = async (email: string, password: string) => {
    const response = await app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const cookie = response.headers.get("Set-Cookie");
    if (response.status !== 200 || !cookie) throw new Error(`login failed for ${email}: ${response.status}`);
    return cookie.split(";")[0]!;
  };

  const token = (input: Parameters<typeof services.credentials.create>[0]) => services.credentials.create(input, systemActor).token;

  const credentials: Record<CallerKind, Record<string, string>> = {
    anonymous: {},
    client: { Authorization: `Bearer ${token({ kind: "client", name: "web", environment: "production" })}` },
    server: { Authorization: `Bearer ${token({ kind: "server", name: "api", environment: "production" })}` },
    automation: {
      Authorization: `Bearer ${token({ kind: "automation", name: "pager", scope: { flags: ["new-checkout"], tags: [], environments: ["production"] } })}`,
    },
    viewer: { Cookie: await sessionCookie("viewer@example.com", "viewer-password") },
    editor: { Cookie: await sessionCookie("editor@example.com", "editor-password") },
    admin: { Authorization: `Bearer ${token({ kind: "admin", name: "scripts", role: "admin" })}` },
  };

  async function call(as: CallerKind, method: string, path: string, options: CallOptions = {}) {
    const headers: Record<string, string> = { ...credentials[as], ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await app.request(path, { method, headers, body });
    const text = await response.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  /** Serves the app over a real socket on 127.0.0.1 and an ephemeral port. */
  async function listen() {
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const close = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    return { url, server, close };
  }

  return { app, services, storage, credentials, token, call, sessionCookie, listen };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
