/** The SSE streams: rules and patches for server SDKs, evaluated values for browsers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono, type Context } from "hono";
import type { EvaluationContext } from "@switchyard/core";
import type { CredentialService } from "../auth/credentials.js";
import { requireRole, requireSdkKey } from "../auth/principal.js";
import type { Db } from "../db/open.js";
import { ApiError, invalid } from "../errors.js";
import type { AppEnv } from "../http/app-env.js";
import { requireEnvironment } from "../services/environments.js";
import type { SeenContexts } from "../services/seen-contexts.js";
import type { SnapshotCache } from "../services/snapshots.js";
import { changesSince } from "../streaming/change-log.js";
import type { StreamHub } from "../streaming/hub.js";
import { encodeComment, encodeEvent, encodePatch, nodeConnection, type SseConnection } from "../streaming/sse.js";

export const MAX_CONTEXT_PARAM_LENGTH = 8192;

export interface StreamRouteOptions {
  db: Db;
  hub: StreamHub;
  snapshots: SnapshotCache;
  credentials: CredentialService;
  seenContexts: SeenContexts;
  maxBufferedBytes: number;
}

type NodeBindings = { incoming?: IncomingMessage; outgoing?: ServerResponse };

/** Takes over Node's response for the stream; Hono then leaves the socket to us. */
export function openStream(c: Context<AppEnv>, maxBufferedBytes: number, start: (connection: SseConnection) => void): Response {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (!outgoing) throw new ApiError("internal", "streams need the Node HTTP server");
  const connection = nodeConnection(outgoing, maxBufferedBytes, Object.fromEntries(c.res.headers));
  // Spread reconnects of browsers' EventSource after a restart over a few seconds.
  connection.write(Buffer.from(`retry: ${2000 + Math.floor(Math.random() * 3000)}\n: connected\n\n`));
  start(connection);
  return RESPONSE_ALREADY_SENT;
}

/** A `Last-Event-ID`: an environment revision, or undefined when absent or not one. */
export function parseRevision(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const revision = Number(value);
  return Number.isSafeInteger(revision) && revision >= 0 ? revision : undefined;
}

export function decodeContext(encoded: string | undefined): EvaluationContext {
  if (encoded === undefined || encoded === "") return {};
  if (encoded.length > MAX_CONTEXT_PARAM_LENGTH) throw invalid("context", `must be at most ${MAX_CONTEXT_PARAM_LENGTH} characters`);
  let context: unknown;
  try {
    context = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    throw invalid("context", "must be base64url-encoded JSON");
  }
  if (typeof context !== "object" || context === null || Array.isArray(context)) throw invalid("context", "must be a JSON object");
  return context as EvaluationContext;
}

export function streamRoutes({ db, hub, snapshots, credentials, seenContexts, maxBufferedBytes }: StreamRouteOptions) {
  const refuseWhenClosing = () => {
    if (hub.isClosed) throw new ApiError("unavailable", "server is shutting down; reconnect");
  };

  const sdk = new Hono<AppEnv>().get("/stream", (c) => {
    const key = requireSdkKey(c.var.principal, ["server_key"]);
    refuseWhenClosing();
    const lastEventId = parseRevision(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId"));
    return openStream(c, maxBufferedBytes, (connection) => {
      // Everything from here to subscribing is synchronous, so the change log and the hub agree on
      // where this stream starts; the hub skips queued changes it already holds.
      const { snapshot, body } = snapshots.get(key.environmentKey);
      const environment = requireEnvironment(db, key.environmentKey);
      const missed = lastEventId === undefined ? null : changesSince(db, environment.id, lastEventId, snapshot.revision);
      const patches = missed?.map((change) => encodePatch(change.revision, change.resourceKind, change.resourceKey, change.payload));
      // A replay that would fill much of the subscriber's buffer bound could never be delivered whole.
      const replayBytes = patches?.reduce((sum, patch) => sum + patch.length, 0) ?? Infinity;
      if (patches && replayBytes <= maxBufferedBytes / 2) for (const patch of patches) connection.write(patch);
      else connection.write(encodeEvent("put", snapshot.revision, body));
      // Tells the SDK it now holds everything up to this revision: only then is it current.
      connection.write(encodeEvent("synced", snapshot.revision, JSON.stringify({ revision: snapshot.revision })));
      hub.addServerSubscriber(key.environmentKey, { connection, credentialId: key.credentialId, revision: snapshot.revision });
    });
  });

  const client = new Hono<AppEnv>().get("/stream", (c) => {
    const queryKey = c.req.query("key");
    const principal = queryKey ? credentials.authenticate(queryKey) : c.var.principal;
    const key = requireSdkKey(principal, ["client_key"]);
    const context = decodeContext(c.req.query("context"));
    refuseWhenClosing();
    seenContexts.record(key.environmentId, context);
    const contextKey = JSON.stringify(context);
    return openStream(c, maxBufferedBytes, (connection) => {
      const { snapshot } = snapshots.get(key.environmentKey);
      const flags = hub.addClientSubscriber(key.environmentKey, contextKey, context, { connection, credentialId: key.credentialId, revision: snapshot.revision });
      connection.write(encodeEvent("put", snapshot.revision, JSON.stringify({ revision: snapshot.revision, flags })));
    });
  });

  /** Every write as it commits, for open admin UIs: they refetch what changed. */
  const events = new Hono<AppEnv>().get("/", (c) => {
    const principal = requireRole(c.var.principal, "viewer");
    refuseWhenClosing();
    const credentialId = principal.kind === "user" ? `user:${principal.userId}` : principal.credentialId;
    return openStream(c, maxBufferedBytes, (connection) => {
      connection.write(encodeComment("following changes"));
      hub.addAdminSubscriber({ connection, credentialId, revision: 0 });
    });
  });

  return { sdk, client, events };
}
