import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { reviewRequest, type PromotionRequest, type Review } from "../../api/registry";
import { ErrorBanner } from "../../components/status";
import { registryKey } from "../../queries/registry";
import { requestSummary } from "../../shaping/registry";
import { shortTime } from "../artifacts/links";
import { registeredVersionHref } from "./links";

interface Props {
  requests: PromotionRequest[];
  /** Who is reading: their own pending requests can be cancelled. */
  me: string | null;
  /** Whether the reader may approve or reject (the registry's `registry:approve`). */
  canReview: (r: PromotionRequest) => boolean;
  /** Whether each row names its registry and model (the inbox spans registries). */
  showModel?: boolean;
}

/** Requests, each with its review controls where the reader may act: approve in one click, reject with a comment. */
export function RequestList({ requests, me, canReview, showModel = false }: Props) {
  return (
    <ul className="reg-requests" data-testid="requests">
      {requests.map((r) => (
        <RequestItem key={r.id} r={r} showModel={showModel} review={r.status === "pending" && canReview(r)} cancel={r.status === "pending" && r.requested_by === me} />
      ))}
    </ul>
  );
}

function RequestItem({ r, showModel, review, cancel }: { r: PromotionRequest; showModel: boolean; review: boolean; cancel: boolean }) {
  const qc = useQueryClient();
  const [comment, setComment] = useState("");
  const close = useMutation({
    mutationFn: (how: Review) => reviewRequest(r, how, comment.trim()),
    onSuccess: () => {
      setComment("");
      // The move (on approval) changes badges, aliases, the timeline and the inbox of the registry.
      void qc.invalidateQueries({ queryKey: registryKey });
    },
  });
  const version = registeredVersionHref(r.entity, r.registry, r.model, r.version);
  return (
    <li className={`reg-request reg-request-${r.status}`} data-request={r.id} data-status={r.status}>
      <div className="reg-request-head">
        <span className={`badge reg-status reg-status-${r.status}`}>{r.status}</span>
        <Link to={version} className="reg-request-title">
          {showModel && (
            <span className="muted">
              {r.entity}/{r.registry}/{r.model}{" "}
            </span>
          )}
          {requestSummary(r)}
        </Link>
        <span className="muted small">
          by {r.requested_by}, {shortTime(r.created_at)}
        </span>
      </div>
      {r.comment && <div className="reg-comment">{r.comment}</div>}
      {r.closed_by && (
        <div className="muted small">
          {r.status} by {r.closed_by}
          {r.closed_at ? `, ${shortTime(r.closed_at)}` : ""}
          {r.close_comment ? <span className="reg-comment"> “{r.close_comment}”</span> : null}
        </div>
      )}
      {(review || cancel) && (
        <form className="reg-review" onSubmit={(e) => e.preventDefault()}>
          <input
            className="grow"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder={review ? "Comment (required to reject)" : "Comment"}
            aria-label={`Comment on ${requestSummary(r)}`}
          />
          {review && (
            <>
              <button type="button" className="btn btn-primary btn-small" disabled={close.isPending} onClick={() => close.mutate("approve")}>
                Approve
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={close.isPending || !comment.trim()}
                title={comment.trim() ? undefined : "Say why in the comment first"}
                onClick={() => close.mutate("reject")}
              >
                Reject
              </button>
            </>
          )}
          {cancel && (
            <button type="button" className="btn btn-small btn-ghost" disabled={close.isPending} onClick={() => close.mutate("cancel")}>
              Cancel request
            </button>
          )}
        </form>
      )}
      <ErrorBanner error={close.error} />
    </li>
  );
}
