#!/usr/bin/env node
/** Reads configuration, opens storage and serves. Everything else is built by createApp. */
import { mkdirSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdaptorServer } from "@hono/node-server";
import { pino } from "pino";
import { createApp } from "./app.js";
import { loadSecretKey } from "./auth/secret-key.js";
import { bootstrap } from "./bootstrap.js";
import { loadConfig } from "./config.js";
import { openStorage } from "./db/open.js";

const SHUTDOWN_DEADLINE_MS = 9_000;
// Thousands of SDKs reconnect at once after a restart; Node's default backlog of 511 overflows.
const LISTEN_BACKLOG = 4096;

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    process.stderr.write(`switchyard: invalid configuration: ${(error as Error).message}\n`);
    process.exit(2);
  }
})();
const logger = pino({ level: config.logLevel });
mkdirSync(config.dataDir, { recursive: true });
const storage = openStorage(join(config.dataDir, "switchyard.db"));
const secretKey = loadSecretKey(config.dataDir, config.secretKey);
// Where the key came from, never the key.
logger.info({ source: secretKey.source, path: secretKey.path }, "secret key loaded");
if (secretKey.warning) logger.warn(secretKey.warning);
const switchyard = createApp({
  storage,
  logger,
  secureCookies: config.secureCookies,
  corsOrigins: config.corsOrigins,
  publicUrl: config.publicUrl,
  changeLogRetention: config.changeLogRetention,
  heartbeatMs: config.heartbeatMs,
  seenContextLimit: config.seenContextLimit,
  metrics: config.metrics,
  webDir: config.webDir ?? fileURLToPath(new URL("../../web/dist", import.meta.url)),
  secretKey: secretKey.key,
  webhookDelivery: { ...config.webhookDelivery, start: true },
  plans: { ...config.plans, start: true },
});

const firstStart = await bootstrap(storage.db, switchyard, { email: config.adminEmail, password: config.adminPassword });
if (firstStart?.generatedPassword) {
  // Printed once, to stdout only, never to the log.
  process.stdout.write(
    `\nSwitchyard created the admin user ${firstStart.adminEmail} with the password:\n\n    ${firstStart.generatedPassword}\n\n` +
      `Log in at the UI, or: curl -c cookies.txt -H 'Content-Type: application/json' ` +
      `-d '{"email":"${firstStart.adminEmail}","password":"…"}' http://${config.host}:${config.port}/api/v1/auth/login\n\n`,
  );
}

const server = createAdaptorServer({ fetch: switchyard.app.fetch }) as Server;
// Sockets and how many requests each is serving: at shutdown, a socket serving none (idle
// keep-alive, or connected without sending anything) is closed, else server.close() waits on it.
const requestsBySocket = new Map<Socket, number>();
server.on("connection", (socket: Socket) => {
  requestsBySocket.set(socket, 0);
  socket.once("close", () => requestsBySocket.delete(socket));
});
server.on("request", (request: IncomingMessage, response: ServerResponse) => {
  const socket = request.socket;
  requestsBySocket.set(socket, (requestsBySocket.get(socket) ?? 0) + 1);
  response.once("close", () => {
    const remaining = (requestsBySocket.get(socket) ?? 1) - 1;
    requestsBySocket.set(socket, remaining);
    if (stopping && remaining === 0) socket.end();
  });
});
server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ host: config.host, port, dataDir: config.dataDir }, "switchyard listening");
});

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  const deadline = setTimeout(() => {
    logger.error("in-flight requests did not finish in time; exiting");
    storage.close();
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  // Streams end first, so SDKs reconnect (to another instance) instead of holding this one open;
  // then stop accepting, and close sockets serving no request so in-flight requests are all we wait for.
  switchyard.services.hub.close();
  // Deliveries in flight stay pending and go out after the restart.
  void switchyard.services.webhookDispatcher.stop();
  // A plan's state is in the database after every tick: the next start picks it up.
  switchyard.services.planScheduler.stop();
  server.close(() => {
    switchyard.services.seenContexts.close();
    storage.close();
    logger.info("stopped");
    process.exit(0);
  });
  for (const [socket, requests] of requestsBySocket) if (requests === 0) socket.end();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
