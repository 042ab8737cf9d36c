/**
 * What the server and web providers share: turning a Switchyard result into OpenFeature's
 * resolution details (type check, error mapping), and watching an SDK client to tell OpenFeature
 * about changes, staleness and recovery.
 *
 * Imports neither OpenFeature SDK: each entry passes in its own `ErrorCode` enum and emits its own
 * events, so the web bundle never pulls in the server SDK (or the other way round). Of
 * `@switchyard/core` only the OpenFeature mapping is used at runtime.
 */
import { openFeatureErrorCode, openFeatureMetadata, openFeatureReason, toSwitchyardContext, type EvaluationResult, type OpenFeatureErrorCode, type OpenFeatureMetadata } from "@switchyard/core";
import type { ClientEvents, ClientStatus, EvaluationContext, SdkError } from "@switchyard/sdk/browser";

/** The type an OpenFeature `resolve*Evaluation` asks for. */
export type FlagType = "boolean" | "string" | "number" | "object";

/** The error codes a provider reports, as the SDK's own `ErrorCode` enum (whose values are its names). */
export type ErrorCodes<E> = { readonly [K in OpenFeatureErrorCode | "TYPE_MISMATCH" | "PROVIDER_NOT_READY"]: E };

/** OpenFeature's `ResolutionDetails<T>`, with `E` the calling SDK's `ErrorCode`. */
export interface Resolution<T, E> {
  value: T;
  variant?: string;
  reason: string;
  errorCode?: E;
  errorMessage?: string;
  flagMetadata?: OpenFeatureMetadata;
}

/**
 * Whether a served value is of the requested type: boolean, string and number by `typeof`; an
 * object accepts any JSON object, array or null.
 */
