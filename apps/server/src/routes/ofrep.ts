/**
 * OpenFeature Remote Evaluation Protocol (OFREP): single and bulk evaluation, the provider
 * configuration, and an event stream telling clients when to fetch their bulk evaluation again.
 * Values come from the same snapshots and visibility rule as `/sdk/v1/evaluate`.
 */
import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import type { CredentialService } from "../auth/credentials.js";
import type { Db } from "../db/open.js";
import { requireSdkKey } from "../auth/principal.js";
import { streamToken, streamTokenCredential } from "../auth/stream-token.js";
import { ApiError } from "../errors.js";
import type { AppEnv } from "../http/app-env.js";
import { allowSdk } from "../http/guards.js";
import type { SeenContexts } from "../services/seen-contexts.js";
import type { SnapshotCache } from "../services/snapshots.js";
import { visibleTo } from "../services/visibility.js";
import { changedAt } from "../streaming/change-log.js";
import type { StreamHub } from "../streaming/hub.js";
import { encodeRefetchEvaluation } from "../streaming/sse.js";
import { bodyEtag, evaluateForOfrep, failureStatus, flagNotFound, ifNoneMatchHits, parseEvaluationRequest } from "./ofrep-wire.js";
import { openStream, parseRevision } from "./streams.js";

export interface OfrepRouteOptions {
  db: Db;
  hub: StreamHub;
  snapshots: SnapshotCache;
  credentials: CredentialService;
  seenContexts: SeenContexts;
  /** Stream tokens derive from it. */
  secretKey: string;
  /** The server's URL as clients reach it; the event stream's URL is built on it, else on the request's origin. */
  publicUrl?: string;
  maxBufferedBytes: number;
  logger: Logger;
}

/** Seconds a hidden page keeps its event stream open (the web provider's own default). */
const INACTIVITY_DELAY_SEC = 120;

const configuration = {
  name: "Switchyard",
  capabilities: {
    cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1000 } },
    flagEvaluation: { supportedTypes: ["boolean", "string", "int", "float", "object"] },
  },
};

/**
 * OFREP's error bodies for what the app refuses before (or around) these routes: clients act on
 * 401 and 403 by status alone, so those are empty whatever refused the call; a body over the
 * app's limit is a PARSE_ERROR in OFREP's shape. Mounted on `/ofrep/*` ahead of the body limit and
 * the app's authentication.
 */
export function ofrepErrorBodies(maxBodyBytes: number) {
  return createMiddleware(async (c, next) => {
    await next();
    const { status } = c.res;
    if (status === 401 || status === 403) c.res = new Response(null, { status });
    else if (status === 413) {
      const flagKey = /^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/.exec(c.req.path)?.[1];
      const failure = { errorCode: "PARSE_ERROR", errorDetails: `body: must be at most ${maxBodyBytes} bytes` };
      c.res = Response.json(flagKey === undefined ? failure : { key: decodeURIComponent(flagKey), ...failure }, { status });
    }
  });
}

