import { defineConfig } from "vite";

// In development the API runs on its own port (`pnpm start`); in production the server serves
// these files itself, on the API's origin.
const api = process.env.SWITCHYARD_URL ?? "http://127.0.0.1:4400";

export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { "/api": api, "/sdk": api, "/client": api } },
});
