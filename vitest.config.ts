import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against TypeScript sources, so `pnpm test` needs no build step first.
const alias = [
  { find: /^@switchyard\/core$/, replacement: source("./packages/core/src/index.ts") },
  { find: /^@switchyard\/core\/schema$/, replacement: source("./packages/core/src/schema.ts") },
  { find: /^@switchyard\/core\/api-schema$/, replacement: source("./packages/core/src/api-schema.ts") },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "core", root: "packages/core", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      { resolve: { alias }, test: { name: "server", root: "apps/server", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
    ],
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
