"""The run files W&B users look for (issue 13): config.yaml, requirements.txt, wanllmdb-metadata.json and
output.log land in the run's files on a real local server, uploaded off the caller's thread."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key
from wanllmdb.config import load_config_source


def lake_files(server: LocalServer, run_id: str) -> dict[str, Path]:
    return {p.name: p for p in server.data_dir.glob(f"lake/files/project=*/run={run_id}/*")}


@pytest.mark.slow
def test_config_requirements_metadata_and_output_land_in_the_run_files(
    module_server: LocalServer, tmp_path: Path
) -> None:
    settings = {
        "base_url": module_server.url,
        "api_key": admin_key(module_server.data_dir),
        "flush_interval_s": 0.2,
        "system_metrics": False,
        "git": False,
    }
    t0 = time.perf_counter()
    run = wanllmdb.init(project="files", dir=tmp_path, config={"lr": 0.01}, settings=settings)
    init_s = time.perf_counter() - t0
    run.config.update({"epochs": 3})
    print("epoch 1 done")
    print("epoch 2 done")
    run.log({"loss": 0.5})
    run.finish()
    assert run.synced is True
    assert init_s < 5  # requirements.txt is listed on a thread, not in init()

    files = lake_files(module_server, run.id)
    assert {"config.yaml", "requirements.txt", "wanllmdb-metadata.json", "output.log"} <= set(files)
    config = yaml.safe_load(files["config.yaml"].read_text())
    assert config == {"lr": {"value": 0.01}, "epochs": {"value": 3}}  # the final config, wandb's layout
    assert load_config_source(str(files["config.yaml"])) == {"lr": 0.01, "epochs": 3}  # init() reads it back
    requirements = files["requirements.txt"].read_text().splitlines()
    assert any(line.startswith("pyarrow==") for line in requirements)
    assert requirements == sorted(requirements, key=lambda line: line.split("==")[0].lower())
    assert json.loads(files["wanllmdb-metadata.json"].read_text())["python"]
    output = files["output.log"].read_text().splitlines()
    assert output.index("epoch 1 done") < output.index("epoch 2 done")

    with wanllmdb.Api({"base_url": module_server.url, "api_key": admin_key(module_server.data_dir)}) as api:
        listed = {f.name for f in api.run(f"{run.entity}/files/{run.id}").files()}
    assert {"config.yaml", "requirements.txt", "wanllmdb-metadata.json", "output.log"} <= listed


def test_offline_the_files_wait_in_the_run_dir_for_sync(tmp_path: Path) -> None:
    run = wanllmdb.init(
        project="p", mode="offline", dir=tmp_path, config={"a": 1}, settings={"system_metrics": False}
    )
    print("hello")
    run.finish()
    assert run.dir is not None
    names = {p.name for p in (run.dir / "files").iterdir()}
    assert {"config.yaml", "requirements.txt", "output.log"} <= names
    assert (run.dir / "files" / "output.log").read_text() == "hello\n"


def test_console_off_or_metadata_off_leave_those_files_out(tmp_path: Path) -> None:
    settings = {"system_metrics": False, "console": "off", "x_disable_meta": True, "git": False}
    run = wanllmdb.init(project="p", mode="offline", dir=tmp_path, settings=settings)
    print("not captured")
    run.finish()
    assert run.dir is not None
    assert {p.name for p in (run.dir / "files").iterdir()} == {"config.yaml"}


def test_requirements_from_folder_names_match_what_the_packages_say() -> None:
    from importlib import metadata

    from wanllmdb.run_files import requirements

    listed = dict(line.split("==", 1) for line in requirements().splitlines())
    for name in ("pyarrow", "polars", "urllib3", "pydantic"):
        assert listed[name] == metadata.version(name), name
