// Where the report pages live: under their project, like the workspace and sweeps.
type ReportRef = { id: string; entity: string; project: string };

export const reportsHref = (entity: string, project: string) => `/${entity}/${project}/reports`;
export const reportHref = (r: ReportRef) => `${reportsHref(r.entity, r.project)}/${r.id}`;
export const reportEditHref = (r: ReportRef) => `${reportHref(r)}/edit`;
export const reportHistoryHref = (r: ReportRef) => `${reportHref(r)}/history`;
export const sharedReportHref = (token: string) => `/shared/reports/${token}`;
