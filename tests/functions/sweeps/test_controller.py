"""The sweep controller on both backends (SQLite, and moto through the aws adapters): hand-outs under
the sweep's revision, run_cap and metric.target, stops, dead agents, and the runs it pre-creates."""

from __future__ import annotations

import pytest

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.app.storage import Storage
from wanllmdb_functions.core.errors import NotFound
from wanllmdb_functions.runs.models import RunCreate, RunPatch, SummaryPatch
from wanllmdb_functions.sweeps.liveness import tick_sweeps
from wanllmdb_functions.sweeps.models import SweepPatch
from wanllmdb_functions.sweeps.records import read_partition

from .conftest import Sweeps, later

GRID = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"lr": {"values": [0.1, 0.2, 0.3]}}}


def start(s: Sweeps, run_id: str, params: dict[str, object], sweep_id: str) -> None:
    """What init() inside the agent does: take over the pre-created run."""
    s.world.runs.create(
        s.world.owner, s.world.project_id, RunCreate(id=run_id, config=params, sweep_id=sweep_id)
    )


def end(s: Sweeps, run_id: str, state: str = "finished", loss: float | None = None) -> None:
    if loss is not None:
        s.world.runs.patch_summary(s.world.owner, run_id, SummaryPatch(summary={"loss": loss}))
    s.world.runs.patch(s.world.owner, run_id, RunPatch(state=state))  # type: ignore[arg-type]


