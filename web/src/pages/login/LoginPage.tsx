import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { healthQuery } from "../../queries/account";
import { getMe, getProviders, login, SSO_DONE_PARAM, ssoStartHref } from "../../api/auth";
import { markSignedIn } from "../../auth/session";
import { ErrorBanner } from "../../components/status";

export function LoginPage() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // On an embedded server the admin signs in with the API key written at its first start.
  const local = useQuery(healthQuery()).data?.backend === "local";
  // The SSO button shows only when the server advertises an issuer.
  const sso = useQuery({ queryKey: ["auth", "providers"], queryFn: getProviders, staleTime: Infinity, retry: false }).data
    ?.oidc;
  const next = params.get("next");

  const enter = (who: string) => {
    markSignedIn({ username: who });
    // Only follow same-site paths, so a crafted ?next= cannot send the user elsewhere.
    navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
  };

  // Back from the issuer: the callback set the session cookies; learn whose they are.
  const ssoDone = params.get(SSO_DONE_PARAM) !== null;
  useEffect(() => {
    if (!ssoDone) return;
    getMe().then(
      (me) => enter(me.username),
      (err: unknown) => setError(err),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on arrival from the issuer
  }, [ssoDone]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await login(username, password);
      enter(r.user.username);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" />
          wanLLMDB
        </div>
        <h1>Sign in</h1>
        <ErrorBanner error={error} />
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {sso && (
          // A full navigation, not a fetch: the issuer's sign-in page takes over the window.
          <a className="btn" data-testid="sso-login" href={ssoStartHref(sso.start_url, next)}>
            Sign in with {sso.name}
          </a>
        )}
        {local && (
          <p className="muted small" data-testid="local-login-hint">
            Local server: user <code>admin</code>, password: the key in <code>~/.wanllmdb/admin-api-key</code> (or{" "}
            <code>&lt;data dir&gt;/admin-api-key</code> with <code>--data-dir</code>).
          </p>
        )}
      </form>
    </div>
  );
}
