/**
 * The last snapshot on disk, so a cold start while the server is down still serves the last known
 * values. The file names its source (server URL and the key's public id, never the secret) and is
 * only used by a client of the same source. Writes go to a temporary file that is then renamed
 * over the old one, so a crash mid-write never leaves a torn file.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { EnvironmentSnapshot } from "@switchyard/core";
import { parseSnapshot } from "./messages.js";

export const PERSIST_FORMAT = 1;

export interface PersistSource {
  url: string;
  /** The part of the key before the ".": identifies the key and its environment, but is not secret. */
  keyId: string;
}

export interface PersistedFile {
  format: typeof PERSIST_FORMAT;
  source: PersistSource;
  savedAt: number;
  snapshot: EnvironmentSnapshot;
}

export type LoadResult =
  | { kind: "loaded"; snapshot: EnvironmentSnapshot; savedAt: number }
  | { kind: "missing" }
  | { kind: "mismatch" }
  | { kind: "invalid"; reason: string };

export function keyIdOf(sdkKey: string): string {
  const dot = sdkKey.indexOf(".");
  return dot < 0 ? "" : sdkKey.slice(0, dot);
}

/** Reads the file synchronously, once at start, so its values are there before createClient returns. */
export function loadSnapshot(path: string, source: PersistSource): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "invalid", reason: (error as Error).message };
  }
  let file: Partial<PersistedFile>;
  try {
    file = JSON.parse(text) as Partial<PersistedFile>;
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  if (file?.format !== PERSIST_FORMAT || typeof file.savedAt !== "number") return { kind: "invalid", reason: "unknown format" };
  if (file.source?.url !== source.url || file.source?.keyId !== source.keyId) return { kind: "mismatch" };
  const parsed = parseSnapshot(file.snapshot, "persisted snapshot");
  if (!parsed.ok) return { kind: "invalid", reason: parsed.error.message };
  return { kind: "loaded", snapshot: parsed.value, savedAt: file.savedAt };
}

/**
 * Writes snapshots one at a time: a save during a write marks the file dirty, and only the newest
 * snapshot is written next, so a burst of patches costs two writes, not one per patch.
 */
export class SnapshotWriter {
  private pending: (() => EnvironmentSnapshot) | null = null;
  private writing: Promise<void> | null = null;
  private madeDirectory = false;

  constructor(
    private readonly path: string,
    private readonly source: PersistSource,
    private readonly onError: (error: Error) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Schedules a write; `snapshot` is called when the write starts, to take the newest state. */
  save(snapshot: () => EnvironmentSnapshot): void {
    this.pending = snapshot;
    if (!this.writing) this.writing = this.drain();
  }

  /** Resolves when nothing is left to write. */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const take = this.pending;
        this.pending = null;
        await this.write(take());
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(snapshot: EnvironmentSnapshot): Promise<void> {
    const file: PersistedFile = { format: PERSIST_FORMAT, source: this.source, savedAt: this.now(), snapshot };
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      if (!this.madeDirectory) {
        await mkdir(dirname(this.path), { recursive: true });
        this.madeDirectory = true;
      }
      await writeFile(temporary, JSON.stringify(file), { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      this.onError(error as Error);
    }
  }
}
