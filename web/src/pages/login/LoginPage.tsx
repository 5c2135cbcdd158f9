import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { healthQuery } from "../../queries/account";
import { login } from "../../api/auth";
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

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await login(username, password);
      markSignedIn({ username: r.user.username });
      const next = params.get("next");
      // Only follow same-site paths, so a crafted ?next= cannot send the user elsewhere.
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
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
