/**
 * init(): resolve the options, open the spool, create (or resume) the run on the server, start the
 * background pipeline. A server that does not answer within `initTimeoutMs` only delays the create:
 * the run goes on from its spool and is uploaded once the server answers (or by `wanllmdb sync` in
 * Node). A server that refuses the run (a taken id, a key without access) fails init() with ApiError.
 */
import type { ChunkEncoder } from "./encoder.js";
import { ApiError, Transient, UsageError } from "./errors.js";
import { Pipeline } from "./pipeline.js";
import { callWithRetry, RestClient, type Fetch } from "./rest.js";
import { Run } from "./run.js";
import type { Op, Spool } from "./spool.js";
import { randomToken, Uploader } from "./uploader.js";
import { isPlainObject } from "./values.js";

export const SDK_VERSION = "0.1.0";
export const DEFAULT_BASE_URL = "http://127.0.0.1:8080";

export interface InitOptions {
  project?: string;
  entity?: string;
  /** Display name; the server picks a memorable one when none is given. */
  name?: string;
  /** Run id ([A-Za-z0-9_.-], at most 128 characters); random when not given. */
  id?: string;
  config?: Record<string, unknown>;
  tags?: string[];
  notes?: string;
  group?: string;
  jobType?: string;
  /** The Python spelling of jobType. */
  job_type?: string;
  /** Continue an existing run of `id`: "allow" (resume or create), "must" (it must exist), "never" (default). true is "allow". */
  resume?: boolean | "allow" | "must" | "never";
  /** "offline": nothing goes to the server; Node spools the run for `wanllmdb sync`. */
  mode?: "online" | "offline" | "disabled";
  /** Server URL (default $WANLLMDB_BASE_URL in Node, else http://127.0.0.1:8080). */
  baseUrl?: string;
  /** API key (default $WANLLMDB_API_KEY in Node). */
  apiKey?: string;
  /** Node: run folders go to `<dir>/wanllmdb/` (default $WANLLMDB_DIR, else the working directory). */
  dir?: string;
  allowValChange?: boolean;
  flushIntervalMs?: number;
  flushMaxValues?: number;
  initTimeoutMs?: number;
  finishTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBackoffMs?: number;
  httpTimeoutMs?: number;
  /** Another fetch (a proxy, tests). */
  fetch?: Fetch;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/** What differs between Node and the browser. */
export interface Platform {
  env(name: string): string | undefined;
  openSpool(runId: string, dir: string | undefined): Promise<Spool>;
  previousAttempt(runId: string, dir: string | undefined): Promise<number>;
  discardSpool(spool: Spool): Promise<void>;
  metadata(): Record<string, unknown>;
  /** Where chunks are encoded (default: inline). */
  encoder?(): ChunkEncoder;
  /** Called once the run is live (Node: finish it when the script ends without finish()). */
  started?(run: Run): void;
}

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

function newId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const raw = globalThis.crypto.getRandomValues(new Uint8Array(8));
  return Array.from(raw, (b) => alphabet[b % alphabet.length]).join("");
}

function resumeMode(resume: InitOptions["resume"]): "allow" | "must" | "never" {
  if (resume === undefined || resume === false) return "never";
  if (resume === true) return "allow";
  if (resume === "allow" || resume === "must" || resume === "never") return resume;
  throw new UsageError(`init(resume=${JSON.stringify(resume)}): use one of allow, must, never (or true/false)`);
}

function checkString(name: string, value: unknown, max: number): void {
  if (value !== undefined && (typeof value !== "string" || value.length > max)) {
    throw new UsageError(`init(): ${name} must be a string of at most ${max} characters`);
  }
}

