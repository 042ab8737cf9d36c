/** Server configuration, read from the environment once at start. */
import { z } from "zod";
import { emailSchema } from "@switchyard/core/api-schema";
import { parseOrThrow } from "./http/validate.js";

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4400),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SWITCHYARD_ADMIN_EMAIL: emailSchema.default("admin@localhost"),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  SWITCHYARD_SECURE_COOKIES: z.enum(["true", "false"]).default("false"),
  SWITCHYARD_CORS_ORIGINS: z.string().default("*"),
  SWITCHYARD_CHANGE_LOG_RETENTION: z.coerce.number().int().min(1).default(10_000),
  SWITCHYARD_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  SWITCHYARD_SEEN_CONTEXTS: z.coerce.number().int().min(0).max(100_000).default(1000),
  /** The built admin UI; served at / when the folder exists. */
  SWITCHYARD_WEB_DIR: z.string().min(1).optional(),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means unset, as shells and compose files commonly write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = parseOrThrow(configSchema, present);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir: parsed.DATA_DIR,
    logLevel: parsed.LOG_LEVEL,
    adminEmail: parsed.SWITCHYARD_ADMIN_EMAIL,
    adminPassword: parsed.SWITCHYARD_ADMIN_PASSWORD,
    secureCookies: parsed.SWITCHYARD_SECURE_COOKIES === "true",
    corsOrigins: parsed.SWITCHYARD_CORS_ORIGINS.split(",").map((origin) => origin.trim()).filter(Boolean),
    changeLogRetention: parsed.SWITCHYARD_CHANGE_LOG_RETENTION,
    heartbeatMs: parsed.SWITCHYARD_HEARTBEAT_MS,
    seenContextLimit: parsed.SWITCHYARD_SEEN_CONTEXTS,
    webDir: parsed.SWITCHYARD_WEB_DIR,
  };
}
