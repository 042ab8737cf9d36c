/**
 * Query keys and fetchers for everything the UI reads, so the live stream can invalidate exactly
 * what a change touched and pages never spell a key twice.
 */
import { queryOptions } from "@tanstack/react-query";
import type {
  AuditPageView,
  CredentialView,
  EnvironmentView,
  FlagListView,
  FlagView,
  MeView,
  RolloutPlanStatusView,
  SeenContextView,
  SegmentView,
  UserView,
} from "@switchyard/core";
import { api, ApiRequestError, enc, query } from "./api";

export interface AuditFilter {
  flag?: string;
  environment?: string;
  actor?: string;
  cursor?: string;
}

export const keys = {
  me: ["me"] as const,
  environments: ["environments"] as const,
  flags: ["flags"] as const,
  flagList: (archived: boolean) => ["flags", "list", { archived }] as const,
  flag: (key: string) => ["flags", "one", key] as const,
  segments: (environment: string) => ["segments", environment] as const,
  segment: (environment: string, key: string) => ["segments", environment, key] as const,
  audit: ["audit"] as const,
  auditPage: (filter: AuditFilter) => ["audit", filter] as const,
  credentials: ["credentials"] as const,
  users: ["users"] as const,
  seenContexts: (environment: string) => ["seen-contexts", environment] as const,
  /** Every environment's plan of a flag: what a change to the flag may have moved. */
  plans: (flag: string) => ["plans", flag] as const,
  plan: (flag: string, environment: string) => ["plans", flag, environment] as const,
};

export const meQuery = queryOptions({
  queryKey: keys.me,
  /** null when nobody is signed in. */
  queryFn: async ({ signal }): Promise<MeView | null> => {
    try {
      return await api<MeView>("GET", "/api/v1/me", { signal });
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) return null;
      throw error;
    }
  },
  retry: false,
  staleTime: 60_000,
});

export const environmentsQuery = queryOptions({
  queryKey: keys.environments,
  queryFn: async ({ signal }) => (await api<{ environments: EnvironmentView[] }>("GET", "/api/v1/environments", { signal })).environments,
});

/** All flags (the list filters in the page: a product's flags fit in memory, and filtering is then instant). */
export const flagListQuery = (archived: boolean) =>
  queryOptions({
    queryKey: keys.flagList(archived),
    queryFn: async ({ signal }) => {
      const flags: FlagView[] = [];
      let cursor: string | null = null;
      do {
        const page: FlagListView = await api<FlagListView>("GET", `/api/v1/flags${query({ archived, limit: 1000, cursor })}`, { signal });
        flags.push(...page.flags);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return flags;
    },
  });

export const flagQuery = (key: string) =>
  queryOptions({
    queryKey: keys.flag(key),
    queryFn: ({ signal }) => api<FlagView>("GET", `/api/v1/flags/${enc(key)}`, { signal }),
  });

export const segmentsQuery = (environment: string) =>
  queryOptions({
    queryKey: keys.segments(environment),
    queryFn: async ({ signal }) =>
      (await api<{ segments: SegmentView[] }>("GET", `/api/v1/environments/${enc(environment)}/segments`, { signal })).segments,
  });

export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: keys.auditPage(filter),
    queryFn: ({ signal }) =>
      api<AuditPageView>(
        "GET",
        `/api/v1/audit${query({ flag: filter.flag, environment: filter.environment, actor: filter.actor, cursor: filter.cursor, limit: 50 })}`,
        { signal },
      ),
  });

export const credentialsQuery = queryOptions({
  queryKey: keys.credentials,
  queryFn: async ({ signal }) => (await api<{ credentials: CredentialView[] }>("GET", "/api/v1/credentials", { signal })).credentials,
});

export const usersQuery = queryOptions({
  queryKey: keys.users,
  queryFn: async ({ signal }) => (await api<{ users: UserView[] }>("GET", "/api/v1/users", { signal })).users,
});

export const seenContextsQuery = (environment: string) =>
  queryOptions({
    queryKey: keys.seenContexts(environment),
    queryFn: async ({ signal }) =>
      (await api<{ contexts: SeenContextView[] }>("GET", `/api/v1/environments/${enc(environment)}/contexts`, { signal })).contexts,
    staleTime: 30_000,
  });

export const planPath = (flag: string, environment: string) => `/api/v1/flags/${enc(flag)}/environments/${enc(environment)}/plan`;

/** How often a running plan is read again: its guard numbers move with SDK reports, which make no audit entries. */
export const PLAN_POLL_MS = 5_000;

/** A flag's rollout plan in one environment; null when none is defined. */
export const planQuery = (flag: string, environment: string) =>
  queryOptions({
    queryKey: keys.plan(flag, environment),
    queryFn: async ({ signal }): Promise<RolloutPlanStatusView | null> => {
      try {
        return await api<RolloutPlanStatusView>("GET", planPath(flag, environment), { signal });
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 404) return null;
        throw error;
      }
    },
    refetchInterval: (query) => (query.state.data?.state === "running" ? PLAN_POLL_MS : false),
  });
