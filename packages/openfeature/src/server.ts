/**
 * @switchyard/openfeature/server: an OpenFeature provider for `@openfeature/server-sdk`, built on
 * the Node SDK. Flags are evaluated locally (no request per evaluation) from rules kept current
 * over the SDK's stream.
 *
 * @example
 * import { OpenFeature } from "@openfeature/server-sdk";
 * import { SwitchyardProvider } from "@switchyard/openfeature/server";
 * await OpenFeature.setProviderAndWait(new SwitchyardProvider({ url: "http://localhost:3000", sdkKey: process.env.SWITCHYARD_SDK_KEY! }));
 * const enabled = await OpenFeature.getClient().getBooleanValue("new-checkout", false, { targetingKey: user.id });
 */
import {
  ErrorCode,
  GeneralError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  ProviderFatalError,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from "@openfeature/server-sdk";
import { createClient, type Client, type ClientOptions } from "@switchyard/sdk";
import { ClientWatch, emitTo, knowsFlags, failure, resolution, safely, staleAfterOption, switchyardContext, waitForValues, type FlagType } from "./provider-core.js";

/**
 * Options of `SwitchyardProvider`: the Node SDK's `ClientOptions` (the provider creates the client
 * in `initialize` and closes it in `onClose`), or `{ client }`, a client you created (closed by
 * `onClose` too).
 *
 * @example
 * new SwitchyardProvider({ url, sdkKey, persistPath: "/var/cache/app/switchyard.json", staleAfterMs: 10_000 });
 * new SwitchyardProvider({ client: createClient({ url, sdkKey }) });
 */
export type SwitchyardProviderOptions = (ClientOptions | { client: Client }) & {
  /**
   * How long the SDK may be stale (its values unconfirmed by the server) before the provider
   * emits PROVIDER_STALE (default 5000 ms). Shorter blips are not reported.
   */
  staleAfterMs?: number;
};

/**
 * An OpenFeature server provider for Switchyard. Evaluation is local and never throws.
 *
 * Events: PROVIDER_CONFIGURATION_CHANGED (`flagsChanged`) when flag definitions change;
 * PROVIDER_STALE after `staleAfterMs` without the server; PROVIDER_READY when it is current again
 * (or when values arrive after a failed `initialize`); PROVIDER_ERROR when the server refuses the
 * key later on (the last values are still served).
 *
 * @example
 * OpenFeature.setProvider(new SwitchyardProvider({ url: "https://flags.internal", sdkKey: process.env.SWITCHYARD_SDK_KEY! }));
 */
export class SwitchyardProvider implements Provider {
  readonly metadata = { name: "Switchyard" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  private client: Client | null = null;
  private watch: ClientWatch | null = null;
  private readonly staleAfterMs: number;

  constructor(private readonly options: SwitchyardProviderOptions) {
    this.staleAfterMs = staleAfterOption(options?.staleAfterMs);
  }

  /**
   * Starts the client (or takes the given one) and waits for its values. A refused key (401/403)
   * or options the SDK rejects throw ProviderFatalError (status FATAL); no values within the SDK's
   * `timeoutMs` throws GeneralError (status ERROR), and PROVIDER_READY follows when they arrive.
   */
  async initialize(): Promise<void> {
    this.watch?.close();
    let client: Client;
    try {
      client = this.client ??= "client" in this.options ? this.options.client : createClient(this.options);
    } catch (error) {
      throw new ProviderFatalError(`cannot create the Switchyard client: ${error instanceof Error ? error.message : String(error)}`);
    }
    // OpenFeature initializes a provider again when it is set again after being replaced (which
    // closed it): a client of your own cannot be reopened, and would serve frozen values as READY.
    if (client.status().state === "closed") {
      throw new ProviderFatalError("the Switchyard client given as `client` is closed (onClose closes it); pass ClientOptions to set this provider again");
    }
    const watch = (this.watch = new ClientWatch(client, this.staleAfterMs, emitTo(this.events, ProviderEvents)));
    const failed = await waitForValues(client);
    if (!failed) return watch.started();
    watch.failed(failed.fatal);
    throw failed.fatal ? new ProviderFatalError(failed.message) : new GeneralError(failed.message);
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, "boolean"));
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, "string"));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, "number"));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context, "object"));
  }

  /**
   * Counts the event (with `details.value`, when a number) against the variants `context` is
   * served by flags in a percentage rollout; see the SDK's `track`. Never throws.
   */
  track(trackingEventName: string, context: EvaluationContext, trackingEventDetails?: TrackingEventDetails): void {
    const ctx = switchyardContext(context);
    if (this.client && ctx) this.client.track(trackingEventName, ctx, trackingEventDetails?.value);
  }

  /** Stops watching and closes the client (sending its last metrics). Never rejects. */
  async onClose(): Promise<void> {
    this.watch?.close();
    this.watch = null;
    const client = this.client;
    this.client = null;
    await client?.close().catch(() => {});
  }

  private resolve<T>(flagKey: string, defaultValue: T, context: EvaluationContext | undefined, type: FlagType): ResolutionDetails<T> {
    const client = this.client;
    if (!client) return failure(defaultValue, ErrorCode.PROVIDER_NOT_READY, "the provider is not initialized");
    return safely(flagKey, defaultValue, ErrorCode, () => {
      const ctx = switchyardContext(context);
      if (!ctx) return failure(defaultValue, ErrorCode.INVALID_CONTEXT, "the context cannot be read (a cycle?)");
      // A key lookup in local rules: the value, its variant and reason, counted for metrics.
      const result = client.evaluate(flagKey, ctx, defaultValue as JsonValue);
      return resolution(flagKey, result, defaultValue, type, ErrorCode, result.reason !== "FLAG_NOT_FOUND" || knowsFlags(client, () => client.allFlags(ctx)));
    });
  }
}
