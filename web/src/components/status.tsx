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
  // The server's message is the sentence a person reads; the error code and the field it names
  // stay on the element for tests and support, not in the text.
  const api = e instanceof ApiError ? e : null;
  return (
    <div className="error-banner" role="alert" data-code={api?.code} data-field={api?.field ?? undefined}>
      <span>{sentence(e.message)}</span>
      {onRetry && (
        <button className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** "wrong username or password" → "Wrong username or password." */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return "Something went wrong.";
  const first = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}

export function Tag({ name }: { name: string }) {
  return <span className="tag">{name}</span>;
}