export function matchesType(value: unknown, type: FlagType): boolean {
  return type === "object" ? typeof value === "object" : typeof value === type;
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** The caller's default with reason ERROR and `code`. */
export function failure<T, E>(defaultValue: T, code: E, message: string): Resolution<T, E> {
  return { value: defaultValue, reason: "ERROR", errorCode: code, errorMessage: message };
}

/**
 * OpenFeature's details for a Switchyard result: errors and a value of another type give the
 * caller's default with reason ERROR; anything else the value, its variant, the mapped reason and
 * metadata (`killed` and `killReason` for a kill switch; `ruleIndex` for a rule).
 *
 * @example
 * resolution("banner", client.evaluate("banner", ctx, "blue"), "blue", "string", ErrorCode);
 */
export function resolution<T, E>(flagKey: string, result: EvaluationResult, defaultValue: T, type: FlagType, codes: ErrorCodes<E>, hasValues = true): Resolution<T, E> {
  // Before the first answer (no bootstrap, no file) every key is unknown: that is not a missing flag.
  if (result.reason === "FLAG_NOT_FOUND" && !hasValues) return failure(defaultValue, codes.PROVIDER_NOT_READY, `no flag values yet: the Switchyard server has not answered`);
  if (result.reason === "FLAG_NOT_FOUND" || result.reason === "ERROR") {
    const code = openFeatureErrorCode(result);
    return failure(defaultValue, codes[code], code === "FLAG_NOT_FOUND" ? `flag ${flagKey} not found` : `flag ${flagKey} could not be evaluated: ${result.errorCode ?? "GENERAL"}`);
  }
  if (!matchesType(result.value, type)) {
    return failure(defaultValue, codes.TYPE_MISMATCH, `flag ${flagKey} is ${kindOf(result.value)}, not ${type === "object" ? "an object" : `a ${type}`}`);
  }
  const details: Resolution<T, E> = { value: result.value as T, reason: openFeatureReason(result.reason) };
  if (result.variant !== null) details.variant = result.variant;
  const metadata = openFeatureMetadata(result);
  if (Object.keys(metadata).length > 0) details.flagMetadata = metadata;
  return details;
}

/**
 * Resolves with `evaluate()`'s result, never throwing: a context that cannot be converted is
 * INVALID_CONTEXT, anything else thrown GENERAL.
 */
export function safely<T, E>(flagKey: string, defaultValue: T, codes: ErrorCodes<E>, evaluate: () => Resolution<T, E>): Resolution<T, E> {
  try {
    return evaluate();
  } catch (error) {
    return failure(defaultValue, codes.GENERAL, `flag ${flagKey} could not be evaluated: ${describe(error)}`);
  }
}

/** An OpenFeature context as Switchyard evaluates it; null when it cannot be converted (a cycle, a BigInt beside a Date). */
export function switchyardContext(context: object | undefined): EvaluationContext | null {
  try {
    return toSwitchyardContext(context ?? {}) as EvaluationContext;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "unknown error";
  }
}

/** The default of `staleAfterMs`: see the README ("Options"). */
export const DEFAULT_STALE_AFTER_MS = 5000;

/** A finite number of milliseconds (at least 0, at most what setTimeout takes); anything else the default. */
export function staleAfterOption(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? Math.min(Math.max(value, 0), 2 ** 31 - 1) : DEFAULT_STALE_AFTER_MS;
}

/** The part of both SDK clients the providers use here. */
export interface WatchedClient {
  ready(): Promise<boolean>;
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  status(): ClientStatus;
}

/**
 * Whether a key the client does not know means the flag is missing: not while the client is still
 * connecting with nothing in hand (`allFlags` is only called then, and it is empty).
 */
export function knowsFlags(client: WatchedClient, allFlags: () => object): boolean {
  return client.status().state !== "connecting" || Object.keys(allFlags()).length > 0;
}

/** A key the server refused: the SDK stops trying, so nothing will come of waiting. */
export function isRefused(error: SdkError | undefined): boolean {
  return error?.code === "unauthorized" || error?.code === "forbidden";
}

function statusError(status: ClientStatus): SdkError | undefined {
  return "error" in status ? status.error : undefined;
}

/** Why `initialize` failed: `fatal` for a refused key, which no retry will fix. */
export interface StartFailure {
  fatal: boolean;
  message: string;
}

/**
 * Waits for the client's values. Null once there are some; otherwise why not, without waiting out
 * `timeoutMs` when the key was refused or (browsers) the context cannot be sent.
 */
export function waitForValues(client: WatchedClient): Promise<StartFailure | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ready: boolean) => {
      if (done) return;
      done = true;
      off();
      if (ready) return resolve(null);
      const error = statusError(client.status());
      if (isRefused(error)) resolve({ fatal: true, message: `Switchyard refused the key: ${error!.message}` });
      else resolve({ fatal: false, message: `no flag values from Switchyard yet${error ? `: ${error.message}` : ""}; the provider keeps trying and emits PROVIDER_READY when they arrive` });
    };
    const hopeless = (error: SdkError | undefined) => isRefused(error) || error?.code === "invalid_context";
    const off = client.on("error", (error) => hopeless(error) && finish(false));
    if (hopeless(statusError(client.status()))) finish(false);
    void client.ready().then(finish, () => finish(false));
  });
}

/** How a watch reports to OpenFeature: each entry emits the matching provider event. */
export interface ProviderSignals {
  ready(): void;
  stale(message: string): void;
  error(message: string): void;
  changed(keys: string[]): void;
}

/**
 * The signals as events on a provider's emitter. Each entry passes its own SDK's emitter and
 * `ProviderEvents`, so this module loads neither SDK.
 */
export function emitTo<E>(
  events: { emit(event: E, details?: { message?: string; flagsChanged?: string[] }): void },
  names: { Ready: E; Stale: E; Error: E; ConfigurationChanged: E },
): ProviderSignals {
  return {
    ready: () => events.emit(names.Ready, { message: "Switchyard values are current" }),
    stale: (message) => events.emit(names.Stale, { message }),
    error: (message) => events.emit(names.Error, { message }),
    changed: (keys) => events.emit(names.ConfigurationChanged, { flagsChanged: keys }),
  };
}

