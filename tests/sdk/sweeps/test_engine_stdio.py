"""``python -m wanllmdb.sweeps.engine_stdio``: the JSON lines protocol of issue 19."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from wanllmdb.sweeps.engine_stdio import main

INIT = {
    "op": "init",
    "benchmark": "toy",
    "seed": 3,
    "budget": 4,
    "sweep_config": {
        "method": "random",
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {"x1": {"min": 0.0, "max": 1.0}, "c": {"values": ["a", "b"]}},
    },
}


def _talk(*requests: dict[str, object]) -> list[dict[str, object]]:
    out = io.StringIO()
    main(io.StringIO("".join(json.dumps(r) + "\n" for r in requests)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_init_suggest_observe_close() -> None:
    replies = _talk(INIT, {"op": "suggest"}, {"op": "close"}, {"op": "suggest"})
    assert replies[0] == {"ok": True}
    params = replies[1]["params"]
    assert isinstance(params, dict) and set(params) == {"x1", "c"}
    assert len(replies) == 2  # close ends the session without a reply


def test_observe_completes_a_suggestion_and_seeds_repeat() -> None:
    first = _talk(INIT, {"op": "suggest"})[1]["params"]
    replies = _talk(
        INIT, {"op": "suggest"}, {"op": "observe", "params": first, "value": 0.5}, {"op": "suggest"}
    )
    assert replies[1]["params"] == first
    assert replies[2] == {"ok": True}
    assert replies[3]["params"] != first


def test_a_bad_request_gets_an_error_and_the_session_goes_on() -> None:
    replies = _talk(
        {"op": "suggest"}, {"op": "init", "sweep_config": {"method": "nope"}}, INIT, {"op": "suggest"}
    )
    assert "error" in replies[0] and "init" in str(replies[0]["error"])
    assert "method" in str(replies[1]["error"])
    assert replies[2] == {"ok": True} and "params" in replies[3]


def test_an_exhausted_space_suggests_null() -> None:
    init = {**INIT, "sweep_config": {"method": "grid", "parameters": {"a": {"values": [1]}}}}
    assert _talk(init, {"op": "suggest"}, {"op": "suggest"})[1:] == [{"params": {"a": 1}}, {"params": None}]


@pytest.mark.slow
def test_the_module_runs_as_a_process_with_bayes() -> None:
    init = {**INIT, "sweep_config": {**INIT["sweep_config"], "method": "bayes"}}  # type: ignore[dict-item]
    lines = [init, *({"op": "suggest"},) * 2, {"op": "close"}]
    proc = subprocess.run(
        [sys.executable, "-m", "wanllmdb.sweeps.engine_stdio"],
        input="".join(json.dumps(r) + "\n" for r in lines),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    assert replies[0] == {"ok": True} and replies[1]["params"] != replies[2]["params"]
