/**
 * The server's own secret: the key from which webhook signing secrets are derived, so those
 * secrets are never stored. From `SWITCHYARD_SECRET_KEY`, else from `DATA_DIR/secret.key`,
 * which the first start creates (mode 0600). Losing or changing it changes every webhook secret.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const SECRET_KEY_FILE = "secret.key";

export interface LoadedSecretKey {
  key: string;
  source: "environment" | "file" | "created";
  /** The file, unless the key came from the environment. */
  path: string | null;
  /** Set when the file can be read by others than its owner. */
  warning: string | null;
}

export function loadSecretKey(dataDir: string, fromEnvironment: string | undefined): LoadedSecretKey {
  if (fromEnvironment !== undefined) return { key: fromEnvironment, source: "environment", path: null, warning: null };
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    // "wx" fails when the file exists, so two first starts cannot each write their own key.
    writeFileSync(path, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    return { key: readKey(path), source: "created", path, warning: null };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = readKey(path);
  const mode = statSync(path).mode & 0o777;
  const warning = mode & 0o077 ? `${path} can be read by other users (mode ${mode.toString(8)}); chmod 600 it` : null;
  return { key, source: "file", path, warning };
}

function readKey(path: string): string {
  const key = readFileSync(path, "utf8").trim();
  if (key.length < 32) throw new Error(`${path}: the secret key must be at least 32 characters`);
  return key;
}
