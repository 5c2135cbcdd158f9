// Loading, empty and error states shared by every page, so each looks and reads the same.
import { ApiError } from "../api/client";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="state-loading" role="status">
      <span className="spinner" /> {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="state-empty">
      <div className="state-empty-title">{title}</div>
      {children && <div className="state-empty-body">{children}</div>}
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const e = error as Error;
  const field = e instanceof ApiError && e.field ? ` (field: ${e.field})` : "";
  const code = e instanceof ApiError ? `${e.code}: ` : "";
  return (
    <div className="error-banner" role="alert">
      <span>
        {code}
        {e.message}
        {field}
      </span>
      {onRetry && (
        <button className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}

export function Tag({ name }: { name: string }) {
  return <span className="tag">{name}</span>;
}
