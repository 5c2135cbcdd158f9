// The collaboration handle for ReportEditor's optional `collab` prop: a Y.Doc per report, synced by
// ReportCollabProvider while the component is mounted. The doc and provider live as long as the report
// id; mounting connects and unmounting disconnects (so React's StrictMode remount reconnects cleanly;
// a provider is never destroyed under a mounted editor, and a disconnected one holds no timers).
import { useEffect, useMemo, useState } from "react";
import * as Y from "yjs";
import { type CollabStatus, type CollabUser, type ProviderOptions, ReportCollabProvider } from "./provider";

export interface Collab {
  ydoc: Y.Doc;
  provider: ReportCollabProvider;
  user: CollabUser;
  status: CollabStatus;
}

export function useCollab(reportId: string, user: CollabUser, options?: ProviderOptions): Collab {
  const { ydoc, provider } = useMemo(() => {
    const doc = new Y.Doc();
    return { ydoc: doc, provider: new ReportCollabProvider(reportId, doc, options) };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one doc per report id
  }, [reportId]);
  const [status, setStatus] = useState<CollabStatus>(provider.status);

  useEffect(() => {
    const onStatus = (s: unknown) => setStatus(s as CollabStatus);
    provider.on("status", onStatus);
    provider.connect();
    return () => {
      provider.off("status", onStatus);
      provider.disconnect();
    };
  }, [provider]);

  const color = user.color;
  const name = user.name;
  const stableUser = useMemo(() => ({ name, color }), [name, color]);
  return { ydoc, provider, user: stableUser, status };
}
