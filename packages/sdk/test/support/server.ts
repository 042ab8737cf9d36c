/** The real Switchyard server (apps/server) on 127.0.0.1, for end-to-end tests of the SDK. */
import { createHarness, type Harness } from "../../../../apps/server/src/test-support/harness.js";

export type { Harness };

export interface RunningServer {
  h: Harness;
  url: string;
  /** A new server key for an environment (default production). */
  serverKey(environment?: string): string;
  clientKey(environment?: string): string;
  admin(method: string, path: string, body?: unknown): ReturnType<Harness["call"]>;
  /** Cuts every open connection (streams included) while the server keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startServer(options: Parameters<typeof createHarness>[0] = {}): Promise<RunningServer> {
  const h = await createHarness(options);
  const listening = await h.listen();
  let keys = 0;
  return {
    h,
    url: listening.url,
    serverKey: (environment = "production") => h.token({ kind: "server", name: `sdk-test-${++keys}`, environment }),
    clientKey: (environment = "production") => h.token({ kind: "client", name: `sdk-test-${++keys}`, environment }),
    admin: (method, path, body) => h.call("admin", method, path, body === undefined ? {} : { body }),
    dropConnections: () => listening.server.closeAllConnections(),
    close: async () => {
      h.services.hub.close();
      await listening.close();
    },
  };
}
