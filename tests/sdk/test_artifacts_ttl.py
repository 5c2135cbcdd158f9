# ruff: noqa: F811 - the fixtures imported from artifact_fixtures are redefined as test arguments
"""`artifact.ttl` as wandb's, against a real local server: sent when logged, changed by `save()` on a
logged artifact, None keeping it forever, `ArtifactTTL.INHERIT` following the project's default, and the
server's refusal on a version holding `production`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.artifact_fixtures import OnlineRun, online_run, server_env  # noqa: F401
from tests.sdk.conftest import admin_key
from wanllmdb.artifacts.ttl import ttl_fields

pytestmark = pytest.mark.slow

PROJECT = "ttl-arts"


def project_default(server: LocalServer, days: int | None) -> None:
    response = httpx.patch(
        f"{server.url}/api/projects/admin:{PROJECT}",
        json={"artifact_ttl_days": days},
        headers={"Authorization": f"Bearer {admin_key(server.data_dir)}"},
    )
    assert response.status_code == 200, response.text


def test_ttl_round_trip_log_save_forever_and_inherit(
    module_server: LocalServer, online_run: OnlineRun
) -> None:
    run = online_run(project=PROJECT)
    art = wanllmdb.Artifact("ckpt", "model")
    with art.new_file("w.txt") as fh:
        fh.write("weights")
    art.ttl = timedelta(days=30)
    run.log_artifact(art).wait()
    assert art.ttl == timedelta(days=30)
    assert art._attrs is not None and art._attrs["expires_at"] is not None

    fetched = wanllmdb.Api().artifact(f"admin/{PROJECT}/ckpt:v0")
    assert fetched.ttl == timedelta(days=30)
    fetched.ttl = None  # wandb's: kept forever, whatever the project's default
    fetched.save()
    again = wanllmdb.Api().artifact(f"admin/{PROJECT}/ckpt:v0")
    assert again.ttl is None and again._attrs is not None and again._attrs["ttl_inherited"] is False

    project_default(module_server, 14)
    again.ttl = wanllmdb.ArtifactTTL.INHERIT
    again.save()
    assert again.ttl == timedelta(days=14)
    assert wanllmdb.Api().artifact(f"admin/{PROJECT}/ckpt:v0")._attrs["ttl_inherited"] is True  # type: ignore[index]
    # A version logged without a TTL inherits the project's.
    plain = wanllmdb.Artifact("ckpt", "model")
    with plain.new_file("w.txt") as fh:
        fh.write("newer weights")
    run.log_artifact(plain).wait()
    assert plain.ttl == timedelta(days=14)
    project_default(module_server, None)
    run.finish()


def test_a_ttl_with_production_is_refused_by_the_server_saying_why(online_run: OnlineRun) -> None:
    run = online_run(project=PROJECT)
    art = wanllmdb.Artifact("served", "model")
    with art.new_file("w.txt") as fh:
        fh.write("in production")
    run.log_artifact(art, aliases=["production"]).wait()
    art.ttl = timedelta(days=7)
    with pytest.raises(wanllmdb.ApiError, match="move 'production' to another version first"):
        art.save()
    run.finish()


def test_the_ttl_setter_takes_wandbs_values_and_refuses_others(tmp_path: Path) -> None:
    art = wanllmdb.Artifact("draft", "dataset")
    with pytest.raises(wanllmdb.UsageError, match="known once the artifact is logged"):
        _ = art.ttl  # inherited, and a draft: the project's is not known here (wandb raises too)
    art.ttl = timedelta(hours=36)
    assert art.ttl == timedelta(hours=36)
    assert ttl_fields(art._ttl) == {"ttl_days": 2}  # whole days, rounded up: never deleted sooner
    art.ttl = None
    assert art.ttl is None and ttl_fields(art._ttl) == {"ttl_days": None}
    art.ttl = wanllmdb.ArtifactTTL.INHERIT
    assert ttl_fields(art._ttl) == {}
    with pytest.raises(ValueError, match="positive"):
        art.ttl = timedelta(0)
    with pytest.raises(TypeError, match="timedelta"):
        art.ttl = 30  # type: ignore[assignment]


def test_an_offline_artifacts_ttl_goes_with_it_to_sync(
    module_server: LocalServer, server_env: Path, tmp_path: Path
) -> None:
    from wanllmdb.sync import find_run_dirs, sync_runs

    run = wanllmdb.init(project=PROJECT, mode="offline", dir=tmp_path, settings={"system_metrics": False})
    art = wanllmdb.Artifact("offline-ckpt", "model")
    with art.new_file("w.txt") as fh:
        fh.write("made offline")
    art.ttl = timedelta(days=3)
    run.log_artifact(art)
    forever = wanllmdb.Artifact("offline-keep", "model")
    with forever.new_file("w.txt") as fh:
        fh.write("kept")
    forever.ttl = None
    run.log_artifact(forever)
    run.finish()
    (result,) = sync_runs(find_run_dirs([tmp_path]), base_url=module_server.url)
    assert result.status != "failed", result.message
    assert wanllmdb.Api().artifact(f"admin/{PROJECT}/offline-ckpt:v0").ttl == timedelta(days=3)
    kept = wanllmdb.Api().artifact(f"admin/{PROJECT}/offline-keep:v0")
    assert kept.ttl is None and kept._attrs is not None and kept._attrs["ttl_inherited"] is False
