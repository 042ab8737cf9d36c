/**
 * A page that uses `@openfeature/web-sdk` with our `SwitchyardWebProvider`, bundled by
 * `bundleForBrowser` from the sources of our packages. The page records every provider event and exposes a few functions for the test to call
 * through `page.evaluate`.
 */
import { bundleForBrowser } from "./browser.js";

/** What the page puts on `window` for the test. */
export interface OpenFeaturePageApi {
  /** Set once the provider is ready (or the error, when it failed). */
  ofReady?: true | string;
  ofEvents: { type: string; flagsChanged: string[] | null }[];
  ofStatus(): string;
  ofDetails(key: string, type: "boolean" | "string" | "number" | "object", defaultValue: unknown): Record<string, unknown>;
  ofSetContext(context: Record<string, unknown>): Promise<void>;
}

const script = `
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { SwitchyardWebProvider } from "@switchyard/openfeature/web";

const config = JSON.parse(document.getElementById("config").textContent);
const events = (window.ofEvents = []);
for (const type of Object.values(ProviderEvents)) {
  OpenFeature.addHandler(type, (details) => {
    events.push({ type, flagsChanged: details && details.flagsChanged ? details.flagsChanged : null });
    render();
  });
}
const client = OpenFeature.getClient();
const get = { boolean: "getBooleanDetails", string: "getStringDetails", number: "getNumberDetails", object: "getObjectDetails" };
window.ofDetails = (key, type, defaultValue) => JSON.parse(JSON.stringify(client[get[type]](key, defaultValue)));
window.ofStatus = () => client.providerStatus;
window.ofSetContext = (context) => OpenFeature.setContext(context);

function render() {
  document.getElementById("status").textContent = client.providerStatus;
  document.getElementById("flags").textContent = Object.entries(config.flags)
    .map(([key, type]) => {
      const details = client[get[type]](key, type === "boolean" ? false : type === "number" ? 0 : "");
      return key + " = " + JSON.stringify(details.value) + " (" + details.reason + ")";
    })
    .join("\\n");
}

await OpenFeature.setContext(config.context);
try {
  await OpenFeature.setProviderAndWait(new SwitchyardWebProvider({ url: config.url, clientKey: config.clientKey, staleAfterMs: 2000 }));
  window.ofReady = true;
} catch (error) {
  window.ofReady = String(error);
}
render();
`;

/** The page's module: one ES module with the web SDK, our provider and the browser SDK. */
export function bundleOpenFeaturePage(): Promise<string> {
  return bundleForBrowser({ source: script });
}

/** The page's HTML: `config` is read by the script (url, clientKey, context, and the flags to show with their types). */
export function openFeaturePage(config: { url: string; clientKey: string; context: Record<string, unknown>; flags: Record<string, "boolean" | "string" | "number"> }): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Switchyard OpenFeature web provider</title>
<style>body { font: 16px system-ui, sans-serif; margin: 2em; } pre { font-size: 1.2em; }</style>
</head>
<body>
<h1>OpenFeature + Switchyard</h1>
<p>provider status: <span id="status">NOT_READY</span></p>
<pre id="flags"></pre>
<script type="application/json" id="config">${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
<script type="module" src="/page.js"></script>
</body>
</html>`;
}
