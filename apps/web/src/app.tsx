/** The app shell: session gate, live updates, navigation and routes. */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { BrowserRouter, NavLink, Navigate, Route, Routes } from "react-router";
import { ApiRequestError } from "./api";
import { LoginPage, useLogout, useUnauthenticatedRedirect } from "./auth";
import { ErrorNote, Loading } from "./components/feedback";
import { LiveProvider, useLive } from "./live";
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

export function App({ queryClient = createQueryClient() }: { queryClient?: QueryClient }) {
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
  if (me.error) return <ErrorNote error={me.error} title="Could not reach the server." />;
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
  const { status } = useLive();
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
          <span className={`live-dot ${status}`} role="status" title={status === "live" ? "Following changes live" : "Reconnecting to live updates"}>
            <span className="visually-hidden">{status === "live" ? "Live updates on" : "Live updates reconnecting"}</span>
          </span>
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
          <Route path="*" element={<ErrorNote error={new Error("This page does not exist.")} />} />
        </Routes>
      </main>
    </div>
  );
}
