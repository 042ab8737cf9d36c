import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSecretKey } from "./secret-key.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-key-"));
  dirs.push(dir);
  return dir;
};

describe("loadSecretKey", () => {
  it("creates DATA_DIR/secret.key with mode 0600 on first start, and reads the same key after", () => {
    const dir = dataDir();
    const first = loadSecretKey(dir, undefined);
    expect(first).toMatchObject({ source: "created", path: join(dir, "secret.key"), warning: null });
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, undefined)).toEqual({ ...first, source: "file" });
  });

  it("prefers SWITCHYARD_SECRET_KEY and then writes no file", () => {
    const dir = dataDir();
    const key = "k".repeat(40);
    expect(loadSecretKey(dir, key)).toEqual({ key, source: "environment", path: null, warning: null });
    expect(() => readFileSync(join(dir, "secret.key"))).toThrow();
  });

  it("warns about a key file others can read, and refuses a short one", () => {
    const dir = dataDir();
    const path = join(dir, "secret.key");
    writeFileSync(path, `${"x".repeat(32)}\n`);
    chmodSync(path, 0o644);
    expect(loadSecretKey(dir, undefined)).toMatchObject({ key: "x".repeat(32), source: "file", warning: `${path} can be read by other users (mode 644); chmod 600 it` });
    writeFileSync(path, "short\n");
    expect(() => loadSecretKey(dir, undefined)).toThrow("at least 32 characters");
  });
});
