"""Shared fixtures: real stores on temp dirs, moto for AWS, and a real local server on a free port."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
    from wanllmdb_functions.adapters.s3_blobs import S3BlobStore

REPO = Path(__file__).resolve().parents[1]

# moto and boto3 must never find real credentials or reach AWS from the test suite.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)


class _PathsOnce(list[str]):
    """boto3 appends its data path to the loader at every Session: once is enough for a shared loader."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@functools.cache
def _shared_loader(search_path_string: str | None = None) -> Any:
    from botocore.loaders import create_loader

    loader = create_loader(search_path_string)
    loader._search_paths = _PathsOnce(loader.search_paths)
    return loader


def _loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths, socketpairs: nothing leaves the machine
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name: the connect would go wherever DNS says


@pytest.fixture(scope="session", autouse=True)
def loopback_only() -> Iterator[None]:
    """Hermetic: any socket connect outside 127.0.0.0/8 (and ::1) fails the test that made it, so no
    test reaches a cloud or a metadata server (169.254.169.254) by accident. It sees Python sockets
    only; Rust clients (obstore) are kept off ambient credentials by explicit ones in every fixture."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(address: object) -> None:
        raise AssertionError(f"test tried to connect to {address!r}: only 127.0.0.0/8 is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            refuse(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            refuse(address)
        return real_connect_ex(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect_ex)
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_data() -> Iterator[None]:
    """One botocore data loader for the whole test process.

    Every botocore session parses botocore's JSON data (endpoints, service models) again, and tests make
    many sessions: mock_aws() clears boto3's default session and pynamodb makes its own, so each
    aws-backed test paid ~0.5 s of JSON decoding. The data never changes; a Lambda container keeps one
    session and parses it once too. Subprocesses (servers, training scripts) are not affected.
    """
    import botocore.session

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(botocore.session, "create_loader", _shared_loader)
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self, *, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_local_server(
    data_dir: Path, *, port: int | None = None, env: dict[str, str] | None = None
) -> LocalServer:
    """Start `wanllmdb server` as a real process and wait until /api/health answers."""
    port = port or free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wanllmdb.cli",
                "server",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=REPO,
        )
    server = LocalServer(f"http://127.0.0.1:{port}", data_dir, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop(kill=True)
    raise RuntimeError(f"server did not start:\n{server.log()}")


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[LocalServer]:
    server = start_local_server(tmp_path / "data")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One real server shared by a test module, for tests that do not need a fresh data dir."""
    server = start_local_server(tmp_path_factory.mktemp("server") / "data")
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def moto_server() -> Iterator[str]:
    """A real moto server on a free port (for clients that bypass boto3, such as Polars reading
    s3://); yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def session_moto() -> Iterator[str]:
    """One moto server for the session, for tests that create their own fresh names (`unique_name`):
    starting and stopping one costs about a second."""
    with moto_server() as endpoint:
        yield endpoint


_names = itertools.count()


def unique_name(prefix: str) -> str:
    """A table, bucket or queue name no other test in this process has used."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def aws_backend_env(
    endpoint: str, *, table: str, bucket: str, region: str = "us-east-1", **extra: str
) -> dict[str, str]:
    """The WANLLMDB_* settings that point the functions' aws backend at a moto endpoint."""
    return {
        "WANLLMDB_BACKEND": "aws",
        "WANLLMDB_TABLE": table,
        "WANLLMDB_BUCKET": bucket,
        "WANLLMDB_REGION": region,
        "WANLLMDB_DYNAMODB_ENDPOINT_URL": endpoint,
        "WANLLMDB_S3_ENDPOINT_URL": endpoint,
        **extra,
    }


def created_aws_stores(
    endpoint: str, *, table: str, bucket: str, region: str = "us-east-1"
) -> tuple[DynamoItemStore, S3BlobStore]:
    """The aws backend's two stores on a moto endpoint, with their table and bucket created."""
    from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
    from wanllmdb_functions.adapters.s3_blobs import S3BlobStore

    items = DynamoItemStore(table, region=region, endpoint_url=endpoint)
    items.create_table()
    blobs = S3BlobStore(bucket, region=region, endpoint_url=endpoint)
    blobs.create_bucket()
    return items, blobs
