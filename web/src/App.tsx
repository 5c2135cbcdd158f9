import { useEffect, useState } from "react";
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { AppShell } from "./components/AppShell";
import { lazyComponent } from "./components/lazyComponent";
import { ProjectGate } from "./components/ProjectGate";
import { onSignedInChange } from "./auth/session";
import { signInHref } from "./auth/signedOut";
import { useSignedIn } from "./auth/useSignedIn";
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
const RegistriesPage = lazyComponent(() => import("./pages/registry/RegistriesPage"));
const RegistryPage = lazyComponent(() => import("./pages/registry/RegistryPage"));
const ModelPage = lazyComponent(() => import("./pages/registry/ModelPage"));
const RegisteredVersionPage = lazyComponent(() => import("./pages/registry/RegisteredVersionPage"));
const InboxPage = lazyComponent(() => import("./pages/registry/InboxPage"));
const SweepsPage = lazyComponent(() => import("./pages/sweeps/SweepsPage"));
const SweepPage = lazyComponent(() => import("./pages/sweeps/SweepPage"), "Loading sweep");
// Reports (issue 21): the editor's chunk (TipTap, lowlight) loads only on the edit route.
const ReportsListPage = lazyComponent(() => import("./pages/reports/ReportsListPage"));
const MyReportsPage = lazyComponent(() => import("./pages/reports/MyReportsPage"));
const ReportPage = lazyComponent(() => import("./pages/reports/ReportPage"), "Loading report");
const ReportEditPage = lazyComponent(() => import("./pages/reports/ReportEditPage"), "Loading editor");
const ReportHistoryPage = lazyComponent(() => import("./pages/reports/HistoryPage"));
const SharedReportPage = lazyComponent(() => import("./pages/reports/SharedReportPage"), "Loading report");

/** The pages only a signed-in user has (the projects list, settings): a visitor goes to the login page, and back here after. */
function RequireSession() {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) return <Navigate to={signInHref(location.pathname, location.search)} replace />;
  return <Outlet />;
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
          <Route element={<AppShell />}>
            <Route element={<RequireSession />}>
              <Route index element={<ProjectsPage />} />
              <Route path="settings" element={<Navigate to="/settings/profile" replace />} />
              <Route path="settings/profile" element={<ProfilePage />} />
              <Route path="settings/org" element={<OrgSettingsPage />} />
              <Route path="settings/outbox" element={<OutboxPage />} />
              {/* The model registry (docs/registry.md, "Dashboard links": notifications link here). Before
                  :entity/:project/settings, so a registry named `settings` is a registry. */}
              <Route path="registries" element={<RegistriesPage />} />
              <Route path="registries/:entity/:registry" element={<RegistryPage />} />
              <Route path="registries/:entity/:registry/:model" element={<ModelPage />} />
              <Route path="registries/:entity/:registry/:model/:version" element={<RegisteredVersionPage />} />
              <Route path="registries/:entity/:registry/:model/:version/:tab" element={<RegisteredVersionPage />} />
              <Route path="registry-requests" element={<InboxPage />} />
              <Route path="reports" element={<MyReportsPage />} />
              <Route path=":entity/:project/settings" element={<ProjectSettingsPage />} />
              <Route path="*" element={<Navigate to="/" replace />} />
            </Route>
            {/* A project's pages only read it: a public project's open to a signed-out visitor too (docs/auth.md). */}
            {/* Named out, not only p/:projectId/*: a splat ranks below :entity/:project/runs/:runId. */}
            {/* A view link opens the report without an account. */}
            <Route path="shared/reports/:token" element={<SharedReportPage />} />
            <Route path="p/:projectId/*" element={<ProjectRedirect />} />
            <Route path="p/:projectId/runs/:runId" element={<ProjectRedirect />} />
            <Route path="p/:projectId/artifacts/:name" element={<ProjectRedirect />} />
            <Route path="p/:projectId/workspace" element={<ProjectRedirect />} />
            <Route path=":entity/:project" element={<ProjectGate />}>
              <Route index element={<OverviewPage />} />
              <Route path="table" element={<RunsTablePage />} />
              <Route path="workspace" element={<WorkspacePage />} />
              <Route path="runs/:runId" element={<RunPage />} />
              <Route path="runs/:runId/:tab" element={<RunPage />} />
              <Route path="runs/:runId/tables/*" element={<TablePage />} />
              <Route path="artifacts" element={<ArtifactsPage />} />
              <Route path="artifacts/:name" element={<ArtifactsPage />} />
              <Route path="artifacts/:name/:label" element={<VersionPage />} />
              <Route path="artifacts/:name/:label/:tab" element={<VersionPage />} />
              <Route path="sweeps" element={<SweepsPage />} />
              <Route path="sweeps/:sweepId" element={<SweepPage />} />
              <Route path="reports" element={<ReportsListPage />} />
              <Route path="reports/:reportId" element={<ReportPage />} />
              <Route path="reports/:reportId/edit" element={<ReportEditPage />} />
              <Route path="reports/:reportId/history" element={<ReportHistoryPage />} />
            </Route>
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
