"""The Lambda bundler's decisions, checked without downloading anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import jsonschema
import pytest

from infra_cdk.bundle import (
    LAMBDA_UNZIPPED_LIMIT,
    BundleError,
    bundle_fingerprint,
    check_bundle,
    copy_sources,
    pip_command,
    requirements_for,
    runtime_dir,
    slim,
    smoke_import,
)
from infra_cdk.services import SERVICES, ServiceSpec, service


def names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_only_lake_functions_carry_polars():
    for spec in SERVICES:
        assert ("polars" in names(requirements_for(spec))) is spec.needs_polars, spec.name
    assert {s.name for s in SERVICES if s.needs_polars} == {
        "query",
        "sql",
        "compaction",
        "artifacts",
        "reaper",
    }


def test_no_function_requires_pyarrow_or_the_local_server():
    for spec in SERVICES:
        reqs = names(requirements_for(spec))
        assert "pyarrow" not in reqs
        assert "uvicorn" not in reqs
        assert {"fastapi", "mangum", "pynamodb", "boto3", "aws-lambda-powertools"} <= reqs


def test_requirements_come_from_the_server_extra(tmp_path: Path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\n'
        'server = ["fastapi>=1", "polars>=2", "uvicorn[standard]>=0.30"]\n'
    )
    assert requirements_for(service("identity"), pyproject=pyproject) == ["fastapi>=1"]
    assert requirements_for(service("query"), pyproject=pyproject) == ["fastapi>=1", "polars>=2"]


def test_a_server_extra_listing_pyarrow_is_refused(tmp_path: Path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[project.optional-dependencies]\nserver = ["pyarrow>=15"]\n')
    with pytest.raises(BundleError, match="pyarrow"):
        requirements_for(service("query"), pyproject=pyproject)


def test_pip_installs_linux_cp312_wheels_only(tmp_path: Path):
    cmd = pip_command(["fastapi>=0.115"], tmp_path)
    joined = " ".join(cmd)
    for flag in (
        f"--target {tmp_path}",
        "--platform manylinux2014_x86_64",
        "--only-binary=:all:",
        "--python-version 3.12",
        "--implementation cp",
    ):
        assert flag in joined
    assert cmd[-1] == "fastapi>=0.115"


def test_a_bundle_with_pyarrow_is_refused(tmp_path: Path):
    (tmp_path / "pyarrow").mkdir()
    (tmp_path / "pyarrow-18.0.0.dist-info").mkdir()
    with pytest.raises(BundleError, match="query bundle contains pyarrow"):
        check_bundle(service("query"), tmp_path)


def test_a_bundle_over_lambdas_unzipped_limit_is_refused(tmp_path: Path):
    big = tmp_path / "blob.bin"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(LAMBDA_UNZIPPED_LIMIT + 1)
    with pytest.raises(BundleError, match=r"over Lambda's 250 MiB limit"):
        check_bundle(service("query"), tmp_path)
    os.truncate(big, 1024)
    assert check_bundle(service("query"), tmp_path) == 1024


def test_fingerprint_is_stable_and_differs_per_function():
    assert bundle_fingerprint(service("query")) == bundle_fingerprint(service("query"))
    assert bundle_fingerprint(service("query")) != bundle_fingerprint(service("identity"))


def write_handler(bundle: Path, name: str, source: str) -> None:
    handlers = bundle / "wanllmdb_functions" / "handlers"
    handlers.mkdir(parents=True)
    (bundle / "wanllmdb_functions" / "__init__.py").write_text("")
    (handlers / "__init__.py").write_text("")
    (handlers / f"{name}.py").write_text(source)


def test_smoke_import_proves_the_bundle_alone_can_load_the_handler(tmp_path: Path):
    write_handler(tmp_path, "reaper", "import json\nhandler = lambda event, context: json.dumps(event)\n")
    assert smoke_import(service("reaper"), tmp_path, sys.executable).startswith("ok:")


def test_smoke_import_fails_when_a_dependency_is_missing_from_the_bundle(tmp_path: Path):
    # -S keeps this interpreter's site-packages out, so fastapi is only found if the bundle has it.
    write_handler(tmp_path, "runs", "import fastapi\nhandler = None\n")
    with pytest.raises(BundleError, match="No module named 'fastapi'"):
        smoke_import(service("runs"), tmp_path, sys.executable)


def test_smoke_import_skips_handlers_not_written_yet(tmp_path: Path):
    assert smoke_import(service("query"), tmp_path, sys.executable).startswith("skipped:")


def test_the_bundled_code_finds_the_lake_schema_in_the_lambda_layout(tmp_path: Path):
    # The bundle root is Lambda's /var/task: the package and schemas/ side by side, nothing else.
    copy_sources(tmp_path)
    assert (tmp_path / "schemas" / "lake_schema.json").is_file()
    code = (
        "from wanllmdb_functions.lake.keys import chunk_key;"
        "print(chunk_key('p', 'r', 'history', attempt=0, seq=3))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "metrics/project=p/run=r/stream=history/chunk-a0000-000000003.parquet"


def test_only_the_sweep_controller_carries_the_engine_and_its_numeric_stack():
    for spec in SERVICES:
        reqs = names(requirements_for(spec))
        assert ({"numpy", "scipy", "pyyaml", "jsonschema"} <= reqs) is spec.needs_sweep_engine, spec.name
        assert spec.needs_sweep_engine or "scipy" not in reqs, spec.name
        # numpy also goes with Polars: the lake's pyramid sums use it (lake/blocks.py)
        assert ("numpy" in reqs) is (spec.needs_sweep_engine or spec.needs_polars), spec.name
    assert {s.name for s in SERVICES if s.needs_sweep_engine} == {"runs"}


def test_the_engine_is_bundled_alone_under_its_own_wanllmdb_package(tmp_path: Path):
    copy_sources(tmp_path, service("runs"))
    assert (tmp_path / "wanllmdb" / "sweeps" / "engine.py").is_file()
    assert not (tmp_path / "wanllmdb" / "run.py").exists()  # the SDK itself stays out
    code = (
        "import wanllmdb, wanllmdb.sweeps as s;"
        "c = s.load_config({'method': 'grid', 'parameters': {'x': {'values': [1, 2]}}});"
        "print(wanllmdb.__file__, s.next_runs(c, []))"
    )
    # The bundle comes first on the path, as /var/task does in Lambda; yaml and jsonschema come from
    # this interpreter's site-packages here, and from the bundle's pip install there.
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    where, suggested = result.stdout.strip().split(" ", 1)
    assert where.startswith(str(tmp_path)) and suggested == "[{'x': 1}]"
    copy_sources(tmp_path / "query", service("query"))
    assert not (tmp_path / "query" / "wanllmdb").exists()


def _bundled_site(spec: ServiceSpec, root: Path) -> Path:
    """This interpreter's site-packages less what `spec`'s bundle leaves out (links, so it is quick),
    plus the engine-only `wanllmdb/` where the bundle carries one."""
    site = root / "site"
    site.mkdir()
    left_out = {"pyarrow", "wanllmdb", "_virtualenv", "obstore"}
    left_out |= set() if spec.needs_polars else {"polars", "sqlglot"}
    reports_and_sign_in = {"nh3", "pycrdt", "markdown_it", "mdit_py_plugins", "joserfc", "cryptography"}
    left_out |= reports_and_sign_in if spec.needs_polars else set()
    left_out |= set() if spec.needs_sweep_engine else {"scipy", "threadpoolctl"}
    left_out |= set() if spec.needs_sweep_engine or spec.needs_polars else {"numpy"}
    left_out |= set() if spec.package == "image" else {"websockets"}
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        top = re.split(r"[-.]", entry.name, maxsplit=1)[0].lower()
        if top not in left_out and entry.suffix != ".pth" and not entry.name.startswith("__editable__"):
            (site / entry.name).symlink_to(entry)
    copy_sources(root / "code", spec)
    return site


@pytest.mark.parametrize(
    "spec",
    [s for s in SERVICES if s.routes or s.websocket or s.name in ("reaper", "notify", "compaction")],
    ids=lambda s: s.name,
)
def test_each_handler_imports_with_only_what_its_bundle_carries(spec: ServiceSpec, tmp_path: Path):
    # A handler that imports Polars (or the sweep engine) in a function whose bundle leaves it out
    # deploys fine and fails on its first request: import each one with exactly its bundle's packages.
    site = _bundled_site(spec, tmp_path)
    env = {
        "PYTHONPATH": f"{tmp_path / 'code'}:{site}",
        "WANLLMDB_BACKEND": "aws",
        "WANLLMDB_TABLE": "t",
        "WANLLMDB_BUCKET": "b",
        "WANLLMDB_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    code = f"import importlib; importlib.import_module({spec.handler.rsplit('.', 1)[0]!r})"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{spec.name}: {result.stderr.strip().splitlines()[-1:]}"


def test_the_bundled_code_finds_the_report_schema_in_the_lambda_layout(tmp_path: Path):
    copy_sources(tmp_path)
    code = (
        "from wanllmdb_functions.reports.spec import REPORT_SCHEMA_PATH, validate_spec;"
        "validate_spec({'version': 1, 'blocks': [{'id': 'a', 'type': 'horizontal_rule'}]});"
        "print(REPORT_SCHEMA_PATH)"
    )
    # site-packages only lends jsonschema: the bundle comes first on the path, so its own code is imported.
    site = Path(jsonschema.__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": f"{tmp_path}:{site}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str((tmp_path / "schemas" / "report.schema.json").resolve())


def test_every_function_carries_jsonschema_once_for_report_specs():
    for spec in SERVICES:
        reqs = [r for r in requirements_for(spec) if r.startswith("jsonschema")]
        assert len(reqs) == 1, spec.name


def test_the_reports_function_carries_its_markdown_sanitiser_and_crdt_packages(tmp_path: Path):
    # reports/ parses markdown (markdown-it-py, mdit-py-plugins), sanitises (nh3), validates specs
    # against schemas/report.schema.json (jsonschema) and merges Yjs updates (pycrdt).
    reqs = names(requirements_for(service("reports")))
    assert {"nh3", "pycrdt", "markdown-it-py", "mdit-py-plugins", "jsonschema"} <= reqs
    assert not ({"polars", "numpy", "scipy"} & reqs)
    copy_sources(tmp_path, service("reports"))
    assert (tmp_path / "schemas" / "report.schema.json").is_file()


def test_only_the_export_image_carries_the_printers_devtools_client():
    # The Chromium printer talks to the browser over a websocket (adapters/chromium_printer.py).
    carriers = {spec.name for spec in SERVICES if "websockets" in names(requirements_for(spec))}
    assert carriers == {spec.name for spec in SERVICES if spec.package == "image"} == {"report_export"}


def test_slimming_moves_what_the_runtime_provides_beside_the_bundle_and_drops_what_never_runs(
    tmp_path: Path,
):
    out = tmp_path / "query"
    for path in ("botocore/__init__.py", "boto3/__init__.py", "boto3-1.40.0.dist-info/METADATA",
                 "numpy/__init__.py", "numpy/_core/tests/test_x.py", "numpy/__init__.pyi",
                 "polars/__init__.py"):  # fmt: skip
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text("x")
    slim(out, runtime_dir(out))
    assert sorted(p.name for p in out.iterdir()) == ["numpy", "polars"]
    assert not (out / "numpy" / "_core" / "tests").exists() and not (out / "numpy" / "__init__.pyi").exists()
    assert sorted(p.name for p in runtime_dir(out).iterdir()) == [
        "boto3", "boto3-1.40.0.dist-info", "botocore",
    ]  # fmt: skip


def test_no_bundle_carries_the_self_hosted_blob_stores_client():
    for spec in SERVICES:
        assert "obstore" not in names(requirements_for(spec)), spec.name
