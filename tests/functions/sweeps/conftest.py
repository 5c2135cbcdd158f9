"""Sweep service and controller fixtures on both backends (SQLite + local blobs, moto DynamoDB + S3),
with the runs world of tests/functions/runs: alice owns project lab/mnist, bob views it, eve is a
stranger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.functions.runs.conftest import (
    World,
    world,  # noqa: F401 - the fixture, on both backends
)
from wanllmdb_functions.sweeps.controller import Controller
from wanllmdb_functions.sweeps.models import AgentBeat, AgentCommands, AgentCreate, RunReport, SweepCreate
from wanllmdb_functions.sweeps.service import SweepService


@dataclass
class Sweeps:
    world: World
    service: SweepService
    controller: Controller

    def create(self, config: dict[str, Any], **body: Any) -> str:
        return self.service.create(
            self.world.owner, self.world.project_id, SweepCreate(config=config, **body)
        ).id

    def agent(self, sweep_id: str) -> str:
        return self.controller.register(self.world.owner, sweep_id, AgentCreate(host="test")).id

    def beat(
        self,
        sweep_id: str,
        agent_id: str,
        *,
        want_work: bool = False,
        runs: list[dict[str, Any]] | None = None,
    ) -> AgentCommands:
        body = AgentBeat(want_work=want_work, runs=[RunReport(**r) for r in runs or []])
        return self.controller.heartbeat(self.world.owner, sweep_id, agent_id, body)

    def take(self, sweep_id: str, agent_id: str) -> tuple[str, dict[str, Any]] | None:
        """The trial the agent is handed (run id, params), or None."""
        for command in self.beat(sweep_id, agent_id, want_work=True).commands:
            if command.type == "run":
                assert command.run_id is not None and command.params is not None
                return command.run_id, command.params
        return None


@pytest.fixture
def sweeps(world: World) -> Sweeps:  # noqa: F811 - the imported fixture, as a parameter
    return Sweeps(world, SweepService(world.items, world.runs), Controller(world.items, world.runs))


@pytest.fixture
def old_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """This server process has listened long enough to hear an agent go silent."""
    from wanllmdb_functions.sweeps import records

    monkeypatch.setattr(records, "_STARTED", records._STARTED - 3600)


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the server's clock `seconds` ahead."""
    from datetime import timedelta

    from wanllmdb_functions.core import values

    now = values.now_utc()
    monkeypatch.setattr(values, "clock", lambda: now + timedelta(seconds=seconds))
