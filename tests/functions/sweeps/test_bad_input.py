"""Bad input to the sweep routes: a 4xx with the common error body naming the field, never a 5xx,
and nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.functions.actors import Tenant, tenant_app

CONFIG = {"method": "random", "parameters": {"lr": {"min": 0.1, "max": 0.2}}}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tenant]]:
    with tenant_app(tmp_path_factory.mktemp("sweeps") / "data") as (client, tenant, _):
        yield client, tenant


def call(app: tuple[TestClient, Tenant], method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    client, tenant = app
    response = client.request(method, f"/api{path}", headers=tenant.headers("owner"), **kwargs)
    return response.status_code, response.json() if response.content else None


def project(app: tuple[TestClient, Tenant]) -> str:
    return app[1].projects["personal-private"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"config_yaml": "method: grid\nparameters:\n  lr: {min: 0.1, max: 0.2}\n"},
            "config_yaml.parameters.lr",
            "grid",
        ),
        (
            {"config": {"method": "random", "parameters": {"lr": {"values": []}}}},
            "config.parameters.lr.values",
            "",
        ),
        (
            {"config": {"method": "bayes", "parameters": {"lr": {"min": 0.1, "max": 0.2}}}},
            "config.metric",
            "",
        ),
        ({"config": {**CONFIG, "command": ["python", "${nope}"]}}, "config.command[1]", "unknown macro"),
        ({"config": {**CONFIG, "paramters": {}}}, "config.paramters", "did you mean"),
        ({"config_yaml": "method: [unclosed"}, "config_yaml", "YAML"),
        ({"config_yaml": "/etc/passwd"}, "config_yaml", ""),  # text, never read as a path
    ],
)
def test_a_bad_config_is_a_400_naming_its_yaml_path(
    app: tuple[TestClient, Tenant], body: dict[str, Any], field: str, words: str
) -> None:
    untouched = app[1].projects["org-private"]  # no test creates a sweep here
    status, answer = call(app, "POST", f"/projects/{untouched}/sweeps", json=body)
    assert status == 400, answer
    assert answer["error"]["field"].startswith(field) and words in answer["error"]["message"]
    _, listed = call(app, "GET", f"/projects/{untouched}/sweeps")
    assert listed["items"] == []  # nothing stored


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"config": CONFIG, "config_yaml": "method: random"},
        {"config": [1, 2]},
        {"config": CONFIG, "prior_runs": ["has space"]},
        {"config_yaml": "x" * 70_000},
        {"config": CONFIG, "surprise": 1},
    ],
)
def test_malformed_create_bodies_are_refused_with_the_common_body(
    app: tuple[TestClient, Tenant], body: dict[str, Any]
) -> None:
    status, answer = call(app, "POST", f"/projects/{project(app)}/sweeps", json=body)
    assert 400 <= status < 500 and set(answer["error"]) == {"code", "message", "field"}, answer


def test_deep_nesting_and_prior_runs_of_other_projects_are_refused(app: tuple[TestClient, Tenant]) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100):
        node["p"] = {}
        node = node["p"]
    status, _ = call(app, "POST", f"/projects/{project(app)}/sweeps", json={"config": {**CONFIG, "x": deep}})
    assert 400 <= status < 500
    status, answer = call(
        app, "POST", f"/projects/{project(app)}/sweeps", json={"config": CONFIG, "prior_runs": ["nope"]}
    )
    assert (status, answer["error"]["field"]) == (400, "prior_runs[0]")


def test_agent_and_state_mistakes_are_4xx(app: tuple[TestClient, Tenant]) -> None:
    _, sweep = call(app, "POST", f"/projects/{project(app)}/sweeps", json={"config": CONFIG})
    sid = sweep["id"]
    _, agent = call(app, "POST", f"/sweeps/{sid}/agents", json={"host": "h"})
    beat = f"/sweeps/{sid}/agents/{agent['id']}/heartbeat"
    assert call(app, "POST", f"/sweeps/{sid}/agents/unknownagent1/heartbeat", json={})[0] == 404
    assert call(app, "POST", beat, json={"runs": [{"run_id": "r", "metric": ["x"]}]})[0] == 422
    assert call(app, "POST", beat, json={"runs": [{"run_id": "r", "metric_offset": -1}]})[0] == 422
    assert call(app, "POST", beat, json={"runs": [{"run_id": "not-mine", "metric": [1.0]}]})[0] == 200
    assert call(app, "POST", f"/sweeps/{sid}/agents", json={"host": "bad\u0007host"})[0] == 422
    assert call(app, "PATCH", f"/sweeps/{sid}", json={"state": "crashed"})[0] == 422
    assert call(app, "PATCH", f"/sweeps/{sid}", json={"state": "cancelled"})[0] == 200
    status, answer = call(app, "PATCH", f"/sweeps/{sid}", json={"state": "running"})
    assert (status, answer["error"]["field"]) == (409, "state")
    assert call(app, "GET", "/sweeps/not%20an%20id")[0] == 422
    assert call(app, "GET", "/sweeps/nosuchsweep")[0] == 404
