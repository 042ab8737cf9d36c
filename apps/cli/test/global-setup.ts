/**
 * Builds the CLI once before its tests, so each test runs the real bin (`node dist/main.js`)
 * as a pipeline would, fresh from the sources, without a TypeScript loader in every child. The
 * bin loads @switchyard/core's build for its schemas: rebuilt here only when a source is newer,
 * so a run never rewrites files another test process may be reading.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const coreRoot = fileURLToPath(new URL("../../../packages/core/", import.meta.url));

function build(project: string) {
  execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
}

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

export default function buildCli() {
  const coreBuild = join(coreRoot, "dist/api-schema.js");
  if (!existsSync(coreBuild) || statSync(coreBuild).mtimeMs < newestSource(join(coreRoot, "src"))) build(join(coreRoot, "tsconfig.build.json"));
  build(fileURLToPath(new URL("../tsconfig.build.json", import.meta.url)));
}
