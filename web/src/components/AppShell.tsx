import { Link, NavLink, Outlet, useLocation, useNavigate, useParams } from "react-router";
import { logout as endSession } from "../api/auth";
import { markSignedIn } from "../auth/session";
import { signInHref } from "../auth/signedOut";
import { useSignedIn } from "../auth/useSignedIn";
import { NotificationBell } from "./NotificationBell";

export function AppShell() {
  const { entity, project } = useParams();
  const navigate = useNavigate();
  const { pathname, search } = useLocation();
  const signedIn = useSignedIn();
  const logout = async () => {
    // The server ends the sign-in and clears its cookies; the local marker goes whatever it answers.
    await endSession().catch(() => undefined);
    markSignedIn(null);
    navigate("/login");
  };
  const base = entity && project ? `/${entity}/${project}` : null;
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" />
          wanLLMDB
        </Link>
        {base && (
          <nav className="crumbs">
            <span className="crumb-entity">{entity}</span>
            <span className="crumb-sep">/</span>
            <Link to={base}>{project}</Link>
            <NavLink end to={base} className="tab">
              Overview
            </NavLink>
            <NavLink to={`${base}/workspace`} className="tab">
              Workspace
            </NavLink>
            <NavLink to={`${base}/table`} className="tab">
              Runs
            </NavLink>
            <NavLink to={`${base}/artifacts`} className="tab">
              Artifacts
            </NavLink>
            <NavLink to={`${base}/sweeps`} className="tab">
              Sweeps
            </NavLink>
            <NavLink to={`${base}/reports`} className="tab">
              Reports
            </NavLink>
            {signedIn && (
              <NavLink to={`${base}/settings`} className="tab">
                Settings
              </NavLink>
            )}
          </nav>
        )}
        {/* Signed out (a public project's visitor): no bell, organization or profile, which all need a user. */}
        {signedIn ? (
          <div className="topbar-right">
            <NavLink to="/registries" className="user" title="Model registries and review requests">
              Registry
            </NavLink>
            <NotificationBell />
            <Link to="/settings/org" className="user" title="Members, teams, roles and API keys">
              Organization
            </Link>
            <Link to="/settings/profile" className="user" title="Profile and API keys">
              {signedIn}
            </Link>
            <button className="btn btn-ghost" onClick={logout}>
              Log out
            </button>
          </div>
        ) : (
          <div className="topbar-right">
            <Link to={signInHref(pathname, search)} className="btn btn-primary" data-testid="sign-in">
              Sign in
            </Link>
          </div>
        )}
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
