// React Query keys and options of the report pages; every key starts with "reports", so one
// invalidation after a change refreshes what shows it.
import { queryOptions } from "@tanstack/react-query";
import { getReport, getSharedReport, listMyReports, listProjectReports, listShareLinks, listThreads, listVersions, type ReportState } from "./api";

export const reportsKey = ["reports"] as const;

export const projectReportsQuery = (projectId: string, q: { q: string; state: ReportState | ""; starred: boolean }) =>
  queryOptions({ queryKey: [...reportsKey, "project", projectId, q], queryFn: () => listProjectReports(projectId, q), enabled: !!projectId });

export const myReportsQuery = (which: "mine" | "starred") => queryOptions({ queryKey: [...reportsKey, "my", which], queryFn: () => listMyReports(which) });

export const reportQuery = (id: string) => queryOptions({ queryKey: [...reportsKey, "one", id], queryFn: () => getReport(id) });

export const sharedReportQuery = (token: string) => queryOptions({ queryKey: [...reportsKey, "shared", token], queryFn: () => getSharedReport(token), retry: false });

export const versionsQuery = (id: string) => queryOptions({ queryKey: [...reportsKey, "versions", id], queryFn: () => listVersions(id) });

/** Comment threads: asked again every 15 s while the page is open, so a teammate's reply appears. */
export const threadsQuery = (id: string) => queryOptions({ queryKey: [...reportsKey, "threads", id], queryFn: () => listThreads(id), refetchInterval: 15_000 });

export const shareLinksQuery = (id: string) => queryOptions({ queryKey: [...reportsKey, "links", id], queryFn: () => listShareLinks(id) });
