"""Agents as users run them: `wanllmdb sweep` and `wanllmdb agent` processes against a real local server.

8 agents share one sweep (every one gets work within 10 s, no trial twice, run_cap held, a kill -9'd
agent's run crashed), hyperband stops a trial through its agent, repeated failures stop an agent,
wanllmdb.agent(function=...) runs trials in-process, and the CLI refuses what it must.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key

pytestmark = pytest.mark.slow

TRAIN = textwrap.dedent(
    """
    import os, time, wanllmdb
    run = wanllmdb.init(settings={"system_metrics": False, "console": "off", "git": False,
                                  "flush_interval_s": 0.5})
    steps = int(os.environ.get("STEPS", "3"))
    for step in range(steps):
        wanllmdb.log({"loss": wanllmdb.config.lr * (1 + 1 / (step + 1))})
        time.sleep(float(os.environ.get("STEP_S", "0.1")))
    wanllmdb.finish()
    """
)


class Api:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.key = admin_key(server.data_dir)
        self.http = httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {self.key}"}
        )

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def sweep(self, config_yaml: str) -> str:
        project = self("POST", "/projects", json={"name": "agents"})["id"]
        return str(self("POST", f"/projects/{project}/sweeps", json={"config_yaml": config_yaml})["id"])

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "WANLLMDB_BASE_URL": self.server.url,
            "WANLLMDB_API_KEY": self.key,
            "PYTHONUNBUFFERED": "1",
            **extra,
        }


@pytest.fixture
def api(module_server: LocalServer) -> Iterator[Api]:
    client = Api(module_server)
    yield client
    client.http.close()


def start_agent(api: Api, cwd: Path, sweep_id: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
    log = (cwd / f"agent-{time.monotonic_ns()}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "wanllmdb.cli", "agent", *args, sweep_id],
        cwd=cwd, env=api.env(**env), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def project_dir(tmp_path: Path, config: str, program: str = TRAIN) -> Path:
    (tmp_path / "train.py").write_text(program)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent(config))
    return tmp_path


def test_eight_agents_share_one_sweep(api: Api, tmp_path: Path) -> None:
    cwd = project_dir(
        tmp_path,
        """
        program: train.py
        method: grid
        metric: {name: loss}
        run_cap: 16
        parameters:
          lr: {values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]}
          batch: {values: [16, 32, 64, 128]}
        """,
    )
    sweep_id = api.sweep((cwd / "sweep.yaml").read_text())
    started = time.monotonic()
    agents = [start_agent(api, cwd, sweep_id, STEPS="40", STEP_S="0.25") for _ in range(8)]
    try:
        working = wait_for(
            lambda: len([a for a in api("GET", f"/sweeps/{sweep_id}/agents")["items"] if a["trials"]]) == 8,
            30,
            "all 8 agents to get a trial",
        )
        all_working_s = time.monotonic() - started
        assert working and all_working_s <= 10, f"8 agents got work in {all_working_s:.1f} s"
        # kill -9 an agent whose trial runs, and watch that trial's run end crashed.
        victim = wait_for(lambda: _agent_with_a_running_trial(api, sweep_id), 30, "a running trial")
        process = next(p for p in agents if p.pid == victim["pid"])
        os.kill(process.pid, signal.SIGKILL)
        killed = time.monotonic()
        run_id = _last_trial_of(api, sweep_id, victim["id"])
        wait_for(lambda: api("GET", f"/runs/{run_id}")["state"] == "crashed", 30, "the run marked crashed")
        crashed_after_s = time.monotonic() - killed
        for agent in agents:
            if agent is not process:
                assert agent.wait(timeout=180) == 0
    finally:
        for agent in agents:
            if agent.poll() is None:
                agent.kill()
    trials = api("GET", f"/sweeps/{sweep_id}/runs")["items"]
    assert len(trials) == 16  # run_cap
    assert len({(t["params"]["lr"], t["params"]["batch"]) for t in trials}) == 16  # no point twice
    assert len({t["run_id"] for t in trials}) == 16
    listed = api(
        "GET", f"/projects/{api('GET', f'/sweeps/{sweep_id}')['project_id']}/runs", params={"sweep": sweep_id}
    )
    assert listed["total"] == 16
    lines = [line for log in cwd.glob("agent-*.log") for line in log.read_text().splitlines()]
    started_runs = [line.split()[4] for line in lines if line.startswith("wanllmdb: agent starting run")]
    assert sorted(started_runs) == sorted(t["run_id"] for t in trials)  # each started by one agent, once
    assert api("GET", f"/sweeps/{sweep_id}")["state"] == "finished"
    print(
        f"\n8 agents working after {all_working_s:.1f} s; killed one's run crashed {crashed_after_s:.1f} s on"
    )


def _agent_with_a_running_trial(api: Api, sweep_id: str) -> dict[str, Any] | None:
    """An agent at least 2 s into a trial of 10 s, so a kill now lands mid-trial."""
    trials = api("GET", f"/sweeps/{sweep_id}/runs")["items"]
    for agent in api("GET", f"/sweeps/{sweep_id}/agents")["items"]:
        mine = [t for t in trials if t["agent_id"] == agent["id"]]
        current = mine[-1] if mine and len(mine) == agent["trials"] else None
        if current is not None and current["state"] == "running" and current["iterations"] >= 8:
            return dict(agent)
    return None


def _last_trial_of(api: Api, sweep_id: str, agent_id: str) -> str:
    mine = [t for t in api("GET", f"/sweeps/{sweep_id}/runs")["items"] if t["agent_id"] == agent_id]
    return str(mine[-1]["run_id"])


def test_hyperband_stops_the_worse_trial_through_its_agent(api: Api, tmp_path: Path) -> None:
    cwd = project_dir(
        tmp_path,
        """
        program: train.py
        method: grid
        metric: {name: loss}
        early_terminate: {type: hyperband, min_iter: 3, eta: 3}
        parameters:
          lr: {values: [0.1, 1.0]}
        """,
    )
    sweep_id = api.sweep((cwd / "sweep.yaml").read_text())
    agents = [start_agent(api, cwd, sweep_id, STEPS="60", STEP_S="0.25") for _ in range(2)]
    for agent in agents:
        assert agent.wait(timeout=120) == 0
    trials = {t["params"]["lr"]: t for t in api("GET", f"/sweeps/{sweep_id}/runs")["items"]}
    assert trials[0.1]["state"] == "finished" and trials[0.1]["iterations"] == 60
    assert trials[1.0]["state"] == "stopped" and trials[1.0]["iterations"] < 60, trials[1.0]
    assert api("GET", f"/runs/{trials[1.0]['run_id']}")["state"] == "crashed"  # SIGTERM: the SDK's own end


def test_an_agent_whose_trials_keep_failing_stops_with_exit_code_1(api: Api, tmp_path: Path) -> None:
    cwd = project_dir(
        tmp_path,
        "program: train.py\nmethod: grid\nparameters:\n  lr: {values: [1, 2, 3, 4, 5]}\n",
        program="import sys\nsys.exit(3)\n",
    )
    sweep_id = api.sweep((cwd / "sweep.yaml").read_text())
    agent = start_agent(api, cwd, sweep_id)
    assert agent.wait(timeout=60) == 1
    log = next(cwd.glob("agent-*.log")).read_text()
    assert "3 trials failed in the agent's first 60 s" in log
    trials = api("GET", f"/sweeps/{sweep_id}/runs")["items"]
    assert [t["state"] for t in trials] == ["failed"] * 3
    assert {api("GET", f"/runs/{t['run_id']}")["exit_code"] for t in trials} == {3}


def test_an_agent_for_a_missing_sweep_exits_1_saying_so(api: Api, tmp_path: Path) -> None:
    agent = start_agent(api, tmp_path, "nosuchsweep")
    assert agent.wait(timeout=60) == 1
    assert "sweep nosuchsweep not found" in next(tmp_path.glob("agent-*.log")).read_text()


def test_a_function_agent_runs_trials_in_process(api: Api, tmp_path: Path) -> None:
    sweep_id = api.sweep("method: random\nmetric: {name: loss}\nparameters:\n  lr: {min: 0.1, max: 0.2}\n")
    script = tmp_path / "agent.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import wanllmdb
            seen = []
            def train():
                run = wanllmdb.init(config={{"lr": 5.0, "epochs": 1}}, settings={{"system_metrics": False}})
                seen.append((run.id, wanllmdb.config.lr, wanllmdb.config.epochs))
                wanllmdb.log({{"loss": wanllmdb.config.lr}})
            wanllmdb.agent({sweep_id!r}, function=train, count=2)
            assert len(seen) == 2 and all(0.1 <= lr <= 0.2 and epochs == 1 for _, lr, epochs in seen), seen
            print("RUNS", " ".join(run_id for run_id, _, _ in seen))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=api.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    run_ids = done.stdout.split("RUNS", 1)[1].split()
    trials = {t["run_id"]: t for t in api("GET", f"/sweeps/{sweep_id}/runs")["items"]}
    assert set(run_ids) == set(trials) and {t["state"] for t in trials.values()} == {"finished"}
    assert all(t["metric"] == t["params"]["lr"] for t in trials.values())


def test_sweep_cli_creates_and_changes_state_and_refuses_a_bad_config(api: Api, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "wanllmdb.cli", "sweep", *args],
            cwd=tmp_path, env=api.env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    (tmp_path / "good.yaml").write_text("method: random\nparameters:\n  lr: {min: 0.1, max: 0.2}\n")
    created = cli("good.yaml", "-p", "cli-sweeps")
    assert created.returncode == 0, created.stderr
    sweep_id = created.stdout.strip().splitlines()[-1]
    for flag, state in (
        ("--pause", "paused"),
        ("--resume", "running"),
        ("--stop", "finished"),
        ("--cancel", "cancelled"),
    ):
        changed = cli(flag, sweep_id)
        assert changed.returncode == 0 and f"is {state}" in changed.stdout, changed.stderr
    (tmp_path / "bad.yaml").write_text("method: grid\nparameters:\n  lr: {min: 0.1, max: 0.2}\n")
    bad = cli("bad.yaml")
    assert bad.returncode == 1 and "parameters.lr" in bad.stderr
    (tmp_path / "macro.yaml").write_text(
        "method: random\ncommand: [python, '${nope}']\nparameters:\n  a: {value: 1}\n"
    )
    macro = cli("macro.yaml")
    assert macro.returncode == 1 and "command[1]" in macro.stderr and "unknown macro" in macro.stderr
