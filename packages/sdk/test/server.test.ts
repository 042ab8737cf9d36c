/** The SDK against the real server on 127.0.0.1: changes made through the admin API reach it. */
import { EventSource } from "eventsource";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/node/client.js";
import { createClient as createBrowserClient } from "../src/browser/client.js";
import { startServer, type RunningServer } from "./support/server.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(options);
  cleanups.push(server.close);
  expect((await server.admin("POST", "/api/v1/flags", { key: "new-checkout", clientVisible: true })).status).toBe(201);
  return server;
}

const production = "/api/v1/flags/new-checkout/environments/production";
const kill = (server: RunningServer) => server.admin("POST", `${production}/kill`, { reason: "sdk test" });
const unkill = (server: RunningServer) => server.admin("POST", `${production}/unkill`, { reason: "sdk test" });

type Handle = { constructor: { name: string }; remotePort?: number };
const activeHandles = () => (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles();
/** Client-side sockets to the server: the server's own ends live in this process too. */
const socketsTo = (url: string) => activeHandles().filter((handle) => handle.constructor.name === "Socket" && handle.remotePort === Number(new URL(url).port)).length;

/** Server-stream subscribers of production, as the hub counts them (a record or a Map, depending on the server's version). */
function subscribers(server: RunningServer): number {
  const counts = server.h.services.hub.counts() as unknown;
  const production = (counts instanceof Map ? counts.get("production") : (counts as Record<string, unknown>).production) as { server: number } | undefined;
  return production?.server ?? 0;
}

describe("Node client against the server", () => {
  it("gets the snapshot, and a toggle in the admin API fires change", async () => {
    const server = await serve();
    await server.admin("PATCH", production, { version: 1, enabled: true, fallthrough: { variant: "on" } });
    const client = createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} });
    cleanups.push(() => client.close());
    await expect(client.ready()).resolves.toBe(true);
    expect(client.isEnabled("new-checkout", { key: "u1" })).toBe(true);

    const changes: string[][] = [];
    client.on("change", ({ keys }) => changes.push(keys));
    expect((await kill(server)).status).toBe(200);
    await vi.waitFor(() => expect(changes).toEqual([["new-checkout"]]));
    expect(client.evaluate("new-checkout", { key: "u1" })).toMatchObject({ value: false, reason: "KILLED" });

    await unkill(server);
    await vi.waitFor(() => expect(client.isEnabled("new-checkout", { key: "u1" })).toBe(true));
    const revision = server.h.services.snapshots.get("production").snapshot.revision;
    expect(client.status()).toEqual({ state: "ready", revision });
  });

  it("resumes from its revision after losing the stream, with the changes made meanwhile", async () => {
    const server = await serve();
    const requests: (string | null)[] = [];
    const client = createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} }, {
      random: () => 0,
      fetch: (input, init) => {
        requests.push(new Headers(init?.headers).get("Last-Event-ID"));
        return fetch(input, init);
      },
    });
    cleanups.push(() => client.close());
    await client.ready();
    const revision = server.h.services.snapshots.get("production").snapshot.revision;
    const changes: string[][] = [];
    client.on("change", ({ keys }) => changes.push(keys));
    server.dropConnections();
    await vi.waitFor(() => expect(client.status().state).toBe("stale"));
    await kill(server);
    await vi.waitFor(() => expect(client.evaluate("new-checkout", { key: "u" }).reason).toBe("KILLED"));
    expect(requests).toEqual([null, String(revision)]);
    expect(changes).toEqual([["new-checkout"]]);
    expect(client.status()).toEqual({ state: "ready", revision: revision + 1 });
  });

  it("stops at a revoked key after one request", async () => {
    const server = await serve();
    let requests = 0;
    const client = createClient({ url: server.url, sdkKey: "sy_server_nope.wrong", logger: {}, timeoutMs: 300 }, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    cleanups.push(() => client.close());
    await expect(client.ready()).resolves.toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(requests).toBe(1);
    expect(client.status()).toMatchObject({ state: "connecting", error: { code: "unauthorized", status: 401 } });
  });

  it("a client key is forbidden on the server stream", async () => {
    const server = await serve();
    const client = createClient({ url: server.url, sdkKey: server.clientKey(), logger: {}, timeoutMs: 300 });
    cleanups.push(() => client.close());
    await client.ready();
    expect(client.status()).toMatchObject({ error: { code: "forbidden" } });
  });

  it("close() leaves no socket open", async () => {
    const server = await serve();
    const clients = [0, 1, 2].map(() => createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} }));
    await Promise.all(clients.map((client) => client.ready()));
    expect(socketsTo(server.url)).toBe(3);
    expect(subscribers(server)).toBe(3);
    await Promise.all(clients.map((client) => client.close()));
    await vi.waitFor(() => expect(socketsTo(server.url)).toBe(0));
    await vi.waitFor(() => expect(subscribers(server)).toBe(0));
  });
});

describe("browser client against the server (EventSource from the eventsource package)", () => {
  it("gets evaluated values and patches for its context, and switches context", async () => {
    const server = await serve();
    await server.admin("PATCH", production, {
      version: 1,
      enabled: true,
      rules: [{ clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "on" } }],
      fallthrough: { variant: "off" },
    });
    const client = createBrowserClient({ url: server.url, clientKey: server.clientKey(), context: { key: "u1", plan: "free" }, logger: {} }, { EventSource, storage: null });
    cleanups.push(() => client.close());
    await expect(client.ready()).resolves.toBe(true);
    expect(client.evaluate("new-checkout")).toEqual({ value: false, variant: "off", reason: "FALLTHROUGH" });

    const changes: string[][] = [];
    client.on("change", ({ keys }) => changes.push(keys));
    client.setContext({ key: "u1", plan: "pro" });
    expect(client.isEnabled("new-checkout")).toBe(false);
    await vi.waitFor(() => expect(client.isEnabled("new-checkout")).toBe(true));
    expect(changes).toEqual([["new-checkout"]]);

    await kill(server);
    await vi.waitFor(() => expect(client.evaluate("new-checkout").reason).toBe("KILLED"));
    await server.admin("POST", "/api/v1/flags/new-checkout/archive", {});
    await vi.waitFor(() => expect(client.evaluate("new-checkout").reason).toBe("FLAG_NOT_FOUND"));
  });

  it("stops at a refused key", async () => {
    const server = await serve();
    let probes = 0;
    const client = createBrowserClient({ url: server.url, clientKey: "sy_client_nope.wrong", context: { key: "u" }, logger: {}, timeoutMs: 300 }, {
      EventSource,
      storage: null,
      fetch: (input, init) => {
        probes++;
        return fetch(input, init);
      },
    });
    cleanups.push(() => client.close());
    await client.ready();
    await vi.waitFor(() => expect(client.status()).toMatchObject({ error: { code: "unauthorized" } }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(probes).toBe(1);
  });
});
