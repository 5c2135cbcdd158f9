import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useSignedIn } from "../../auth/useSignedIn";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { inboxQuery } from "../../queries/registry";
import { REGISTRIES_HREF } from "./links";
import { RequestList } from "./RequestList";
import "./registry.css";

/** /registry-requests: the pending requests the caller may review, across registries (GET /api/registry-requests). */
export default function InboxPage() {
  const me = useSignedIn();
  const inbox = useQuery(inboxQuery());
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          <Link to={REGISTRIES_HREF} className="muted">
            Registries
          </Link>
          <span className="muted">/</span>
          Review requests
        </h1>
      </div>
      <ErrorBanner error={inbox.error} onRetry={() => void inbox.refetch()} />
      {inbox.isPending ? (
        inbox.error ? null : <Loading what="Loading requests" />
      ) : inbox.data && inbox.data.length === 0 ? (
        <Empty title="Nothing to review">
          Requests to move a model to a protected stage or alias show here for those who may approve them. A model&apos;s closed requests are on its
          versions&apos; Requests tab.
        </Empty>
      ) : (
        // The server lists only requests the caller may review, so each pending one offers its controls.
        <RequestList requests={inbox.data ?? []} me={me} canReview={() => true} showModel />
      )}
    </div>
  );
}
