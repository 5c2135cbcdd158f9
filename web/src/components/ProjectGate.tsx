import { Link, Outlet, useLocation, useParams } from "react-router";
import { signedOutBlock, signInHref } from "../auth/signedOut";
import { useSignedIn } from "../auth/useSignedIn";
import { useProject } from "../queries/projects";

const MESSAGES = {
  private: "This project is private or does not exist. Sign in to see it.",
  session: "Your sign-in has ended. Sign in again to see this project.",
} as const;

/** /:entity/:project/*: a signed-out visitor sees a public project's pages; for any other project, a page that
 * says why and links to the login page, rather than an error banner. The pages ask for the same project (one
 * request, shared through the query cache) and show their own loading and errors, so this adds no wait. */
export function ProjectGate() {
  const { entity = "", project = "" } = useParams();
  const signedIn = useSignedIn();
  const { pathname, search } = useLocation();
  const p = useProject(entity, project);
  const block = p.data ? null : signedOutBlock(p.error, signedIn !== null);
  if (!block) return <Outlet />;
  return (
    <div className="page">
      <div className="state-empty" data-testid="project-private">
        <div className="state-empty-title">{MESSAGES[block]}</div>
        <div className="state-empty-body">
          <Link className="btn btn-primary" to={signInHref(pathname, search)}>
            Sign in
          </Link>
        </div>
      </div>
    </div>
  );
}
