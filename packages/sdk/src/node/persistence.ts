/**
 * The last snapshot on disk, so a cold start while the server is down still serves the last known
 * values. The file names its source (server URL and the key's public id, never the secret) and is
 * only used by a client of the same source. Writes go to a new temporary file, synced to disk, then
 * renamed over the old one, so a crash mid-write never leaves a torn or empty file.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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

/** `<persistPath>.<pid>.<random>.tmp`: one writer's temporary file. */
const TEMPORARY_SUFFIX = /^\.\d+\.[0-9a-f]{8}\.tmp$/;
/** A temporary file this old was left by a crash: a write takes milliseconds. */
const ABANDONED_AFTER_MS = 60_000;

/**
 * Removes temporary files that writers (of any process) left next to `path` when they crashed.
 * Removing one that is in fact still being written is harmless: that writer's rename fails, it
 * reports the error and writes again next time, and the snapshot itself is never torn.
 */
async function removeAbandonedTemporaries(path: string, now: number): Promise<void> {
  const directory = dirname(path);
  const prefix = basename(path);
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !TEMPORARY_SUFFIX.test(name.slice(prefix.length))) continue;
    const file = join(directory, name);
    const modified = await stat(file).then((info) => info.mtimeMs, () => now);
    if (now - modified > ABANDONED_AFTER_MS) await rm(file, { force: true }).catch(() => {});
  }
}

/**
 * Writes snapshots one at a time: a save during a write marks the file dirty, and only the newest
 * snapshot is written next, so a burst of patches costs two writes, not one per patch.
 */
export class SnapshotWriter {
  private pending: (() => EnvironmentSnapshot) | null = null;
  private writing: Promise<void> | null = null;
  /** The directory exists and abandoned temporaries are gone: done before the first write. */
  private prepared = false;

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
      if (!this.prepared) {
        await mkdir(dirname(this.path), { recursive: true });
        await removeAbandonedTemporaries(this.path, this.now());
        this.prepared = true;
      }
      // "wx": a new file of our own, never one that already exists.
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(file));
        // On disk before the rename publishes it: otherwise a crash can leave the new name pointing at nothing.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      this.onError(error as Error);
    }
  }
}
