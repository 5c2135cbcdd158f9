"""Integration tests train a real framework for a few rounds on synthetic data, logging to a real local
server, then read the run back through the public ``Api()``: history, config, summary, tables, artifacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import LocalServer, start_local_server
from tests.sdk.conftest import admin_key, online_settings
from wanllmdb.run import Run

PROJECT = "integrations"


@pytest.fixture(scope="package")
def integration_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One server for every integration module (each start costs a second or two)."""
    server = start_local_server(tmp_path_factory.mktemp("integrations") / "data")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def online_run(integration_server: LocalServer, tmp_path: Path) -> Callable[..., Run]:
    def start(**kwargs: Any) -> Run:
        return wanllmdb.init(
            project=PROJECT, dir=tmp_path, settings=online_settings(integration_server), **kwargs
        )

    return start


@dataclass
class Landed:
    """A finished run as a reader sees it on the server."""

    history: list[dict[str, Any]]
    config: dict[str, Any]
    summary: dict[str, Any]
    artifacts: list[Any]
    api_run: Any
    api: Any

    def artifact(self, name: str) -> Any:
        """An artifact version of the project by name and alias (``model_x:best``)."""
        return self.api.artifact(f"{PROJECT}/{name}")

    def column(self, key: str) -> list[Any]:
        return [row[key] for row in self.history if key in row]

    def table(self, key: str) -> dict[str, Any]:
        table: dict[str, Any] = self.api_run.table(key, format="json")
        return table

    def panel(self, key: str) -> dict[str, Any]:
        """The chart logged under ``key``: its preset id and fields, from the stored config."""
        config: dict[str, Any] = self.config["_wandb"]["visualize"][key]["panel_config"]
        return config


@pytest.fixture
def landed(integration_server: LocalServer) -> Iterator[Callable[[Run], Landed]]:
    overrides = {"base_url": integration_server.url, "api_key": admin_key(integration_server.data_dir)}
    api = wanllmdb.Api(overrides=overrides)

    def read(run: Run) -> Landed:
        if not run._closed:
            run.finish()
        api_run = api.run(f"{PROJECT}/{run.id}")
        return Landed(
            history=list(api_run.scan_history()),
            config=api_run.config,
            summary=api_run.summary,
            artifacts=api_run.logged_artifacts(),
            api_run=api_run,
            api=api,
        )

    try:
        yield read
    finally:
        api.close()


def server_down_settings() -> dict[str, Any]:
    """An online run whose server never answers: init() goes on offline at once, finish() waits little."""
    from tests.conftest import free_port

    return {
        "base_url": f"http://127.0.0.1:{free_port()}",
        "api_key": "k" * 40,
        "system_metrics": False,
        "init_timeout_s": 0.5,
        "finish_timeout_s": 0.5,
    }