export async function initWith(platform: Platform, opts: InitOptions = {}): Promise<Run> {
  const warn = opts.warn ?? ((m: string) => console.warn(`wanllmdb: ${m}`));
  const mode = opts.mode ?? (platform.env("WANLLMDB_MODE") as InitOptions["mode"]) ?? "online";
  if (!["online", "offline", "disabled"].includes(mode)) throw new UsageError(`init(mode=${JSON.stringify(mode)}): use online, offline or disabled`);
  const id = opts.id ?? newId();
  if (!ID.test(id) || id === "." || id === "..") throw new UsageError(`init(id=${JSON.stringify(id)}): ids are 1..128 of [A-Za-z0-9_.-]`);
  const resume = resumeMode(opts.resume);
  for (const [name, max] of [["project", 128], ["entity", 128], ["name", 128], ["group", 128], ["notes", 20_000]] as const) {
    checkString(name, opts[name], max);
  }
  const jobType = opts.jobType ?? opts.job_type;
  checkString("jobType", jobType, 128);
  const tags = opts.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string" || !t || t.length > 64) || tags.length > 64) {
    throw new UsageError("init(): tags must be at most 64 strings of 1..64 characters");
  }
  if (opts.config !== undefined && !isPlainObject(opts.config)) throw new UsageError("init(): config must be a plain object");
  const baseUrl = (opts.baseUrl ?? platform.env("WANLLMDB_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const apiKey = opts.apiKey ?? platform.env("WANLLMDB_API_KEY");
  const project = opts.project ?? platform.env("WANLLMDB_PROJECT") ?? "uncategorized";
  const entity = opts.entity ?? platform.env("WANLLMDB_ENTITY") ?? null;
  const timing = {
    flushIntervalMs: opts.flushIntervalMs ?? 5_000,
    flushMaxValues: opts.flushMaxValues ?? 50_000,
    initTimeoutMs: opts.initTimeoutMs ?? 2_000,
    finishTimeoutMs: opts.finishTimeoutMs ?? 10_000,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 30_000,
    maxBackoffMs: opts.maxBackoffMs ?? 30_000,
  };

  const identity = { id, name: opts.name ?? null, project, entity, projectId: null as string | null, attempt: 0, mode, dir: null as string | null };
  let pipelineRef: Pipeline | null = null;
  const run = new Run(identity, 0, timing.finishTimeoutMs, (change) => pipelineRef?.submitOp("config", { config: change, allow_val_change: true }), opts.allowValChange, warn);
  run.config.update(opts.config ?? {});
  if (mode === "disabled") return run;

  const dir = opts.dir ?? platform.env("WANLLMDB_DIR");
  const prev = resume !== "never" ? await platform.previousAttempt(id, dir) : -1;
  identity.attempt = Math.max(prev + 1, 0);
  const spool = await platform.openSpool(id, dir);
  identity.dir = spool.path;
  const runBody: Record<string, unknown> = {
    id,
    config: run.config.toJSON(),
    tags,
    metadata: platform.metadata(),
    resume,
    // Kept in the spooled op, so every retry of this create (now, or from `wanllmdb sync`) is
    // recognised by the server and never counts as another resume.
    resume_token: randomToken(),
  };
  for (const [k, v] of [["name", opts.name], ["notes", opts.notes], ["group", opts.group], ["job_type", jobType]] as const) {
    if (v !== undefined) runBody[k] = v;
  }
  const create: Op = { n: 0, op: "create", body: { project, entity, run: runBody } };
  await spool.appendOp(create);
  const record: Record<string, unknown> = {
    id,
    project,
    entity,
    name: identity.name,
    tags,
    notes: opts.notes ?? null,
    group: opts.group ?? null,
    job_type: jobType ?? null,
    base_url: baseUrl,
    mode,
    sweep_id: null,
    sdk: `typescript ${SDK_VERSION}`,
    attempt: identity.attempt,
    pid: typeof process !== "undefined" ? process.pid : null,
    created_at: Date.now() / 1000,
    dir: spool.path,
  };
  await spool.writeRecord(record);

  let uploader: Uploader | null = null;
  let startStep = 0;
  if (mode === "online") {
    const client = new RestClient(baseUrl, apiKey, { timeoutMs: opts.httpTimeoutMs ?? 10_000, fetch: opts.fetch });
    uploader = new Uploader(spool, client, id, { maxBackoffMs: timing.maxBackoffMs, warn });
    uploader.addOp(create);
    try {
      const deadline = Date.now() + timing.initTimeoutMs;
      const server = await callWithRetry(() => uploader!.create(create.body), { deadline, maxBackoffMs: 500 });
      await uploader.createdByInit(create);
      identity.attempt = Number(server.attempt ?? 0);
      identity.projectId = uploader.projectId;
      identity.entity = server.entity ?? entity;
      identity.name = server.name ?? identity.name;
      Object.assign(record, { attempt: identity.attempt, project_id: identity.projectId, entity: identity.entity, name: identity.name });
      await spool.writeRecord(record);
      const step = (server.summary as Record<string, unknown> | undefined)?.["_step"];
      if (typeof step === "number") startStep = step + 1;
    } catch (err) {
      if (err instanceof ApiError) {
        // The run was refused, so nothing of it may stay behind for `wanllmdb sync` to replay.
        await platform.discardSpool(spool);
        throw err;
      }
      if (!(err instanceof Transient)) throw err;
      const where = spool.path ? ` in ${spool.path}` : " in memory";
      warn(`server ${baseUrl} is unreachable (${err.message}); run ${id} continues offline${where} and is uploaded once the server answers${spool.path ? `, or run \`wanllmdb sync ${spool.path}\`` : ""}`);
    }
  }
  const pipeline = new Pipeline(spool, uploader, run.metricBuffer, run.summary, identity.attempt, {
    flushIntervalMs: timing.flushIntervalMs,
    flushMaxValues: timing.flushMaxValues,
    warn,
    encoder: platform.encoder?.(),
  });
  pipelineRef = pipeline;
  run.attach(pipeline);
  run.startAt(startStep);
  pipeline.start();
  uploader?.start(timing.flushIntervalMs, timing.heartbeatIntervalMs);
  platform.started?.(run);
  return run;
}
