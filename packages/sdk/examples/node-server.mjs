// A plain node:http app that decides with isEnabled, and serves a page using the browser entry.
//
//   pnpm --filter @switchyard/sdk build && pnpm --filter @switchyard/sdk size   # dist/ and dist/browser.bundle.js
//   SWITCHYARD_URL=http://localhost:3000 SWITCHYARD_SDK_KEY=sy_server_… SWITCHYARD_CLIENT_KEY=sy_client_… \
//     node packages/sdk/examples/node-server.mjs
//   curl 'http://localhost:8080/checkout?user=user-42'      # the server-side decision
//   open http://localhost:8080/                             # the browser entry, live
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createClient } from "@switchyard/sdk";

const url = process.env.SWITCHYARD_URL ?? "http://localhost:3000";
const client = createClient({
  url,
  sdkKey: process.env.SWITCHYARD_SDK_KEY ?? "",
  // fileURLToPath, not URL.pathname: that keeps %20 for spaces and gives "/C:/…" on Windows.
  persistPath: fileURLToPath(new URL("./.switchyard-cache.json", import.meta.url)),
  logger: console,
});
client.on("change", ({ keys }) => console.log("flags changed:", keys.join(", ")));
client.on("stale", (status) => console.warn("serving stale flags", status));

const page = readFileSync(new URL("./browser.html", import.meta.url), "utf8")
  .replaceAll("{{SWITCHYARD_URL}}", url)
  .replaceAll("{{SWITCHYARD_CLIENT_KEY}}", process.env.SWITCHYARD_CLIENT_KEY ?? "");
const bundle = new URL("../dist/browser.bundle.js", import.meta.url);

const server = createServer((request, response) => {
  const { pathname, searchParams } = new URL(request.url ?? "/", "http://localhost");
  if (pathname === "/checkout") {
    const context = { key: searchParams.get("user") ?? "anonymous", country: searchParams.get("country") ?? "NL" };
    const useNew = client.isEnabled("new-checkout", context);
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ checkout: useNew ? "new" : "classic", detail: client.evaluate("new-checkout", context) }));
  } else if (pathname === "/switchyard-browser.js") {
    response.writeHead(200, { "Content-Type": "text/javascript" });
    response.end(readFileSync(bundle));
  } else if (pathname === "/") {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(page);
  } else {
    response.writeHead(404).end();
  }
});

await client.ready(); // never rejects: false means "not yet", and the client keeps trying
server.listen(Number(process.env.PORT ?? 8080), () => console.log(`example on http://localhost:${server.address().port}`, client.status()));

const stop = async () => {
  server.close();
  await client.close();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
