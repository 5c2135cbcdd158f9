/** What both entries (Node and browser) export. */
export { Api, type ApiOptions, type HistoryQuery, type HistoryRow, type RunsQuery } from "./api.js";
export { Config, type ConfigValue } from "./config.js";
export { ApiError, InvalidValue, UsageError, WanllmdbError } from "./errors.js";
export { DEFAULT_BASE_URL, SDK_VERSION, type InitOptions } from "./init.js";
export type { CloseResult } from "./pipeline.js";
export type { RunInfo } from "./rest.js";
export type { MetricOptions, MetricRule, SummaryMode } from "./rules.js";
export { Run, type AlertLevel, type AlertOptions, type DefineMetricOptions, type FinishOptions, type LogOptions } from "./run.js";
export { Summary } from "./summary.js";
export { MAX_KEY_LENGTH } from "./values.js";
