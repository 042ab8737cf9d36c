/**
 * @switchyard/openfeature/web: an OpenFeature provider for `@openfeature/web-sdk`, built on the
 * browser SDK. The server evaluates every client-visible flag for the page's context and streams
 * the values; resolution is synchronous. Imports nothing Node-only and not the server SDK.
 *
 * @example
 * import { OpenFeature } from "@openfeature/web-sdk";
 * import { SwitchyardWebProvider } from "@switchyard/openfeature/web";
 * await OpenFeature.setContext({ targetingKey: "user-1", plan: "pro" });
 * await OpenFeature.setProviderAndWait(new SwitchyardWebProvider({ url: "https://flags.example.com", clientKey: "sy_client_…" }));
 * OpenFeature.getClient().getBooleanValue("new-banner", false);
 */
import {
  ErrorCode,
  GeneralError,
  InvalidContextError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderFatalError,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from "@openfeature/web-sdk";
import { createClient, type BrowserClient, type BrowserClientOptions } from "@switchyard/sdk/browser";
import { ClientWatch, emitTo, knowsFlags, failure, resolution, safely, staleAfterOption, switchyardContext, waitForValues, type FlagType } from "./provider-core.js";

/**
 * Options of `SwitchyardWebProvider`: the browser SDK's options without `context` (OpenFeature's
 * static context is used, and followed on `OpenFeature.setContext`).
 *
 * @example
 * new SwitchyardWebProvider({ url: "https://flags.example.com", clientKey: "sy_client_…", timeoutMs: 3000 });
 */
export type SwitchyardWebProviderOptions = Omit<BrowserClientOptions, "context"> & {
  /** How long the client may be stale before PROVIDER_STALE (default 5000 ms). */
  staleAfterMs?: number;
};

/** Knobs for tests; not part of the public API. */
export interface SwitchyardWebProviderInternals {
  createClient?: (options: BrowserClientOptions) => BrowserClient;
}

/**
 * An OpenFeature web provider for Switchyard. Resolution is synchronous and never throws.
 *
 * Events: as the server provider (CONFIGURATION_CHANGED with `flagsChanged`, STALE, READY on
 * recovery, ERROR for a key refused later on); a context change is reported by the web SDK
 * (RECONCILING, then CONTEXT_CHANGED once the new values are in), not as a configuration change.
 *
 * @example
 * OpenFeature.setProvider(new SwitchyardWebProvider({ url: "https://flags.example.com", clientKey: "sy_client_…" }));
 */
export class SwitchyardWebProvider implements Provider {
  readonly metadata = { name: "Switchyard" } as const;
  readonly runsOn = "client" as const;
  readonly events = new OpenFeatureEventEmitter();
  private client: BrowserClient | null = null;
  private watch: ClientWatch | null = null;
  private readonly staleAfterMs: number;
  /** Context changes in flight: the value changes they bring are theirs, not configuration changes. */
  private switching = 0;

  constructor(
    private readonly options: SwitchyardWebProviderOptions,
    private readonly internals: SwitchyardWebProviderInternals = {},
  ) {
    this.staleAfterMs = staleAfterOption(options?.staleAfterMs);
  }

  /**
   * Creates the browser client for OpenFeature's context and waits for its values. A refused key
   * throws ProviderFatalError (status FATAL); a context that cannot be sent, or no values within
   * `timeoutMs`, throws GeneralError (status ERROR), and PROVIDER_READY follows when values arrive.
   */
  async initialize(context?: EvaluationContext): Promise<void> {
    // A client left from an earlier initialize is closed in the background.
    void this.onClose();
    const ctx = switchyardContext(context);
    if (!ctx) throw new InvalidContextError("the context cannot be read (a cycle?)");
    const client = (this.client = (this.internals.createClient ?? createClient)({ ...this.options, context: ctx }));
    const watch = (this.watch = new ClientWatch(client, this.staleAfterMs, emitTo(this.events, ProviderEvents), () => this.switching > 0));
    const failed = await waitForValues(client);
    if (!failed) return watch.started();
    watch.failed(failed.fatal);
    throw failed.fatal ? new ProviderFatalError(failed.message) : new GeneralError(failed.message);
  }

  /**
   * Switches the client to the new context; resolves once its values are in (the web SDK emits
   * PROVIDER_RECONCILING meanwhile, then PROVIDER_CONTEXT_CHANGED). Rejects — status ERROR, with
   * PROVIDER_ERROR from the web SDK — for a context that cannot be sent (the old one stays) or when
   * the values take longer than `timeoutMs`; PROVIDER_READY follows when they arrive. A change
   * superseded by a later one resolves: the later one decides. After an `initialize` that failed
   * on an unreadable context, the first readable one starts the client.
   */
  async onContextChange(_oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void> {
    const client = this.client;
    // No client: the first context could not be read. This one may be: start with it.
    if (!client) return this.initialize(newContext);
    const ctx = switchyardContext(newContext);
    if (!ctx) throw this.contextFailed(new InvalidContextError("the context cannot be read (a cycle?)"));
    // A context that cannot be sent is reported synchronously, inside setContext.
    let invalid = false;
    const off = client.on("error", (error) => (invalid ||= error.code === "invalid_context"));
    let arrived: boolean;
    this.switching++;
    try {
      const switched = client.setContext(ctx);
      off();
      arrived = await switched;
    } finally {
      off();
      this.switching--;
    }
    if (arrived) return this.watch?.started();
    if (invalid) throw this.contextFailed(new InvalidContextError("the context cannot be sent: it must be a JSON object of at most 8 KiB encoded"));
    // Superseded by a later change, or closed meanwhile: nothing to report for this one.
    if (this.switching > 0 || this.client !== client || client.status().state === "closed") return;
    throw this.contextFailed(new GeneralError("the values for the new context did not arrive within timeoutMs; the provider keeps trying"));
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, "boolean");
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, "string");
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, "number");
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, "object");
  }

  /** Counts the event (with `details.value`) against each flag's current variant; see the SDK's `track`. Never throws. */
  track(trackingEventName: string, _context?: EvaluationContext, trackingEventDetails?: TrackingEventDetails): void {
    this.client?.track(trackingEventName, trackingEventDetails?.value);
  }

  /** Stops watching and closes the client (sending its last metrics). Never rejects. */
  async onClose(): Promise<void> {
    this.watch?.close();
    this.watch = null;
    const client = this.client;
    this.client = null;
    await client?.close().catch(() => {});
  }

  private contextFailed(error: Error): Error {
    this.watch?.failed();
    return error;
  }

  private resolve<T>(flagKey: string, defaultValue: T, type: FlagType): ResolutionDetails<T> {
    const client = this.client;
    if (!client) return failure(defaultValue, ErrorCode.PROVIDER_NOT_READY, "the provider is not initialized");
    // The values were evaluated by the server for the client's context, which follows OpenFeature's.
    return safely(flagKey, defaultValue, ErrorCode, () => {
      const result = client.evaluate(flagKey, defaultValue as JsonValue);
      return resolution(flagKey, result, defaultValue, type, ErrorCode, result.reason !== "FLAG_NOT_FOUND" || knowsFlags(client, () => client.allFlags()));
    });
  }
}
