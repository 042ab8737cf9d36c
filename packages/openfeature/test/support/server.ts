/**
 * The real Switchyard server (apps/server) on 127.0.0.1, with the admin calls the provider tests
 * make, and a gate in front of it that a test can shut to take the server away and open again on
 * the same address.
 */
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { createHarness, type Harness } from "../../../../apps/server/src/test-support/harness.js";

export interface FlagSetup {
  kind?: "boolean" | "string" | "number" | "json";
  /** Variant key -> value; boolean flags default to on/off. */
  variants?: Record<string, unknown>;
  clientVisible?: boolean;
}

export interface RunningServer {
  h: Harness;
  /** The server itself. */
  url: string;
  /** Through the gate. */
  gatedUrl: string;
  gate: Gate;
  serverKey(): string;
  clientKey(): string;
  /** A server key and the id that revokes it. */
  revocableKey(): Promise<{ key: string; revoke(): Promise<void> }>;
  createFlag(key: string, setup?: FlagSetup): Promise<void>;
  /** PATCHes the flag's production config, naming the version it reads first. */
  configure(key: string, changes: Record<string, unknown>): Promise<void>;
  kill(key: string, reason: string): Promise<void>;
  /** Prometheus text from GET /metrics. */
  scrape(): Promise<string>;
  close(): Promise<void>;
}

const production = (key: string) => `/api/v1/flags/${key}/environments/production`;

export async function startServer(): Promise<RunningServer> {
  const h = await createHarness();
  const listening = await h.listen();
  const gate = await openGate(Number(new URL(listening.url).port));
  let keys = 0;
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await h.call("admin", method, path, body === undefined ? {} : { body });
    if (response.status < 200 || response.status > 299) throw new Error(`${method} ${path} -> ${response.status} ${response.text}`);
    return response.json;
  };
  return {
    h,
    url: listening.url,
    gatedUrl: gate.url,
    gate,
    serverKey: () => h.token({ kind: "server", name: `of-test-${++keys}`, environment: "production" }),
    clientKey: () => h.token({ kind: "client", name: `of-test-${++keys}`, environment: "production" }),
    async revocableKey() {
      const created = await admin("POST", "/api/v1/credentials", { kind: "server", name: `of-test-${++keys}`, environment: "production" });
      return { key: created.token, revoke: async () => void (await admin("POST", `/api/v1/credentials/${created.id}/revoke`)) };
    },
    async createFlag(key, setup = {}) {
      const variants = setup.variants && Object.entries(setup.variants).map(([variant, value]) => ({ key: variant, value }));
      await admin("POST", "/api/v1/flags", { key, kind: setup.kind ?? "boolean", clientVisible: setup.clientVisible ?? true, ...(variants ? { variants } : {}) });
    },
    async configure(key, changes) {
      const { version } = await admin("GET", production(key));
      await admin("PATCH", production(key), { ...changes, version });
    },
    async kill(key, reason) {
      await admin("POST", `${production(key)}/kill`, { reason });
    },
    scrape: async () => (await fetch(`${listening.url}/metrics`)).text(),
    async close() {
      await gate.close();
      h.services.hub.close();
      await listening.close();
    },
  };
}

export interface Gate {
  url: string;
  /** Cuts every connection and refuses new ones (accepted, then closed at once), keeping the port. */
  shut(): void;
  open(): void;
  close(): Promise<void>;
}

/** A TCP relay to `port` on 127.0.0.1 that can be shut without giving up its own port. */
async function openGate(port: number): Promise<Gate> {
  let open = true;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const relay = createServer((downstream) => {
    track(downstream);
    if (!open) return void downstream.destroy();
    const upstream = connect(port, "127.0.0.1");
    track(upstream);
    downstream.pipe(upstream).pipe(downstream);
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    shut() {
      open = false;
      cut();
    },
    open() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        relay.close(() => resolve());
      }),
  };
}

/** Polls `condition` until it holds; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A logger for the OpenFeature API and the SDK that keeps lines instead of printing them. */
export function quietLogger() {
  const lines: string[] = [];
  const keep = (level: string) => (...args: unknown[]) => void lines.push(`${level} ${args.map(String).join(" ")}`);
  return { lines, error: keep("error"), warn: keep("warn"), info: keep("info"), debug: keep("debug") };
}

/** The URL of a port nothing listens on (taken and given back): connections are refused at once. */
export async function refusingUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
