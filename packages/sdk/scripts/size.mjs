// Bundles the browser entry with esbuild (the copy vite brings along), prints its raw, minified
// and gzipped sizes, writes dist/browser.bundle.js (an ES module for pages and the examples), and
// fails when the gzipped bundle passes the budget or pulls in Node, zod or core's evaluation code
// (core's metric bucket table, `@switchyard/core/metric-buckets`, is allowed).
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 6 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));
const requireFromVite = createRequire(createRequire(import.meta.url).resolve("vite"));
const esbuild = requireFromVite("esbuild");

async function bundle(minify) {
  const result = await esbuild.build({
    entryPoints: [`${root}src/browser.ts`],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify,
    write: false,
    metafile: true,
    legalComments: "none",
  });
  return { code: result.outputFiles[0].contents, inputs: Object.keys(result.metafile.inputs) };
}

const raw = await bundle(false);
const min = await bundle(true);
const gzip = gzipSync(min.code, { level: 9 });

// Of core, only the metric bucket table (and the key rule metric names follow) may come along: no
// evaluation code. Inputs are paths relative to this package (`../core/dist/key.js`).
const coreAllowed = /(^|\/)core\/(dist|src)\/(metric-buckets|key)\.(js|ts)$/;
const forbidden = min.inputs.filter((input) => /node_modules\/|(^|\/)core\/|^node:/.test(input) && !coreAllowed.test(input));
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(`${root}dist/browser.bundle.js`, min.code);

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB (${bytes} B)`;
console.log(`@switchyard/sdk/browser  raw ${kb(raw.code.length)}  minified ${kb(min.code.length)}  gzip ${kb(gzip.length)}  (budget ${kb(BUDGET_GZIP_BYTES)} gzip)`);
console.log(`inputs: ${min.inputs.map((input) => input.replace(/^.*packages\//, "")).join(", ")}`);
if (forbidden.length > 0) {
  console.error(`the browser bundle must not contain: ${forbidden.join(", ")}`);
  process.exit(1);
}
if (gzip.length > BUDGET_GZIP_BYTES) {
  console.error("the browser bundle is over its budget");
  process.exit(1);
}
