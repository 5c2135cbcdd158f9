"""The sweeps API as the SDK calls it (docs/sweeps.md, "Routes"): one small client on ``RestClient``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from wanllmdb.rest import RestClient

__all__ = ["SweepClient", "parse_sweep_path"]


def parse_sweep_path(path: str) -> tuple[str | None, str | None, str]:
    """``entity/project/id``, ``project/id`` or ``id`` (wandb accepts all three) → (entity, project, id)."""
    parts = [p for p in path.strip().split("/") if p]
    if not parts or len(parts) > 3:
        raise ValueError(f"{path!r} is not a sweep id: give ID, PROJECT/ID or ENTITY/PROJECT/ID")
    entity, project = (None, None) if len(parts) == 1 else (parts[-3] if len(parts) == 3 else None, parts[-2])
    return entity, project, parts[-1]


class SweepClient(RestClient):
    def create_sweep(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", f"/projects/{quote(project_id, safe='')}/sweeps", body)[1])

    def get_sweep(self, sweep_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/sweeps/{quote(sweep_id, safe='')}")[1])

    def patch_sweep(self, sweep_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("PATCH", f"/sweeps/{quote(sweep_id, safe='')}", body)[1])

    def register_agent(self, sweep_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", f"/sweeps/{quote(sweep_id, safe='')}/agents", body)[1])

    def agent_heartbeat(self, sweep_id: str, agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
        path = f"/sweeps/{quote(sweep_id, safe='')}/agents/{quote(agent_id, safe='')}/heartbeat"
        return dict(self.call("POST", path, body)[1])
