"""Seeds a running server with a sweep and its finished trials for web/tests/e2e/sweeps.e2e.ts.

Everything goes through the HTTP API, exactly as `wanllmdb agent` and the trial's own process drive it:
the user `sweeper` (invited by the local admin) creates the project `sweeps-e2e` and a random sweep from
YAML text; then one agent takes trials one heartbeat at a time. Each trial's "process" takes its run over
(`init()`: POST the run with the sweep's id), writes `loss` to the summary, ends the run, and the next
heartbeat reports the loss values and the exit code. The loss is a bowl in log10(lr) around 1e-3, plus
0.5 for sgd and a little for layers away from 4; `dropout` is never read. Trial 6 fails without a value
(imputed by `metric.impute: worst`).

With `--sweep ID` it adds `--trials` more trials to that sweep instead (the browser test's live
progress), as a second agent.

The last line on stdout is JSON: {"entity", "project", "project_id", "sweep_id", "username", "password",
"trials": [{"run_id", "params", "loss"}]} (loss null for the failed trial).

    python tests/web_e2e/seed_sweeps.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import httpx

USERNAME, PASSWORD, PROJECT = "sweeper", "correct-horse-battery", "sweeps-e2e"

CONFIG_YAML = """\
name: lr-search
description: Random search over the optimiser's learning rate and the model's size.
method: random
seed: 7
metric:
  name: loss
  goal: minimize
parameters:
  lr:
    distribution: log_uniform_values
    min: 0.00001
    max: 0.1
  optimizer:
    values: [adam, sgd]
  layers:
    min: 1
    max: 8
  dropout:
    min: 0.0
    max: 0.5
"""
FAILING_TRIAL = 5


def check(r: httpx.Response) -> dict[str, Any]:
    if r.status_code >= 300:
        sys.exit(f"seed_sweeps: {r.request.method} {r.request.url} answered {r.status_code}: {r.text}")
    return dict(r.json()) if r.content else {}


def loss_of(params: dict[str, Any]) -> float:
    bowl = (math.log10(params["lr"]) + 3) ** 2
    return round(bowl + (0.5 if params["optimizer"] == "sgd" else 0.0) + 0.05 * abs(params["layers"] - 4), 6)


def session(url: str, admin_key: str, *, new: bool) -> httpx.Client:
    with httpx.Client(base_url=url, timeout=30) as http:
        body: dict[str, Any] = {"username": USERNAME, "password": PASSWORD}
        if new:
            headers = {"Authorization": f"Bearer {admin_key}"}
            body["invitation"] = check(http.post("/api/invitations", json={}, headers=headers))["token"]
            token = check(http.post("/api/auth/register", json=body))["token"]
        else:
            token = check(http.post("/api/auth/login", json=body))["token"]
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def run_trial(
    http: httpx.Client, project_id: str, sweep_id: str, run_id: str, params: dict[str, Any], fail: bool
) -> float | None:
    """What the trial's process does: init() takes the pre-created run over, logs, and ends it."""
    check(
        http.post(
            f"/api/projects/{project_id}/runs", json={"id": run_id, "config": params, "sweep_id": sweep_id}
        )
    )
    q = {"project_id": project_id}
    if fail:
        check(http.patch(f"/api/runs/{run_id}", params=q, json={"state": "failed", "exit_code": 1}))
        return None
    loss = loss_of(params)
    check(http.patch(f"/api/runs/{run_id}/summary", params=q, json={"summary": {"loss": loss}}))
    check(http.patch(f"/api/runs/{run_id}", params=q, json={"state": "finished", "exit_code": 0}))
    return loss


def run_agent(
    http: httpx.Client, project_id: str, sweep_id: str, trials: int, first: int
) -> list[dict[str, Any]]:
    """One agent: each heartbeat reports the last trial (its loss, its exit code) and takes the next."""
    agent = check(http.post(f"/api/sweeps/{sweep_id}/agents", json={"host": "e2e-box", "name": "e2e"}))
    beat = f"/api/sweeps/{sweep_id}/agents/{agent['id']}/heartbeat"
    done: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    for i in range(trials + 1):
        answer = check(
            http.post(beat, json={"runs": reports, "want_work": i < trials, "stopping": i == trials})
        )
        if i == trials:
            break
        runs = [c for c in answer["commands"] if c["type"] == "run"]
        if not runs:
            sys.exit(f"seed_sweeps: trial {first + i} was not handed out: {answer}")
        run_id, params = runs[0]["run_id"], runs[0]["params"]
        loss = run_trial(http, project_id, sweep_id, run_id, params, fail=first + i == FAILING_TRIAL)
        done.append({"run_id": run_id, "params": params, "loss": loss})
        reports = [
            {
                "run_id": run_id,
                "metric": [] if loss is None else [loss],
                "exit_code": 1 if loss is None else 0,
            }
        ]
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", required=True)
    ap.add_argument("--trials", type=int, default=24)
    ap.add_argument("--sweep", default=None, help="add trials to this sweep instead of creating one")
    args = ap.parse_args()
    admin_key = Path(args.admin_key_file).read_text().strip()
    http = session(args.url, admin_key, new=args.sweep is None)
    if args.sweep is None:
        project = check(http.post("/api/projects", json={"name": PROJECT}))
        sweep = check(http.post(f"/api/projects/{project['id']}/sweeps", json={"config_yaml": CONFIG_YAML}))
        first = 0
    else:
        sweep = check(http.get(f"/api/sweeps/{args.sweep}"))
        project = check(http.get(f"/api/projects/{sweep['project_id']}"))
        first = int(sweep["trial_count"])
    trials = run_agent(http, project["id"], sweep["id"], args.trials, first)
    seeded = {
        "entity": project["entity"],
        "project": project["name"],
        "project_id": project["id"],
        "sweep_id": sweep["id"],
        "username": USERNAME,
        "password": PASSWORD,
        "trials": trials,
    }
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
