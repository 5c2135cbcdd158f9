"""`make run` serves with the 'server' extra only, and rebuilds the web only when its sources changed.

Checked with `make -n` (print, do not run) on a copy of the Makefile over a fake web/ tree whose
stamp times we set, so nothing is installed or built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

SOURCES = [
    "src/main.tsx",
    "src/pages/a.tsx",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("no make")
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tools" / "emulators").mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(REPO / "tools" / "emulators" / name, tmp_path / "tools" / "emulators" / name)
        os.utime(tmp_path / "tools" / "emulators" / name, (1_000, 1_000))
    for rel in SOURCES:
        (tmp_path / "web" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "web" / rel).write_text("x")
    for d in [tmp_path / "web" / "src", tmp_path / "web" / "src" / "pages"]:
        os.utime(d, (1_000, 1_000))
    for rel in SOURCES:
        os.utime(tmp_path / "web" / rel, (1_000, 1_000))
    os.utime(tmp_path / "pyproject.toml", (1_000, 1_000))
    stamps = {".venv/.installed-stamp": 2_000, ".venv/.server-stamp": 2_000,
              "web/node_modules/.installed-stamp": 2_000, "web/dist/.build-stamp": 3_000,
              "tools/emulators/node_modules/.installed-stamp": 2_000}  # fmt: skip
    for rel, t in stamps.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
        os.utime(tmp_path / rel, (t, t))
    return tmp_path


def dry_run(tree: Path, target: str) -> str:
    done = subprocess.run(["make", "-n", target], cwd=tree, capture_output=True, text=True, check=True)
    return done.stdout


def test_an_unchanged_web_is_neither_installed_nor_built_again(tree: Path) -> None:
    out = dry_run(tree, "web-build")
    assert "npm" not in out


def test_a_changed_source_rebuilds_without_npm_ci(tree: Path) -> None:
    os.utime(tree / "web" / "src" / "pages" / "a.tsx", (4_000, 4_000))
    out = dry_run(tree, "web-build")
    assert "npm run build" in out and "npm ci" not in out


def test_a_new_source_file_rebuilds(tree: Path) -> None:
    (tree / "web" / "src" / "pages" / "b.tsx").write_text("new")  # the folder's time moves too
    assert "npm run build" in dry_run(tree, "web-build")


def test_a_changed_lock_file_reinstalls_and_rebuilds(tree: Path) -> None:
    os.utime(tree / "web" / "package-lock.json", (4_000, 4_000))
    out = dry_run(tree, "web-build")
    assert "npm ci" in out and "npm run build" in out


def test_run_installs_only_the_server_extra(tree: Path) -> None:
    (tree / ".venv" / ".installed-stamp").unlink()
    (tree / ".venv" / ".server-stamp").unlink()
    out = dry_run(tree, "run")
    assert "'.[server]'" in out
    assert "dev" not in out and "cdk" not in out
    assert "wanllmdb server" in out


def test_test_still_installs_everything(tree: Path) -> None:
    (tree / ".venv" / ".installed-stamp").unlink()
    assert "'.[server,dev,cdk]'" in dry_run(tree, "pytest")


def test_setup_installs_the_storage_emulators_once(tree: Path) -> None:
    """Azurite (tools/emulators) comes with `make setup`, and again only when its lock file changes."""
    assert "tools/emulators" not in dry_run(tree, "setup")
    os.utime(tree / "tools" / "emulators" / "package-lock.json", (4_000, 4_000))
    assert "cd tools/emulators && npm ci" in dry_run(tree, "setup")
