import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against TypeScript sources. The one exception is the server-process test, which
// starts src/main.ts under tsx, where @switchyard/core resolves to its build (`pnpm test` builds it).
const alias = [
  { find: /^@switchyard\/core$/, replacement: source("./packages/core/src/index.ts") },
  { find: /^@switchyard\/core\/schema$/, replacement: source("./packages/core/src/schema.ts") },
  { find: /^@switchyard\/core\/api-schema$/, replacement: source("./packages/core/src/api-schema.ts") },
  { find: /^@switchyard\/core\/metric-buckets$/, replacement: source("./packages/core/src/metric-buckets.ts") },
  { find: /^@switchyard\/sdk$/, replacement: source("./packages/sdk/src/index.ts") },
  { find: /^@switchyard\/sdk\/browser$/, replacement: source("./packages/sdk/src/browser.ts") },
  { find: /^@switchyard\/openfeature\/server$/, replacement: source("./packages/openfeature/src/server.ts") },
  { find: /^@switchyard\/openfeature\/web$/, replacement: source("./packages/openfeature/src/web.ts") },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "core", root: "packages/core", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      { resolve: { alias }, test: { name: "server", root: "apps/server", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      { resolve: { alias }, test: { name: "sdk", root: "packages/sdk", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      // OpenFeature providers with the official SDKs, against the real server on a socket.
      { resolve: { alias }, test: { name: "openfeature", root: "packages/openfeature", include: ["test/**/*.test.ts", "src/**/*.test.ts"], testTimeout: 30_000 } },
      // The built `switchyard` bin as a child process against the real server on a socket.
      { resolve: { alias }, test: { name: "cli", root: "apps/cli", include: ["test/**/*.test.ts"], globalSetup: ["test/global-setup.ts"], testTimeout: 30_000 } },
      // The admin UI's components, rendered in happy-dom; the whole UI runs in Chromium under e2e.
      { resolve: { alias }, test: { name: "web", root: "apps/web", environment: "happy-dom", include: ["src/**/*.test.{ts,tsx}"], setupFiles: ["src/test-setup.ts"] } },
      {
        resolve: { alias },
        // Cross-package end-to-end tests: real server processes (run with core's sources too, see
        // e2e/tsconfig.server.json) and headless Chromium, so generous bounds; each test also
        // bounds its own waits.
        test: { name: "e2e", root: "e2e", include: ["test/**/*.test.ts"], testTimeout: 90_000, hookTimeout: 60_000, teardownTimeout: 30_000 },
      },
    ],
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
