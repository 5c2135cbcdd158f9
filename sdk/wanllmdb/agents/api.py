"""``wanllmdb.sweep``, ``wanllmdb.agent`` and the sweep state changes, as wandb's calls behave:
``sweep_id = wanllmdb.sweep(config, project="mnist")`` (a dict, or a YAML/JSON file path), then
``wanllmdb.agent(sweep_id, function=train, count=10)``, or ``wanllmdb agent SWEEP_ID`` for ``command``.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wanllmdb.agents.agent import Agent, AgentFailed
from wanllmdb.agents.client import SweepClient, parse_sweep_path
from wanllmdb.errors import UsageError
from wanllmdb.rest import ApiError, Transient, call_with_retry
from wanllmdb.settings import Settings
from wanllmdb.termlog import termlog

__all__ = ["STATE_ACTIONS", "agent", "run_agent", "set_sweep_state", "sweep"]

# `wanllmdb sweep --stop` and friends: the state each action asks for.
STATE_ACTIONS = {"pause": "paused", "resume": "running", "stop": "finished", "cancel": "cancelled"}
# How long the agent keeps trying to reach the server when it starts.
START_RETRY_S = 30.0


def _client(settings: Settings) -> SweepClient:
    return SweepClient(settings.base_url, settings.api_key, timeout_s=settings.http_timeout_s)


def _read_config(config: Mapping[str, Any] | str | os.PathLike[str]) -> dict[str, Any]:
    """The request body: a dict as `config`, a file as its text (`config_yaml`, kept as written).
    Checked here first with the engine, so a bad config fails before any request, naming its path."""
    from wanllmdb.sweeps.engine import SweepConfigError, parse_config

    if isinstance(config, Mapping):
        body: dict[str, Any] = {"config": dict(config)}
    else:
        path = Path(config)
        if not path.is_file():
            raise UsageError(f"sweep config {str(config)!r}: no such file")
        body = {"config_yaml": path.read_text(encoding="utf-8")}
    try:
        parse_config(body.get("config") or body["config_yaml"])
    except SweepConfigError as exc:
        raise UsageError(f"sweep config: {exc}") from None
    return body


def sweep(
    sweep: Mapping[str, Any] | str | os.PathLike[str],
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
) -> str:
    """Create a sweep on the server and return its id (wandb.sweep). Project and entity come from the
    arguments, else the config's `project`/`entity`, else WANLLMDB_PROJECT/WANLLMDB_ENTITY."""
    body = _read_config(sweep)
    from wanllmdb.sweeps.engine import parse_config

    parsed = parse_config(body.get("config") or body["config_yaml"])
    s = Settings.resolve(project=project or parsed.project, entity=entity or parsed.entity)
    project_name = s.project or "uncategorized"
    if prior_runs:
        body["prior_runs"] = list(prior_runs)
    client = _client(s)
    try:
        project_item = client.ensure_project(project_name, s.entity)
        created = client.create_sweep(project_item["id"], body)
    except ApiError as exc:
        field = f" ({exc.field})" if exc.field else ""
        raise UsageError(f"the server refused the sweep: {exc.message}{field}") from None
    except Transient as exc:
        raise UsageError(f"cannot reach {s.base_url} to create the sweep ({exc})") from None
    finally:
        client.close()
    path = f"{created['entity']}/{created['project']}/{created['id']}"
    termlog(f"created sweep {created['id']} in {created['entity']}/{created['project']}")
    termlog(f"view it at {s.base_url}/{created['entity']}/{created['project']}/sweeps/{created['id']}")
    termlog(f"run an agent with: wanllmdb agent {path}")
    return str(created["id"])


def set_sweep_state(sweep_id: str, action: str) -> dict[str, Any]:
    """pause, resume, stop (running trials finish) or cancel (running trials are stopped)."""
    if action not in STATE_ACTIONS:
        raise UsageError(f"unknown sweep action {action!r}: use one of {', '.join(STATE_ACTIONS)}")
    _, _, sid = parse_sweep_path(sweep_id)
    s = Settings.resolve()
    client = _client(s)
    try:
        return client.patch_sweep(sid, {"state": STATE_ACTIONS[action]})
    except ApiError as exc:
        raise UsageError(f"sweep {sid}: {exc.message}") from None
    except Transient as exc:
        raise UsageError(f"cannot reach {s.base_url} ({exc})") from None
    finally:
        client.close()


def _find_sweep(client: SweepClient, path: str, project: str | None, entity: str | None) -> dict[str, Any]:
    try:
        path_entity, path_project, sid = parse_sweep_path(path)
    except ValueError as exc:
        raise AgentFailed(str(exc)) from None
    deadline = time.monotonic() + START_RETRY_S
    try:
        found = call_with_retry(lambda: client.get_sweep(sid), deadline=deadline, max_backoff_s=5.0)
    except Transient as exc:
        raise AgentFailed(f"cannot reach {client.base_url} ({exc}); is the server running?") from None
    except ApiError as exc:
        if exc.status == 404:
            raise AgentFailed(
                f"sweep {sid} not found on {client.base_url}: check the id (`wanllmdb sweep CONFIG` "
                "prints it) and that your API key may read its project"
            ) from None
        raise AgentFailed(f"sweep {sid}: {exc.message}") from None
    for asked, actual, what in (
        (path_project or project, found["project"], "project"),
        (path_entity or entity, found["entity"], "entity"),
    ):
        if asked and asked != actual:
            raise AgentFailed(f"sweep {sid} belongs to {what} {actual!r}, not {asked!r}")
    return found


def run_agent(
    sweep_id: str,
    *,
    function: Callable[[], Any] | None = None,
    count: int | None = None,
    project: str | None = None,
    entity: str | None = None,
) -> int:
    """Register with the sweep and work until it ends; the exit code (AgentFailed when it cannot start)."""
    if count is not None and count < 1:
        raise UsageError(f"count={count}: give at least 1, or None for no limit")
    s = Settings.resolve()
    client = _client(s)
    try:
        found = _find_sweep(client, sweep_id, project, entity)
        try:
            registered = client.register_agent(
                found["id"], {"host": socket.gethostname()[:255], "pid": os.getpid()}
            )
        except (ApiError, Transient) as exc:
            raise AgentFailed(f"sweep {found['id']}: this agent could not register ({exc})") from None
        termlog(
            f"agent {registered['id']} working on sweep {found['id']} ({found['entity']}/{found['project']})"
        )
        kill_delay = float(
            os.environ.get("WANLLMDB_AGENT_KILL_DELAY") or os.environ.get("WANDB_AGENT_KILL_DELAY") or 30
        )
        worker = Agent(
            client,
            found,
            registered["id"],
            root=s.root,
            function=function,
            count=count,
            kill_delay_s=kill_delay,
        )
        return worker.run()
    finally:
        client.close()


def agent(
    sweep_id: str,
    function: Callable[[], Any] | None = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
) -> None:
    """Run trials of a sweep in this process (wandb.agent): ``function`` in a thread per trial, or the
    sweep's ``command`` as a child process. Raises AgentFailed when it cannot start or a guard stops it."""
    code = run_agent(sweep_id, function=function, count=count, project=project, entity=entity)
    if code not in (0, 130, 143):
        raise AgentFailed(f"the agent for sweep {sweep_id} stopped (exit code {code})", code)