/**
 * What OpenFeature was last told, beyond what its SDK tracks itself:
 * - `starting`: `initialize` is running; it reports the outcome.
 * - `ready`: values are served; staleness is being watched.
 * - `stale`: PROVIDER_STALE was emitted.
 * - `error`: `initialize` or a context change failed, or the key was refused later on.
 * - `fatal` / `closed`: nothing more is reported.
 */
type Reported = "starting" | "ready" | "stale" | "error" | "fatal" | "closed";

/**
 * Turns a client's events into provider events:
 * - `change` → PROVIDER_CONFIGURATION_CHANGED with `flagsChanged` (unless `quiet()` says the
 *   change is a context switch's, which OpenFeature reports as a context change);
 * - stale for `staleAfterMs` (measured from the client turning stale) → PROVIDER_STALE;
 * - current again after PROVIDER_STALE, or values arriving after a failed `initialize` or context
 *   change → PROVIDER_READY;
 * - a key refused after start → PROVIDER_ERROR (not fatal: the last values are still served).
 */
export class ClientWatch {
  private reported: Reported = "starting";
  /** When the client was first seen stale in its current spell; null while it is current. */
  private staleSince: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly offs: (() => void)[];

  constructor(
    private readonly client: WatchedClient,
    private readonly staleAfterMs: number,
    private readonly signals: ProviderSignals,
    private readonly quiet: () => boolean = () => false,
    private readonly now: () => number = Date.now,
  ) {
    if (client.status().state === "stale") this.staleSince = now();
    this.offs = [
      client.on("stale", () => {
        this.staleSince ??= this.now();
        this.schedule();
      }),
      client.on("recovered", () => {
        this.staleSince = null;
        clearTimeout(this.timer);
        if (this.reported === "stale") this.report("ready");
        this.arrived();
      }),
      client.on("ready", () => this.arrived()),
      client.on("change", ({ keys }) => {
        this.arrived();
        if (this.reported !== "closed" && !this.quiet()) this.signals.changed([...keys]);
      }),
      client.on("error", (error) => {
        if (!isRefused(error) || (this.reported !== "ready" && this.reported !== "stale")) return;
        clearTimeout(this.timer);
        this.reported = "error";
        this.signals.error(`Switchyard refused the key: ${error.message}; serving the last values`);
      }),
    ];
  }

  /** `initialize` (or a context change) succeeded: OpenFeature's status is READY. */
  started(): void {
    if (this.reported === "closed") return;
    this.reported = "ready";
    this.schedule();
  }

  /** `initialize` or a context change failed: OpenFeature's status is ERROR (FATAL with `fatal`). */
  failed(fatal = false): void {
    if (this.reported === "closed") return;
    clearTimeout(this.timer);
    this.reported = fatal ? "fatal" : "error";
  }

  close(): void {
    this.reported = "closed";
    clearTimeout(this.timer);
    for (const off of this.offs.splice(0)) off();
  }

  /** Values arrived: after a failed start or context change (not after a refused key), OpenFeature hears READY. */
  private arrived(): void {
    if (this.reported === "error" && !isRefused(statusError(this.client.status()))) this.report("ready");
  }

  private report(state: "ready"): void {
    this.reported = state;
    this.signals.ready();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.reported !== "ready" || this.staleSince === null || this.client.status().state !== "stale") return;
    this.timer = setTimeout(() => this.check(), Math.max(0, this.staleSince + this.staleAfterMs - this.now()));
  }

  private check(): void {
    if (this.reported !== "ready" || this.staleSince === null) return;
    const status = this.client.status();
    if (status.state !== "stale") return;
    if (this.now() - this.staleSince < this.staleAfterMs) return this.schedule();
    this.reported = "stale";
    this.signals.stale(`Switchyard values not confirmed for ${status.ageMs} ms${status.error ? ` (${status.error.message})` : ""}; serving the last values`);
  }
}