export function ofrepRoutes({ db, hub, snapshots, credentials, seenContexts, secretKey, publicUrl, maxBufferedBytes, logger }: OfrepRouteOptions) {
  const base = publicUrl?.replace(/\/+$/, "");
  const streamUrl = (c: Context<AppEnv>, credentialId: string) =>
    `${base ?? new URL(c.req.url).origin}/ofrep/v1/events?token=${streamToken(secretKey, credentialId)}`;

  /**
   * OFREP clients may send the key as `X-API-Key`; a Bearer `Authorization` wins when both are
   * sent (another scheme, such as a proxy's Basic auth, is not ours and does not hide the key).
   */
  const acceptApiKey = createMiddleware<AppEnv>(async (c, next) => {
    const apiKey = c.req.header("X-API-Key");
    if (apiKey !== undefined && !/^Bearer\s/i.test(c.req.header("Authorization") ?? "")) c.set("principal", credentials.authenticate(apiKey));
    await next();
  });
  const sdkKey = allowSdk("client_key", "server_key");

  return new Hono<AppEnv>()
    .onError((error, c) => {
      // Refusals and bad requests are the app's to answer; a failure is GENERAL, in OFREP's shape.
      if (error instanceof ApiError || error instanceof HTTPException) throw error;
      logger.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
      const failure = { errorCode: "GENERAL", errorDetails: "internal error" };
      const flagKey = c.req.param("key");
      return c.json(flagKey === undefined ? failure : { key: flagKey, ...failure }, 500);
    })
    .use("*", acceptApiKey)
    .post("/evaluate/flags/:key", sdkKey, async (c) => {
      const key = requireSdkKey(c.var.principal, ["client_key", "server_key"]);
      const flagKey = c.req.param("key");
      const request = parseEvaluationRequest(await c.req.text());
      if ("error" in request) return c.json({ key: flagKey, ...request.error }, 400);
      seenContexts.record(key.environmentId, request.context);
      const flag = snapshots.get(key.environmentKey).compiled.get(flagKey);
      if (!visibleTo(key, flag)) return c.json(flagNotFound(flagKey), 404);
      const evaluation = evaluateForOfrep(key.kind, flag, request.context);
      return "errorCode" in evaluation ? c.json(evaluation, failureStatus[evaluation.errorCode]) : c.json(evaluation);
    })
    // `flagConfigEtag` and `flagConfigLastModified` (sent on refetches the event stream asked
    // for) are ignored: one process holds the current snapshot, so every answer is current.
    .post("/evaluate/flags", sdkKey, async (c) => {
      const key = requireSdkKey(c.var.principal, ["client_key", "server_key"]);
      const request = parseEvaluationRequest(await c.req.text());
      if ("error" in request) return c.json(request.error, 400);
      seenContexts.record(key.environmentId, request.context);
      const visible = [...snapshots.get(key.environmentKey).compiled.values()].filter((flag) => visibleTo(key, flag));
      visible.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      // Everything in the body depends only on this context's values, the environment and the
      // credential's stable stream URL, so an edit that changes no value here keeps the ETag.
      const body = JSON.stringify({
        flags: visible.map((flag) => evaluateForOfrep(key.kind, flag, request.context)),
        metadata: { environment: key.environmentKey },
        eventStreams: [{ type: "sse", url: streamUrl(c, key.credentialId), inactivityDelaySec: INACTIVITY_DELAY_SEC }],
      });
      const etag = bodyEtag(body);
      c.header("ETag", etag);
      c.header("Cache-Control", "no-cache");
      if (ifNoneMatchHits(c.req.header("If-None-Match"), etag)) return c.body(null, 304);
      return c.body(body, 200, { "Content-Type": "application/json" });
    })
    .get("/configuration", sdkKey, (c) => c.json(configuration))
    // EventSource cannot send headers: the credential is the token in the URL the bulk response gave.
    .get("/events", (c) => {
      const credentialId = streamTokenCredential(secretKey, c.req.query("token") ?? "");
      const key = requireSdkKey(credentialId === null ? null : credentials.authenticateById(credentialId), ["client_key", "server_key"]);
      if (hub.isClosed) throw new ApiError("unavailable", "server is shutting down; reconnect");
      const lastEventId = parseRevision(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId"));
      return openStream(c, maxBufferedBytes, (connection) => {
        // Synchronous up to subscribing, as on the other streams: no change falls in between.
        const { revision } = snapshots.get(key.environmentKey).snapshot;
        // Behind (or from another history, after a reset), or a first connection, which cannot say
        // what it holds: a change between its bulk fetch and this moment would otherwise be missed.
        // The refetch it causes costs a 304 when nothing changed.
        if (lastEventId !== revision) {
          connection.write(encodeRefetchEvaluation(revision, changedAt(db, key.environmentId, revision) ?? Date.now()));
        }
        hub.addOfrepSubscriber(key.environmentKey, { connection, credentialId: key.credentialId, revision, seesAll: key.kind === "server_key" });
      });
    });
}
