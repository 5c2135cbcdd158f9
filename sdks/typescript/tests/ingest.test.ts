// An online run of the TypeScript SDK against a real local server: every row lands exactly once, and
// the Python Api() and the web's HTTP routes read what it wrote.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { Api, init } from "../src/index.js";
import { countsByStepKey, lakeRows, python } from "./env.js";

const server = inject("server");
const base = () => ({ baseUrl: server.url, apiKey: server.apiKey, dir: mkdtempSync(join(tmpdir(), "ts-run-")), warn: () => {} });

describe("online run", () => {
  it("lands every row once, readable by the Python Api and the web routes", async () => {
    const run = await init({
      ...base(),
      project: "ts-ingest",
      name: "ts-first",
      config: { lr: 0.001, model: { layers: 4 } },
      tags: ["ts", "e2e"],
      group: "g1",
      jobType: "train",
      flushIntervalMs: 50,
      flushMaxValues: 2_000,
    });
    expect(run.projectId).toBeTruthy();
    run.defineMetric("loss", { summary: "min,max" });
    run.defineMetric("acc", { hidden: true });
    const steps = 1_500;
    for (let i = 0; i < steps; i++) {
      const row: Record<string, number> = { loss: 1 / (i + 1), acc: i / steps };
      for (let k = 0; k < 8; k++) row[`m${k}`] = i * k;
      run.log(row);
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 60)); // let background flushes cut several chunks
    }
    run.log({ phase: "eval", nested: { depth: 2 } });
    run.config.update({ batch: 32 });
    run.summary.update({ best: 0.5 });
    run.alert({ title: "ts alert", text: "from the TypeScript SDK", level: "WARN" });
    const result = await run.finish();
    expect(result).toEqual({ synced: true, unsynced: 0 });

    // The lake: 10 keys x 1500 steps + the last row's 2 keys, each (step, key) exactly once.
    const lake = lakeRows(server.dataDir, run.projectId!, run.id);
    expect(lake.rows.length).toBe(steps * 10 + 2);
    expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
    expect(lake.rows.find((r) => r.key === "phase")?.text).toBe("eval");

    // The Python Api reads the run, its config, summary and history.
    const py = python<{ rows: number; last: Record<string, unknown>; summary: Record<string, unknown>; config: Record<string, unknown>; tags: string[]; group: string; state: string }>(
      [
        "-c",
        `import json, wanllmdb
api = wanllmdb.Api(overrides={"base_url": "${server.url}", "api_key": "${server.apiKey}"})
run = api.run("${run.entity}/ts-ingest/${run.id}")
rows = list(run.scan_history())
print(json.dumps({"rows": len(rows), "last": rows[-1], "summary": dict(run.summary), "config": dict(run.config),
  "tags": run.tags, "group": run.group, "state": run.state}, default=str))`,
      ],
    );
    expect(py.rows).toBe(steps + 1);
    expect(py.last).toMatchObject({ _step: steps, phase: "eval", "nested.depth": 2 });
    expect(py.config).toMatchObject({ lr: 0.001, model: { layers: 4 }, batch: 32 });
    expect(py.summary).toMatchObject({ loss: { min: 1 / steps, max: 1 }, best: 0.5, phase: "eval", _step: steps });
    expect(py.summary).not.toHaveProperty("acc"); // hidden
    expect(py.tags).toEqual(["ts", "e2e"]);
    expect(py.group).toBe("g1");
    expect(py.state).toBe("finished");

    // The web's routes: the runs table and a chart's series.
    const headers = { Authorization: `Bearer ${server.apiKey}` };
    const list = (await (await fetch(`${server.url}/api/projects/${run.projectId}/runs`, { headers })).json()) as { items: { id: string; name: string }[] };
    expect(list.items.map((r) => r.id)).toContain(run.id);
    const chart = (await (await fetch(`${server.url}/api/runs/${run.id}/metrics?keys=m3&project_id=${run.projectId}&buckets=10000`, { headers })).json()) as {
      series: { key: string; points?: unknown[]; count?: number }[];
    };
    expect(JSON.stringify(chart.series)).toContain("m3");

    // And the TypeScript Api reads it back too.
    const api = new Api({ baseUrl: server.url, apiKey: server.apiKey });
    const runs = await api.runs(`${run.entity}/ts-ingest`);
    expect(runs.map((r) => r.id)).toContain(run.id);
    const info = await api.run(`${run.entity}/ts-ingest/${run.id}`);
    const history = await api.history(info, { keys: ["m7"], pageSize: 400 });
    expect(history.length).toBe(steps);
    expect(history[steps - 1]).toMatchObject({ _step: steps - 1, m7: (steps - 1) * 7 });
  });

  it("resumes a run at the next step with the next attempt", async () => {
    const first = await init({ ...base(), project: "ts-ingest", id: "ts-resume-1" });
    first.log({ x: 1 });
    first.log({ x: 2 });
    await first.finish();
    const again = await init({ ...base(), project: "ts-ingest", id: "ts-resume-1", resume: "must" });
    expect(again.attempt).toBe(1);
    expect(again.currentStep).toBe(2);
    again.log({ x: 3 });
    expect((await again.finish()).synced).toBe(true);
    const lake = lakeRows(server.dataDir, again.projectId!, again.id);
    expect(lake.rows.map((r) => [r.step, r.value, r.attempt]).sort()).toEqual([
      [0, 1, 0],
      [1, 2, 0],
      [2, 3, 1],
    ]);
  });
});
