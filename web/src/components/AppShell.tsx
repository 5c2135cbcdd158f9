import { Link, NavLink, Outlet, useNavigate, useParams } from "react-router";
import { logout as endSession } from "../api/auth";
import { markSignedIn, readSignedIn } from "../auth/session";
import { NotificationBell } from "./NotificationBell";

export function AppShell() {
  const { entity, project } = useParams();
  const navigate = useNavigate();
  const signedIn = readSignedIn();
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
            <NavLink to={`${base}/settings`} className="tab">
              Settings
            </NavLink>
          </nav>
        )}
        <div className="topbar-right">
          <NotificationBell />
          <Link to="/settings/org" className="user" title="Members, teams, roles and API keys">
            Organization
          </Link>
          <Link to="/settings/profile" className="user" title="Profile and API keys">
            {signedIn?.username}
          </Link>
          <button className="btn btn-ghost" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
