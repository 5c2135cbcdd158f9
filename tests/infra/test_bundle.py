"""The Lambda bundler's decisions, checked without downloading anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infra_cdk.bundle import (
    LAMBDA_UNZIPPED_LIMIT,
    BundleError,
    bundle_fingerprint,
    check_bundle,
    pip_command,
    requirements_for,
)
from infra_cdk.services import SERVICES, service


def names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_only_lake_functions_carry_polars():
    for spec in SERVICES:
        assert ("polars" in names(requirements_for(spec))) is spec.needs_polars, spec.name
    assert {s.name for s in SERVICES if s.needs_polars} == {"query", "compaction"}


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
