/** Who is signed in, what they may do, and the sign-in page. */
import { useEffect, useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { MeView, RoleName } from "@switchyard/core";
import { api, setUnauthenticatedHandler } from "./api";
import { keys, meQuery } from "./queries";
import { ErrorNote, FieldError, hasIssues, unclaimed } from "./components/feedback";

const rank: Record<RoleName, number> = { viewer: 0, editor: 1, admin: 2 };

export function useMe(): MeView | null | undefined {
  return useQuery(meQuery).data;
}

/** Whether the signed-in user may act at some role, and if not, the reason to show on the control. */
export interface Permission {
  allowed: boolean;
  reason: string | undefined;
}

export function usePermission(role: RoleName): Permission {
  const me = useMe();
  const own = me && "role" in me ? me.role : undefined;
  const allowed = own !== undefined && rank[own] >= rank[role];
  return { allowed, reason: allowed ? undefined : `Your role is ${own ?? "none"}; this needs ${role === "admin" ? "an admin" : "an editor or admin"}.` };
}

export function useUnauthenticatedRedirect() {
  const queryClient = useQueryClient();
  useEffect(() => {
    // A session that expired or was ended elsewhere: back to the sign-in page.
    setUnauthenticatedHandler(() => queryClient.setQueryData(keys.me, null));
  }, [queryClient]);
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>("POST", "/api/v1/auth/logout"),
    onSettled: () => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] });
      queryClient.setQueryData(keys.me, null);
    },
  });
}

export function LoginPage() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const id = useId();
  const login = useMutation({
    mutationFn: async () => {
      await api<unknown>("POST", "/api/v1/auth/login", { body: { email, password } });
      return api<MeView>("GET", "/api/v1/me");
    },
    onSuccess: (me) => {
      // Nothing cached from another user's session may show; the session query itself stays
      // observed by the gate, so it is replaced, not removed.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] });
      queryClient.setQueryData(keys.me, me);
    },
  });
  const error = login.error;

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate();
  }

  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>
          <span className="brand-mark" aria-hidden="true">⇌</span> Switchyard
        </h1>
        <p className="muted">Sign in to manage feature flags.</p>
        <label htmlFor={`${id}-email`}>Email</label>
        <input id={`${id}-email`} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus aria-invalid={hasIssues(error, "email") || undefined} />
        <FieldError error={error} path="email" />
        <label htmlFor={`${id}-password`}>Password</label>
        <input id={`${id}-password`} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required aria-invalid={hasIssues(error, "password") || undefined} />
        <FieldError error={error} path="password" />
        <ErrorNote error={unclaimed(error, ["email", "password"])} />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
