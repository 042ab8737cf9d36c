/**
 * @switchyard/core: the flag model's types, evaluation, bucketing and semantic checks. Pure
 * TypeScript with no I/O and no runtime dependency: the zod schemas live in
 * `@switchyard/core/schema`, which this entry point never loads.
 *
 * @example
 * import { compileFlag } from "@switchyard/core";
 * const newCheckout = compileFlag(flag);
 * newCheckout.evaluate({ key: "user-123", country: "NL" }).value;
 */
export type { ErrorCode, EvaluationResult, Reason } from "./result.js";
export type {
  Clause,
  ClauseValue,
  ContextValue,
  EnvironmentConfig,
  EnvironmentSnapshot,
  EvaluationContext,
  FlagDefinition,
  FlagKind,
  JsonValue,
  Operator,
  Rule,
  Segment,
  Serve,
  Target,
  Variant,
  WeightedVariant,
} from "./schema.js";
export type {
  ActorKind,
  ActorView,
  AlertmanagerResultView,
  AlertOutcome,
  AlertResultView,
  AuditEntryView,
  AuditPageView,
  AutomationScopeView,
  ChangeEventView,
  CohortNumbersView,
  CreatedCredentialView,
  CreatedWebhookView,
  CredentialKind,
  CredentialView,
  EnvironmentView,
  ErrorBodyView,
  FlagConfigView,
  FlagListView,
  FlagView,
  GuardStatusView,
  MeView,
  PlanBreachView,
  PlanGuardView,
  PlanLiveView,
  PlanStateName,
  PlanStepView,
  RolloutPlanStatusView,
  RolloutPlanView,
  SeenContextView,
  SegmentView,
  UserView,
  WebhookDeliveryPageView,
  WebhookDeliveryState,
  WebhookDeliveryView,
  WebhookView,
} from "./api-views.js";
export type { RoleName } from "./api-schema.js";
export { BUCKET_COUNT, bucket } from "./bucket.js";
export { compileFlag, type CompiledFlag } from "./compile.js";
export { flagDefinition, rolloutServe, segmentDefinition, type ConfigFields, type FlagFields } from "./definition.js";
export { evaluate } from "./evaluate.js";
export { murmur3 } from "./murmur3.js";
export {
  openFeatureErrorCode,
  openFeatureMetadata,
  openFeatureReason,
  toSwitchyardContext,
  type OpenFeatureErrorCode,
  type OpenFeatureMetadata,
  type OpenFeatureReason,
} from "./openfeature.js";
export { findFlagProblems, findSegmentProblems, type FlagProblem } from "./problems.js";
export { isSafePattern } from "./safe-pattern.js";
export { keyProblem, MAX_KEY_LENGTH } from "./key.js";
export { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS, metricNameProblem, percentile, valueBucket } from "./metric-buckets.js";
