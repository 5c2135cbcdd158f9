import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { register } from "../../api/auth";
import { markSignedIn } from "../../auth/session";
import { ErrorBanner } from "../../components/status";

/** /join?invitation=wli_…: someone invited picks a username and password; the invitation works once. */
export function JoinPage() {
  const [params] = useSearchParams();
  const invitation = params.get("invitation") ?? "";
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const made = await register({ username, password, invitation });
      markSignedIn({ username: made.user.username });
      navigate("/", { replace: true });
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
        <h1>Join</h1>
        {!invitation ? (
          <p className="small">
            This page needs the invitation link you were sent. <Link to="/login">Sign in</Link> if you have an account.
          </p>
        ) : (
          <>
            <p className="muted small">You were invited. Choose how you sign in from now on.</p>
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
                autoComplete="new-password"
                minLength={8}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            </label>
            <button className="btn btn-primary" type="submit" disabled={busy}>
              {busy ? "Creating your account…" : "Create account"}
            </button>
          </>
        )}
      </form>
    </div>
  );
}
