"""Storage emulators as real processes on free 127.0.0.1 ports: gcp-storage-emulator (pip) for GCS and
Azurite (npm, tools/emulators) for Azure Blob. Every client gets explicit fake credentials."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import httpx

from tests.conftest import REPO, free_port

AZURITE = REPO / "tools" / "emulators" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's published development account: a well-known fake, not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@cache
def fake_service_account() -> dict[str, str]:
    """A service-account JSON with a fresh RSA key: signs V4 URLs, and no token is ever asked for."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "test",
        "client_email": "wanllmdb-test@test.iam.gserviceaccount.com",
        "private_key": pem,
        "token_uri": "http://127.0.0.1:9/token",
    }


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"emulator exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"emulator did not start:\n{log.read_text(errors='replace')}")


@contextmanager
def _process(args: list[str], probe: str, log: Path) -> Iterator[None]:
    with log.open("ab") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    try:
        _wait(probe, process, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def gcs_emulator(work: Path) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "gcp-storage-emulator"
    args = [str(exe), "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory", "-q"]
    with _process(args, f"http://127.0.0.1:{port}/", work / "gcs-emulator.log"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def azurite(work: Path) -> Iterator[str]:
    if not AZURITE.exists():
        raise RuntimeError(
            f"Azurite is not installed at {AZURITE}: run `make setup` (npm ci in tools/emulators)"
        )
    port = free_port()
    args = [
        str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
        "--disableTelemetry", "--silent", "--skipApiVersionCheck",
    ]  # fmt: skip
    env_node = shutil.which("node")
    assert env_node, "Azurite needs node on PATH"
    with _process(args, f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}?comp=list", work / "azurite.log"):
        yield f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"


def service_account_file(path: Path) -> Path:
    path.write_text(json.dumps(fake_service_account()))
    return path
