import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;
/** A transaction handle or the database itself: services write through either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

export interface Storage {
  db: Db;
  /** Runs a statement against SQLite directly; used by /readyz. */
  ping(): void;
  close(): void;
}

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * Opens (or creates) the SQLite database at `file` (":memory:" for tests), in WAL mode so
 * readers never wait for the writer, and applies the checked-in migrations.
 */
export function openStorage(file: string): Storage {
  const sqlite = new Database(file);
  if (file !== ":memory:") sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return {
    db,
    ping: () => void sqlite.prepare("select 1").get(),
    close: () => sqlite.close(),
  };
}
