/**
 * Builds the whole HTTP application from its dependencies, with no I/O of its own, so tests
 * run it through `app.request()` on an in-memory database.
 */
import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { getCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { CredentialService } from "./auth/credentials.js";
import type { Principal } from "./auth/principal.js";
import { UserService } from "./auth/users.js";
import type { Storage } from "./db/open.js";
import { ApiError, forbidden } from "./errors.js";
import type { AppEnv } from "./http/app-env.js";
import { serveWeb } from "./http/web.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes, describePrincipal, SESSION_COOKIE } from "./routes/auth.js";
import { credentialRoutes, userRoutes } from "./routes/credentials.js";
import { environmentRoutes } from "./routes/environments.js";
import { flagRoutes } from "./routes/flags.js";
import { createPlans, type PlanOptions } from "./routes/plans.js";
import { createMetrics, type MetricsOptions } from "./routes/metrics.js";
import { integrationRoutes } from "./routes/integrations.js";
import { ofrepErrorBodies, ofrepRoutes } from "./routes/ofrep.js";
import { sdkRoutes } from "./routes/sdk.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { AlertmanagerReceiver } from "./services/alertmanager.js";
import { ChangeFeed } from "./services/changes.js";
import { FlagService } from "./services/flags.js";
import { SegmentService } from "./services/segments.js";
import { SeenContexts } from "./services/seen-contexts.js";
import { SnapshotCache } from "./services/snapshots.js";
import { defaultWebhookDeliveryOptions, WebhookDispatcher, type WebhookDeliveryOptions } from "./services/webhook-dispatcher.js";
import { WebhookService } from "./services/webhooks.js";
import { streamRoutes } from "./routes/streams.js";
import { trimChangeLog } from "./streaming/change-log.js";
import { StreamHub } from "./streaming/hub.js";

export interface AppOptions {
  storage: Storage;
  logger: Logger;
  /** Mark the session cookie Secure (behind HTTPS). */
  secureCookies?: boolean;
  maxBodyBytes?: number;
  /** Interval of the streams' heartbeat comments. */
  heartbeatMs?: number;
  /** Change-log entries kept per environment for resuming streams; older resumes get a put. */
  changeLogRetention?: number;
  /** Bytes buffered for a stream subscriber before it is dropped as too slow. */
  maxStreamBufferBytes?: number;
  /** Origins allowed to call the browser routes (/client/*, /ofrep/*); "*" for any. */
  corsOrigins?: string[];
  /** The server's URL as clients reach it (behind a proxy, the proxy's), for the absolute URLs it hands out; else the request's origin. */
  publicUrl?: string;
  /** Recently evaluated contexts kept per environment for the UI's rollout preview; 0 keeps none. */
  seenContextLimit?: number;
  /** The built admin UI, served at / when it exists. */
  webDir?: string;
  /** SDK metrics and `GET /metrics`: window, retention, limits, scrape token (defaults in routes/metrics.ts). */
  metrics?: Partial<MetricsOptions>;
  /** Webhook signing secrets derive from it; main.ts passes the configured one. Random when absent (tests). */
  secretKey?: string;
  /** Sending of outgoing webhooks; `start` runs the dispatcher (main.ts does, and tests that need deliveries). */
  webhookDelivery?: Partial<WebhookDeliveryOptions> & { start?: boolean };
  /** Rollout plans: the scheduler's tick; `start` runs it (main.ts does, and tests that need it). */
  plans?: Partial<PlanOptions>;
}

export function createApp({
  storage,
  logger,
  secureCookies = false,
  maxBodyBytes = 1024 * 1024,
  heartbeatMs = 15_000,
  changeLogRetention = 10_000,
  maxStreamBufferBytes = 1024 * 1024,
  corsOrigins = ["*"],
  publicUrl,
  seenContextLimit = 1000,
  webDir,
  metrics: metricsOptions = {},
  secretKey = randomBytes(32).toString("base64url"),
  webhookDelivery = {},
  plans: planOptions = {},
}: AppOptions) {
  const { db } = storage;
  const feed = new ChangeFeed((error) => logger.error({ err: error }, "a change follower failed"));
  const snapshots = new SnapshotCache(db, feed);
  const hub = new StreamHub(feed, snapshots, { heartbeatMs });
  const metrics = createMetrics({ db, snapshots, hub, logger }, metricsOptions);
  const services = {
    feed,
    snapshots,
    hub,
    flags: new FlagService(db, feed),
    segments: new SegmentService(db, feed),
    credentials: new CredentialService(db, (credentialId) => hub.disconnect(credentialId)),
    users: new UserService(db),
    seenContexts: new SeenContexts(db, { limit: seenContextLimit }),
    metrics: metrics.service,
    webhooks: new WebhookService(db, feed, secretKey),
  };
  const webhookDispatcher = new WebhookDispatcher(db, feed, (id) => services.webhooks.secretOf(id), logger, { ...defaultWebhookDeliveryOptions, ...webhookDelivery });
  const alertmanager = new AlertmanagerReceiver(db, services.flags, logger);
  const plans = createPlans({ db, feed, flags: services.flags, metrics: services.metrics, logger }, planOptions);
  if (webhookDelivery.start) webhookDispatcher.start();
  trimChangeLog(db, feed, changeLogRetention);

  const app = new Hono<AppEnv>();

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException && error.status < 500) {
      const apiError =
        error.status === 413
          ? new ApiError("payload_too_large", `body: must be at most ${maxBodyBytes} bytes`, [{ path: "body", message: "is too large" }])
          : new ApiError(error.status === 403 ? "forbidden" : "invalid_request", `body: ${error.message}`, [{ path: "body", message: error.message }]);
      return c.json(apiError.toBody(), apiError.status);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    return c.json(new ApiError("internal", "internal error").toBody(), 500);
  });
  app.notFound((c) => c.json(new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`).toBody(), 404));

  app.use("*", metrics.prometheus.middleware);
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    // The path only: query strings may carry client keys and contexts.
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, "request");
  });
  // OFREP is called from browsers too (the web provider); its errors keep OFREP's shapes even when
  // the body limit or the authentication below refuses the call, so this goes first.
  app.use(
    "/ofrep/*",
    cors({
      origin: corsOrigins.includes("*") ? "*" : corsOrigins,
      allowHeaders: ["Content-Type", "Authorization", "X-API-Key", "If-None-Match", "Last-Event-ID"],
      allowMethods: ["GET", "POST"],
      exposeHeaders: ["ETag"],
      maxAge: 600,
    }),
    ofrepErrorBodies(maxBodyBytes),
  );
  app.use("*", bodyLimit({ maxSize: maxBodyBytes, onError: () => { throw new HTTPException(413); } }));
  app.use("*", async (c, next) => {
    c.set("principal", authenticate(c));
    await next();
  });

  function authenticate(c: Context<AppEnv>): Principal | null {
    const bearer = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) return services.credentials.authenticate(bearer);
    const sessionSecret = getCookie(c, SESSION_COOKIE);
    if (!sessionSecret) return null;
    // Cookies are SameSite=Strict already; a cross-site write is refused even where a browser ignores that.
    if (!/^(GET|HEAD|OPTIONS)$/.test(c.req.method) && isCrossSite(c)) throw forbidden("cross-site requests cannot use the session cookie");
    return services.users.authenticate(sessionSecret);
  }

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    // Draining for shutdown: load balancers should send new traffic elsewhere.
    if (hub.isClosed) return c.json({ status: "draining" }, 503);
    try {
      storage.ping();
      return c.json({ status: "ready" });
    } catch {
      return c.json({ status: "unavailable" }, 503);
    }
  });

  app.route("/api/v1/auth", authRoutes(services.users, { secureCookies }));
  app.get("/api/v1/me", (c) => c.json(describePrincipal(c.var.principal)));
  app.route("/api/v1/environments", environmentRoutes(db, feed, services.segments, services.seenContexts));
  app.route("/api/v1/flags", flagRoutes(services.flags));
  app.route("/api/v1/flags", plans.routes);
  app.route("/api/v1/credentials", credentialRoutes(services.credentials));
  app.route("/api/v1/users", userRoutes(services.users));
  app.route("/api/v1/audit", auditRoutes(db));
  app.route("/api/v1/webhooks", webhookRoutes(services.webhooks));
  app.route("/api/v1/integrations", integrationRoutes(alertmanager));
  app.route("/sdk/v1", sdkRoutes(services.snapshots, services.seenContexts));
  // Browsers send their batches from the page's origin, like the streams under /client.
  app.use("/sdk/v1/metrics", cors({ origin: corsOrigins.includes("*") ? "*" : corsOrigins, allowHeaders: ["Authorization", "Content-Type"], allowMethods: ["POST"], maxAge: 600 }));
  app.route("/sdk/v1", metrics.routes.sdk);
  app.route("/metrics", metrics.routes.scrape);
  const streams = streamRoutes({
    db,
    hub: services.hub,
    snapshots,
    credentials: services.credentials,
    seenContexts: services.seenContexts,
    maxBufferedBytes: maxStreamBufferBytes,
  });
  app.route("/sdk/v1", streams.sdk);
  app.route("/api/v1/events", streams.events);
  // Browsers call these from other origins; client keys are public and no cookie is involved.
  app.use("/client/*", cors({ origin: corsOrigins.includes("*") ? "*" : corsOrigins, allowHeaders: ["Authorization", "Last-Event-ID"], maxAge: 600 }));
  app.route("/client/v1", streams.client);
  app.route(
    "/ofrep/v1",
    ofrepRoutes({ db, hub, snapshots, credentials: services.credentials, seenContexts: services.seenContexts, secretKey, publicUrl, maxBufferedBytes: maxStreamBufferBytes, logger }),
  );
  if (webDir !== undefined && !serveWeb(app, webDir)) logger.warn({ webDir }, "the admin UI is not built; serving the API only");

  return { app, services: { ...services, webhookDispatcher, plans: plans.service, planScheduler: plans.scheduler } };
}

function isCrossSite(c: Context<AppEnv>): boolean {
  const fetchSite = c.req.header("Sec-Fetch-Site");
  if (fetchSite !== undefined) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = c.req.header("Origin");
  return origin !== undefined && origin !== new URL(c.req.url).origin;
}

export type SwitchyardApp = ReturnType<typeof createApp>;
