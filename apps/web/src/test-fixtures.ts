/**
 * Sample API views and plumbing for component tests: one place to build a flag, a config or a
 * segment, overriding only what a test is about. Defaults are what the server creates: a boolean
 * flag, off, serving `on` to everyone once turned on.
 */
import { createElement, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { EnvironmentView, FlagConfigView, FlagView, MeView, RoleName, SegmentView } from "@switchyard/core";

const AT = "2025-01-01T00:00:00.000Z";

export function configView(overrides: Partial<FlagConfigView> = {}): FlagConfigView {
  return {
    environment: "production",
    enabled: false,
    killed: false,
    killReason: null,
    killedBy: null,
    killedAt: null,
    targets: [],
    rules: [],
    fallthrough: { variant: "on" },
    offVariant: "off",
    clientVisible: null,
    version: 1,
    updatedAt: AT,
    ...overrides,
  };
}

/** A flag with a config in each environment given (production only, by default). */
export function flagView(overrides: Partial<FlagView> = {}, ...configs: FlagConfigView[]): FlagView {
  return {
    key: "new-checkout",
    name: "New checkout",
    description: "",
    kind: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    tags: [],
    clientVisible: false,
    salt: "salt-1",
    archived: false,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    environments: Object.fromEntries((configs.length > 0 ? configs : [configView()]).map((config) => [config.environment, config])),
    ...overrides,
  };
}

export function segmentView(overrides: Partial<SegmentView> = {}): SegmentView {
  return {
    key: "beta",
    name: "Beta testers",
    description: "",
    included: [],
    excluded: [],
    clauses: [],
    version: 1,
    environment: "production",
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

export function environmentView(key: string, name = key[0]!.toUpperCase() + key.slice(1)): EnvironmentView {
  return { key, name, revision: 1, createdAt: AT };
}

/** A signed-in user with `role`. */
export function userMe(role: RoleName): MeView {
  return { kind: "user", id: 1, email: `${role}@example.com`, name: role, role };
}

/** A JSON answer for a stubbed fetch. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** A 409 as the server sends it: stale version, with the current state. */
export function conflictResponse(current: unknown, message = "version is stale"): Response {
  return jsonResponse({ error: { code: "conflict", message, issues: [], current } }, 409);
}

/** A query client that never retries and, by default, treats seeded data as fresh. */
export function testQueryClient({ staleTime = Infinity } = {}): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime }, mutations: { retry: false } } });
}

/** Renders inside a QueryClientProvider (re-renders too); returns the client with the render result. */
export function renderWithQueries(ui: ReactNode, queryClient = testQueryClient()) {
  const wrap = (node: ReactNode) => createElement(QueryClientProvider, { client: queryClient }, node);
  const result = render(wrap(ui));
  return { ...result, queryClient, rerender: (next: ReactNode) => result.rerender(wrap(next)) };
}
