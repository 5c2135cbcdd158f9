# ruff: noqa: F811 - the fixtures imported from artifact_fixtures are redefined as test arguments
"""Artifacts across processes: four writers of one name get v0..v3, and a multipart upload killed
with SIGKILL resumes with only the parts it had not finished."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.artifact_fixtures import server_env  # noqa: F401
from tests.sdk.conftest import admin_key, sdk_env
from wanllmdb.artifacts.http import ArtifactHttp

pytestmark = pytest.mark.slow

WRITER = """
import sys, wanllmdb
run = wanllmdb.init(project="race", settings={"system_metrics": False, "console": "off", "git": False})
art = wanllmdb.Artifact("shared-name", "dataset")
with art.new_file("who.txt") as fh:
    fh.write(sys.argv[1])
run.log_artifact(art).wait()
print(art.version, flush=True)
run.finish()
"""


def test_four_processes_logging_one_name_get_v0_to_v3(
    module_server: LocalServer, tmp_path: Path, server_env: Path
) -> None:
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path, WANLLMDB_SILENT="true")
    env["WANLLMDB_CACHE_DIR"] = str(server_env)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"writer {i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    versions = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        versions.append(out.decode().strip())
    assert sorted(versions) == ["v0", "v1", "v2", "v3"]
    listed = wanllmdb.Api().artifacts("dataset", "admin/race/shared-name")
    assert sorted(a.version for a in listed) == ["v0", "v1", "v2", "v3"]


UPLOADER = """
import sys, time, wanllmdb
from wanllmdb.artifacts.http import ArtifactHttp

real = ArtifactHttp.put_file
part = 5 << 20

def put_file(self, url, headers, path, *, offset=0, length=None):
    if offset >= 2 * part:  # parts 3.. never finish: the test kills this process meanwhile
        time.sleep(600)
    return real(self, url, headers, path, offset=offset, length=length)

ArtifactHttp.put_file = put_file
art = wanllmdb.Artifact("weights", "model")
art.add_file(sys.argv[1])
art.save(project="resume")
"""


def test_a_multipart_upload_killed_midway_resumes_with_the_missing_parts(
    module_server: LocalServer, tmp_path: Path, server_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "weights.bin"
    big.write_bytes(os.urandom((22 << 20) + 123))  # 5 parts of 5 MiB
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path, WANLLMDB_SILENT="true")
    env.update(WANLLMDB_CACHE_DIR=str(server_env), WANLLMDB_ARTIFACT_MULTIPART_BYTES=str(5 << 20))
    proc = subprocess.Popen([sys.executable, "-c", UPLOADER, str(big)], env=env, stderr=subprocess.PIPE)
    states = server_env / "artifacts" / "uploads"
    deadline = time.monotonic() + 60
    etags: dict[str, Any] = {}
    while time.monotonic() < deadline and len(etags) < 2:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        for state in states.glob("*.json") if states.exists() else []:
            try:
                etags = json.loads(state.read_text())["etags"]
            except ValueError:
                continue
        time.sleep(0.05)
    assert sorted(etags) == ["1", "2"], etags
    proc.kill()  # SIGKILL: no cleanup runs
    proc.wait(timeout=10)

    monkeypatch.setenv("WANLLMDB_ARTIFACT_MULTIPART_BYTES", str(5 << 20))
    puts: list[int] = []
    real = ArtifactHttp.put_file

    def counted(self: ArtifactHttp, url: str, headers: dict[str, str], path: Path, **kw: Any) -> str:
        puts.append(int(kw.get("offset", 0)) // (5 << 20) + 1)
        return real(self, url, headers, path, **kw)

    monkeypatch.setattr(ArtifactHttp, "put_file", counted)
    art = wanllmdb.Artifact("weights", "model")
    art.add_file(big)
    art.save(project="resume")
    assert sorted(puts) == [3, 4, 5] and art.version == "v0"
    assert list(states.glob("*.json")) == []  # completed: nothing left to resume
    fresh = tmp_path / "fresh-cache"
    monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(fresh))
    out = Path(wanllmdb.Api().artifact("admin/resume/weights:v0").download(tmp_path / "out"))
    assert (out / "weights.bin").read_bytes() == big.read_bytes()
