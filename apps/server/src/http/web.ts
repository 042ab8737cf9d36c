/**
 * Serves the built admin UI (apps/web/dist) on the API's origin, so the session cookie works
 * without CORS. Hashed assets are cached for good; index.html never, so a deploy shows at once.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";
import type { AppEnv } from "./app-env.js";

/** Paths that belong to the API: never answered with the UI's page. */
const apiPaths = /^\/(api|sdk|client|ofrep|healthz|readyz|metrics)(\/|$)/;

// React sets styles through the DOM, not inline attributes, so nothing inline is needed.
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export function serveWeb(app: Hono<AppEnv>, webDir: string): boolean {
  const index = join(webDir, "index.html");
  if (!existsSync(index)) return false;
  const pageHeaders = (c: { header(name: string, value: string): void }) => {
    c.header("Cache-Control", "no-cache");
    c.header("Content-Security-Policy", contentSecurityPolicy);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
  };
  app.use(
    "/assets/*",
    serveStatic({
      root: webDir,
      onFound: (_path, c) => {
        c.header("Cache-Control", "public, max-age=31536000, immutable");
        c.header("X-Content-Type-Options", "nosniff");
      },
    }),
  );
  // Client-side routes (/flags/new-checkout) load the same page; the router takes it from there.
  app.on(["GET", "HEAD"], "*", async (c, next) => {
    if (apiPaths.test(c.req.path) || c.req.path.startsWith("/assets/")) return next();
    pageHeaders(c);
    return serveStatic({ path: index })(c, next);
  });
  return true;
}
