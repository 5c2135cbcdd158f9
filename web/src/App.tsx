import { useEffect, useState } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { AppShell } from "./components/AppShell";
import { lazyComponent } from "./components/lazyComponent";
import { onSignedInChange, readSignedIn } from "./auth/session";
import { JoinPage } from "./pages/join/JoinPage";
import { LoginPage } from "./pages/login/LoginPage";
import { createQueryClient } from "./queries/client";

// Every page is its own chunk: the login page never pays for uPlot or the grid layout. Loaded by
// lazyComponent, not React.lazy + Suspense, whose reveal throttle held each first page view back ~300 ms.
const ProjectsPage = lazyComponent(() => import("./pages/projects/ProjectsPage"));
const OverviewPage = lazyComponent(() => import("./pages/overview/OverviewPage"));
const RunsTablePage = lazyComponent(() => import("./pages/table/RunsTablePage"));
const WorkspacePage = lazyComponent(() => import("./pages/workspace/WorkspacePage"));
const RunPage = lazyComponent(() => import("./pages/run/RunPage"));
const TablePage = lazyComponent(() => import("./pages/tables/TablePage"), "Loading table");
const ProfilePage = lazyComponent(() => import("./pages/settings/ProfilePage"));
const OrgSettingsPage = lazyComponent(() => import("./pages/settings/OrgSettingsPage"));
const ProjectSettingsPage = lazyComponent(() => import("./pages/settings/ProjectSettingsPage"));
const OutboxPage = lazyComponent(() => import("./pages/settings/OutboxPage"));
const ProjectRedirect = lazyComponent(() => import("./pages/links/ProjectRedirect"));
const ArtifactsPage = lazyComponent(() => import("./pages/artifacts/ArtifactsPage"));
const VersionPage = lazyComponent(() => import("./pages/artifacts/VersionPage"));

function RequireSession({ children }: { children: React.ReactNode }) {
  const [signedIn, setSignedIn] = useState(readSignedIn);
  const location = useLocation();
  useEffect(() => onSignedInChange(setSignedIn), []);
  if (!signedIn) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  // What one user's session fetched is never shown to whoever signs in next on this page.
  useEffect(
    () =>
      onSignedInChange((s) => {
        if (!s) queryClient.clear();
      }),
    [queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/join" element={<JoinPage />} />
          <Route
            element={
              <RequireSession>
                <AppShell />
              </RequireSession>
            }
          >
            <Route index element={<ProjectsPage />} />
            <Route path="settings" element={<Navigate to="/settings/profile" replace />} />
            <Route path="settings/profile" element={<ProfilePage />} />
            <Route path="settings/org" element={<OrgSettingsPage />} />
            <Route path="settings/outbox" element={<OutboxPage />} />
            {/* Named out, not only p/:projectId/*: a splat ranks below :entity/:project/runs/:runId. */}
            <Route path="p/:projectId/*" element={<ProjectRedirect />} />
            <Route path="p/:projectId/runs/:runId" element={<ProjectRedirect />} />
            <Route path="p/:projectId/artifacts/:name" element={<ProjectRedirect />} />
            <Route path="p/:projectId/workspace" element={<ProjectRedirect />} />
            <Route path=":entity/:project" element={<OverviewPage />} />
            <Route path=":entity/:project/table" element={<RunsTablePage />} />
            <Route path=":entity/:project/settings" element={<ProjectSettingsPage />} />
            <Route path=":entity/:project/workspace" element={<WorkspacePage />} />
            <Route path=":entity/:project/runs/:runId" element={<RunPage />} />
            <Route path=":entity/:project/runs/:runId/:tab" element={<RunPage />} />
            <Route path=":entity/:project/runs/:runId/tables/*" element={<TablePage />} />
            <Route path=":entity/:project/artifacts" element={<ArtifactsPage />} />
            <Route path=":entity/:project/artifacts/:name" element={<ArtifactsPage />} />
            <Route path=":entity/:project/artifacts/:name/:label" element={<VersionPage />} />
            <Route path=":entity/:project/artifacts/:name/:label/:tab" element={<VersionPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
