/**
 * The web entry bundled for browsers as an app would (esbuild, the copy vite brings along): what
 * ends up in the bundle is the web SDK, the browser SDK, core's OpenFeature mapping and our
 * provider — never the server SDK, Node built-ins, zod, or core's evaluation code.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";

const packages = fileURLToPath(new URL("../../", import.meta.url));
/** Our packages from their sources, as vitest's aliases resolve them (no build needed). */
const sources: Record<string, string> = {
  "@switchyard/sdk/browser": `${packages}sdk/src/browser.ts`,
  "@switchyard/core": `${packages}core/src/index.ts`,
  "@switchyard/core/metric-buckets": `${packages}core/src/metric-buckets.ts`,
};

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[]; metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> } }>;
}

it("the web entry's bundle holds no server SDK, Node built-in, zod or evaluation code", async () => {
  const requireFromVite = createRequire(createRequire(import.meta.url).resolve("vite"));
  const esbuild = requireFromVite("esbuild") as Esbuild;
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("../src/web.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    plugins: [{ name: "sources", setup: (build: any) => build.onResolve({ filter: /^@switchyard\// }, (args: { path: string }) => (sources[args.path] ? { path: sources[args.path] } : undefined)) }],
  });
  const included = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  expect(included.some((path) => path.includes("@openfeature/web-sdk"))).toBe(true);
  expect(included.filter((path) => /server-sdk|^node:|\/zod\//.test(path))).toEqual([]);
  // Of core: the OpenFeature mapping, and what the browser SDK already takes (metric buckets, the key rule).
  expect(included.filter((path) => /core\/src\//.test(path) && !/core\/src\/(openfeature|metric-buckets|key)\.ts$/.test(path))).toEqual([]);
  const code = result.outputFiles[0]!.contents;
  console.log(`@switchyard/openfeature/web bundled with @openfeature/web-sdk: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipSync(code).length / 1024).toFixed(1)} KB gzipped`);
});
