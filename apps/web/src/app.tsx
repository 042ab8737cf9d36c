/** The app shell: session gate, live updates, navigation and routes. */
import { useState } from "react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { BrowserRouter, Link, NavLink, Navigate, Route, Routes } from "react-router";
import { ApiRequestError } from "./api";
import { LoginPage, useLogout, useUnauthenticatedRedirect } from "./auth";
import { Empty, LoadError, Loading } from "./components/feedback";
import { LiveProvider, LiveStatusIndicator } from "./live";
import { AuditPage } from "./pages/audit";
import { CredentialsPage } from "./pages/credentials";
import { EnvironmentsPage } from "./pages/environments";
import { FlagPage } from "./pages/flag";
import { FlagsPage } from "./pages/flags";
import { SegmentsPage } from "./pages/segments";
import { meQuery } from "./queries";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Live events invalidate what changed; refetching on focus covers a laptop that slept.
      queries: {
        staleTime: 5_000,
        // A 4xx (not found, forbidden) will not change by asking again; a network blip might.
        retry: (failures, error) => failures < 1 && !(error instanceof ApiRequestError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
}

export function App({ queryClient: given }: { queryClient?: QueryClient }) {
  // Created once: a new client on a re-render would drop every cached answer.
  const [queryClient] = useState(() => given ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionGate />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function SessionGate() {
  useUnauthenticatedRedirect();
  const me = useQuery(meQuery);
  if (me.isPending) return <Loading what="your session" />;
  if (me.data === undefined) return <LoadError what="your session" error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <LoginPage />;
  return (
    <LiveProvider>
      <Shell />
    </LiveProvider>
  );
}

const nav = [
  { to: "/flags", label: "Flags" },
  { to: "/segments", label: "Segments" },
  { to: "/environments", label: "Environments" },
  { to: "/credentials", label: "Credentials" },
  { to: "/audit", label: "Audit log" },
];

function Shell() {
  const me = useQuery(meQuery).data!;
  const logout = useLogout();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/flags" className="brand">
          <span className="brand-mark" aria-hidden="true">⇌</span> Switchyard
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="session">
          <LiveStatusIndicator />
          <span className="who">
            {"email" in me ? me.email : me.name} <span className="role">{"role" in me ? me.role : me.kind}</span>
          </span>
          <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to="/flags" replace />} />
          <Route path="/flags" element={<FlagsPage />} />
          <Route path="/flags/:key" element={<FlagPage />} />
          <Route path="/segments" element={<SegmentsPage />} />
          <Route path="/environments" element={<EnvironmentsPage />} />
          <Route path="/credentials" element={<CredentialsPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <Empty>
      <h1>This page does not exist</h1>
      <p>
        The address may be mistyped, or the page moved. <Link to="/flags">Go to the flags</Link>
      </p>
    </Empty>
  );
}