def test_a_grid_is_handed_out_once_per_point_then_the_sweep_finishes(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create(GRID)
    agents = [sweeps.agent(sweep_id) for _ in range(2)]
    handed = []
    for i in range(3):
        trial = sweeps.take(sweep_id, agents[i % 2])
        assert trial is not None
        handed.append(trial)
        start(sweeps, trial[0], trial[1], sweep_id)
        end(sweeps, trial[0], loss=trial[1]["lr"])  # type: ignore[arg-type]
    assert sorted(p["lr"] for _, p in handed) == [0.1, 0.2, 0.3]
    answer = sweeps.beat(sweep_id, agents[0], want_work=True)
    assert answer.sweep_state == "finished"
    assert [c.type for c in answer.commands] == ["exit"]
    assert "exhausted" in (answer.commands[0].reason or "")
    sweep = sweeps.service.get(sweeps.world.owner, sweep_id)
    assert sweep.counts == {"finished": 3} and sweep.best is not None and sweep.best.value == 0.1


def test_a_handed_out_trial_is_a_pre_created_run_that_init_takes_over_as_attempt_0(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create(GRID)
    run_id, params = sweeps.take(sweep_id, sweeps.agent(sweep_id)) or ("", {})
    run = sweeps.world.runs.get(sweeps.world.owner, run_id)
    assert (run.state, run.sweep_id, run.config, run.attempt) == ("running", sweep_id, params, 0)
    # init() inside the agent: its defaults merge under the params, and the run stays attempt 0.
    taken, created = sweeps.world.runs.create(
        sweeps.world.owner, sweeps.world.project_id,
        RunCreate(id=run_id, config={**params, "epochs": 3}, sweep_id=sweep_id, resume_token="tok-aaaaaaaa"),
    )  # fmt: skip
    assert not created and taken.attempt == 0 and taken.config == {**params, "epochs": 3}
    listed = sweeps.world.table.list(sweeps.world.owner, sweeps.world.project_id, sweep=sweep_id)
    assert [r.id for r in listed.items] == [run_id]


def test_a_controller_that_read_an_old_revision_never_hands_out_the_same_trial(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create({**GRID, "run_cap": 2})
    first, second = sweeps.agent(sweep_id), sweeps.agent(sweep_id)
    stale = read_partition(sweeps.world.items, sweep_id)
    won = sweeps.take(sweep_id, first)
    # The second step computed from the state before the first hand-out: its write loses and it reads again.
    part, trial, lost = sweeps.controller._hand_out(sweeps.world.owner, stale, stale.agents[second])
    assert won is not None and trial is not None and not lost
    assert trial["params"] != won[1] and trial["run_id"] != won[0]
    assert part.meta["trial_count"] == 2
    assert sweeps.take(sweep_id, sweeps.agent(sweep_id)) is None  # run_cap: no third trial
    assert sweeps.service.get(sweeps.world.owner, sweep_id).finished_reason == "run_cap"


def test_metric_target_stops_new_trials(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create({**GRID, "metric": {"name": "loss", "target": 0.5}})
    agent = sweeps.agent(sweep_id)
    run_id, params = sweeps.take(sweep_id, agent) or ("", {})
    start(sweeps, run_id, params, sweep_id)
    sweeps.beat(sweep_id, agent, runs=[{"run_id": run_id, "metric": [0.9, 0.4]}])
    end(sweeps, run_id, loss=0.4)
    answer = sweeps.beat(sweep_id, agent, want_work=True, runs=[{"run_id": run_id, "exit_code": 0}])
    assert [c.type for c in answer.commands] == ["exit"]
    assert sweeps.service.get(sweeps.world.owner, sweep_id).finished_reason == "target"


def test_hyperband_stops_the_worse_trial_at_its_next_heartbeat(sweeps: Sweeps) -> None:
    config = {**GRID, "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 3}}
    sweep_id = sweeps.create(config)
    a, b = sweeps.agent(sweep_id), sweeps.agent(sweep_id)
    ta, tb = sweeps.take(sweep_id, a), sweeps.take(sweep_id, b)
    assert ta is not None and tb is not None
    for run_id, params in (ta, tb):
        start(sweeps, run_id, params, sweep_id)
    sweeps.beat(sweep_id, a, runs=[{"run_id": ta[0], "metric": [1.0, 0.5]}])
    answer = sweeps.beat(sweep_id, b, runs=[{"run_id": tb[0], "metric": [1.0, 2.0]}])
    assert [(c.type, c.run_id) for c in answer.commands] == [("stop", tb[0])]
    assert sweeps.beat(sweep_id, a, runs=[{"run_id": ta[0], "metric_offset": 2}]).commands == []
    # A resent batch counts once: the trial has 2 iterations, not 4.
    sweeps.beat(sweep_id, b, runs=[{"run_id": tb[0], "metric": [1.0, 2.0]}])
    end(sweeps, tb[0], state="crashed")  # SIGTERM: the SDK ends its run crashed
    sweeps.beat(sweep_id, b, runs=[{"run_id": tb[0], "metric_offset": 2, "exit_code": 143}])
    trials = {t.run_id: t for t in sweeps.service.trials(sweeps.world.owner, sweep_id).items}
    assert (trials[tb[0]].state, trials[tb[0]].iterations, trials[tb[0]].stop_requested) == (
        "stopped",
        2,
        True,
    )
    assert trials[ta[0]].state == "running"


def test_a_trial_whose_process_never_called_init_fails_with_its_exit_code(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create(GRID)
    agent = sweeps.agent(sweep_id)
    run_id, _ = sweeps.take(sweep_id, agent) or ("", {})
    sweeps.beat(sweep_id, agent, runs=[{"run_id": run_id, "exit_code": 2}])
    run = sweeps.world.runs.get(sweeps.world.owner, run_id)
    assert (run.state, run.exit_code) == ("failed", 2)


def test_an_agent_silent_for_three_heartbeats_has_its_run_marked_crashed(
    sweeps: Sweeps, old_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {**GRID, "metric": {"name": "loss", "impute": "latest"}}
    sweep_id = sweeps.create(config)
    dying, living = sweeps.agent(sweep_id), sweeps.agent(sweep_id)
    run_id, params = sweeps.take(sweep_id, dying) or ("", {})
    start(sweeps, run_id, params, sweep_id)
    sweeps.beat(sweep_id, dying, runs=[{"run_id": run_id, "metric": [0.7, 0.6]}])
    later(monkeypatch, 10)
    sweeps.beat(sweep_id, living)  # two missed beats: alive
    assert sweeps.world.runs.get(sweeps.world.owner, run_id).state == "running"
    later(monkeypatch, 16)
    sweeps.beat(sweep_id, living)  # the third: dead, and its run crashed
    assert sweeps.world.runs.get(sweeps.world.owner, run_id).state == "crashed"
    trial = sweeps.service.trials(sweeps.world.owner, sweep_id).items[0]
    assert (trial.state, trial.metric) == ("crashed", 0.6)  # imputed: metric.impute latest
    agents = {a.id: a.state for a in sweeps.service.agents(sweeps.world.owner, sweep_id).items}
    assert agents[dying] == "dead"


def test_the_periodic_tick_settles_a_sweep_whose_only_agent_died(
    sweeps: Sweeps, old_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep_id = sweeps.create(GRID)
    agent = sweeps.agent(sweep_id)
    run_id, params = sweeps.take(sweep_id, agent) or ("", {})
    start(sweeps, run_id, params, sweep_id)
    later(monkeypatch, 20)
    state = _state_of(sweeps)
    assert tick_sweeps(state) == [sweep_id]
    assert sweeps.world.runs.get(sweeps.world.owner, run_id).state == "crashed"
    sweeps.service.patch(sweeps.world.owner, sweep_id, SweepPatch(state="finished"))
    tick_sweeps(state)  # nothing alive in a finished sweep: it leaves the live index
    assert "gsi2pk" not in read_partition(sweeps.world.items, sweep_id).meta


def test_pause_resume_and_cancel(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create(GRID)
    agent = sweeps.agent(sweep_id)
    owner = sweeps.world.owner
    sweeps.service.patch(owner, sweep_id, SweepPatch(state="paused"))
    assert sweeps.take(sweep_id, agent) is None
    sweeps.service.patch(owner, sweep_id, SweepPatch(state="running"))
    run_id, params = sweeps.take(sweep_id, agent) or ("", {})
    start(sweeps, run_id, params, sweep_id)
    sweeps.service.patch(owner, sweep_id, SweepPatch(state="cancelled"))
    answer = sweeps.beat(sweep_id, agent, runs=[{"run_id": run_id}])
    assert [(c.type, c.run_id) for c in answer.commands] == [("stop", run_id)]
    end(sweeps, run_id, state="crashed")
    answer = sweeps.beat(sweep_id, agent, want_work=True, runs=[{"run_id": run_id, "exit_code": 143}])
    assert [c.type for c in answer.commands] == ["exit"] and "cancelled" in (answer.commands[0].reason or "")


def test_a_deleted_sweep_answers_its_agents_404(sweeps: Sweeps) -> None:
    sweep_id = sweeps.create(GRID)
    agent = sweeps.agent(sweep_id)
    sweeps.service.delete(sweeps.world.owner, sweep_id)
    with pytest.raises(NotFound):
        sweeps.beat(sweep_id, agent, want_work=True)


def test_prior_runs_seed_the_search(sweeps: Sweeps) -> None:
    w = sweeps.world
    w.runs.create(w.owner, w.project_id, RunCreate(id="old", config={"lr": 0.2, "other": 1}))
    end(sweeps, "old", loss=0.25)
    sweep_id = sweeps.create(GRID, prior_runs=["old"])
    handed = [sweeps.take(sweep_id, sweeps.agent(sweep_id)) for _ in range(2)]
    assert sorted(t[1]["lr"] for t in handed if t) == [0.1, 0.3]  # 0.2 came from the prior run
    trials = sweeps.service.trials(w.owner, sweep_id).items
    assert (trials[0].run_id, trials[0].prior, trials[0].params, trials[0].metric) == (
        "old",
        True,
        {"lr": 0.2},
        0.25,
    )


def _state_of(s: Sweeps) -> AppState:
    """An AppState over the world's stores, as the periodic task gets one."""
    return AppState(s.world.settings, storage_factory=lambda _: Storage(s.world.items, s.world.blobs, "test"))
