"""GET /api/sweeps/{id}/analysis on the local app, after trials ran through the agent protocol."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.functions.actors import Tenant, tenant_app

CONFIG = {
    "method": "random",
    "seed": 5,
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
        "optimizer": {"values": ["adam", "sgd"]},
        "noise": {"min": 0.0, "max": 1.0},
    },
}


def loss_of(params: dict[str, Any]) -> float:
    return (math.log10(params["lr"]) + 3) ** 2 + (1.0 if params["optimizer"] == "sgd" else 0.0)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tenant]]:
    with tenant_app(tmp_path_factory.mktemp("analysis") / "data") as (client, tenant, _):
        yield client, tenant


def run_trials(
    client: TestClient, headers: dict[str, str], sweep_id: str, n: int, crash_last: bool = False
) -> list[str]:
    """One agent runs `n` trials: each heartbeat reports the last trial's loss and exit code, and asks for
    the next (the controller settles the ended trial in the same step)."""
    agent = client.post(f"/api/sweeps/{sweep_id}/agents", json={"host": "box"}, headers=headers).json()
    beat = f"/api/sweeps/{sweep_id}/agents/{agent['id']}/heartbeat"
    reports: list[dict[str, Any]] = []
    run_ids: list[str] = []
    for i in range(n + 1):
        answer = client.post(beat, json={"runs": reports, "want_work": i < n}, headers=headers)
        assert answer.status_code == 200, answer.text
        runs = [c for c in answer.json()["commands"] if c["type"] == "run"]
        if i == n:
            break
        assert len(runs) == 1, answer.json()
        run_id, params = runs[0]["run_id"], runs[0]["params"]
        run_ids.append(run_id)
        failed = crash_last and i == n - 1
        metric = [] if failed else [loss_of(params)]
        reports = [{"run_id": run_id, "metric": metric, "exit_code": 1 if failed else 0}]
    return run_ids


def test_analysis_ranks_the_parameters_the_loss_reads_and_names_the_best_run(
    app: tuple[TestClient, Tenant],
) -> None:
    client, tenant = app
    headers = tenant.headers("owner")
    project = tenant.projects["personal-private"]
    sweep = client.post(f"/api/projects/{project}/sweeps", json={"config": CONFIG}, headers=headers).json()
    run_trials(client, headers, sweep["id"], 40, crash_last=True)

    answer = client.get(f"/api/sweeps/{sweep['id']}/analysis", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["trials"] == {"total": 40, "used": 40, "imputed": 1, "excluded": 0}
    names = [p["name"] for p in body["parameters"]]
    assert sorted(names) == ["lr", "noise", "optimizer"]
    # lr, the bowl, dominates already at 40 trials (the irrelevant parameter's rank is
    # test_importance.py's subject, over many sweeps: one sweep of 40 is too small to pin it).
    assert names[0] == "lr" and body["parameters"][0]["importance"] > 0.5
    assert abs(sum(p["importance"] for p in body["parameters"]) - 1) < 1e-9
    lr = next(p for p in body["parameters"] if p["name"] == "lr")
    assert lr["log"] is True and lr["kind"] == "numeric"
    optimizer = next(p for p in body["parameters"] if p["name"] == "optimizer")
    assert [c["label"] for c in optimizer["categories"]] == ["adam", "sgd"]
    trials = client.get(f"/api/sweeps/{sweep['id']}/runs", headers=headers).json()["items"]
    finished = [t for t in trials if t["state"] == "finished"]
    best = min(finished, key=lambda t: t["metric"])
    assert body["best"]["run_id"] == best["run_id"]
    assert body["best"]["value"] == pytest.approx(best["metric"])
    assert body["best"]["params"] == best["params"]
    assert body["best"]["run_name"]  # the pre-created run's generated name
    assert body["method"]["importance"] == "ped-anova" and body["method"]["chance_draws"] == 16
    assert all(p["importance_raw"] >= 0 and p["importance_chance"] >= 0 for p in body["parameters"])


def test_a_sweep_without_trials_answers_an_empty_analysis_with_its_reason(
    app: tuple[TestClient, Tenant],
) -> None:
    client, tenant = app
    headers = tenant.headers("owner")
    project = tenant.projects["personal-private"]
    sweep = client.post(f"/api/projects/{project}/sweeps", json={"config": CONFIG}, headers=headers).json()
    body = client.get(f"/api/sweeps/{sweep['id']}/analysis", headers=headers).json()
    assert body["parameters"] == [] and body["best"] is None
    assert "two trials" in body["note"]


def test_an_unknown_sweep_is_404_and_an_outsider_sees_none(app: tuple[TestClient, Tenant]) -> None:
    client, tenant = app
    missing = client.get("/api/sweeps/nosuch01/analysis", headers=tenant.headers("owner"))
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "sweep_id"
    project = tenant.projects["personal-private"]
    sweep = client.post(
        f"/api/projects/{project}/sweeps", json={"config": CONFIG}, headers=tenant.headers("owner")
    ).json()
    hidden = client.get(f"/api/sweeps/{sweep['id']}/analysis", headers=tenant.headers("outsider"))
    assert hidden.status_code == 404
    assert hidden.json() == missing.json() | {"error": hidden.json()["error"]}
    assert project not in hidden.text


def test_the_query_lambda_serves_the_route_without_the_search_engine() -> None:
    """The query function's bundle carries neither the SDK, scipy nor pyarrow: its handler imports none
    (numpy it carries, for the lake's pyramid, not for the search engine)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import wanllmdb_functions.handlers.query\n"
        "heavy = {'wanllmdb', 'scipy', 'pyarrow'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not bad, bad\n"
        "paths = wanllmdb_functions.handlers.query.app.openapi()['paths']\n"
        "assert '/api/sweeps/{sweep_id}/analysis' in paths, paths\n"
    )
    root = Path(__file__).resolve().parents[3]
    env = {"PYTHONPATH": str(root / "functions"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
