# ruff: noqa: F811 - the fixtures imported from artifact_fixtures are redefined as test arguments
"""References logged against a real server and downloaded back: file://, s3:// on moto (explicit fake
credentials, instance metadata disabled), and http:// against a tiny local server with ETags."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import wanllmdb
from tests.sdk.artifact_fixtures import OnlineRun, online_run, server_env  # noqa: F401
from wanllmdb.artifacts.references import ReferenceChanged

pytestmark = pytest.mark.slow


def test_a_file_reference_downloads_what_was_logged_or_fails(online_run: OnlineRun, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x,y\n1,2\n")
    run = online_run()
    art = wanllmdb.Artifact("file-refs", "dataset")
    art.add_reference(data.as_uri(), name="tables")
    run.log_artifact(art).wait()
    used = run.use_artifact("file-refs:latest")
    root = Path(used.download(tmp_path / "out"))
    assert (root / "tables" / "a.csv").read_text() == "x,y\n1,2\n"
    (data / "a.csv").write_text("x,y\n9,9\n")
    with pytest.raises(ReferenceChanged, match=r"'tables/a\.csv' .* changed since it was logged"):
        used.download(tmp_path / "again")
    run.finish()


# -- s3:// on moto -------------------------------------------------------------------------------------
@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    moto = pytest.importorskip("moto")
    import boto3

    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask 169.254.169.254 for credentials
    }.items():
        monkeypatch.setenv(var, value)
    with moto.mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="plain")
        client.create_bucket(Bucket="versioned")
        client.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
        yield client


def test_s3_references_record_etag_and_version_and_get_the_recorded_version(
    online_run: OnlineRun, tmp_path: Path, s3: object
) -> None:
    client = s3
    client.put_object(Bucket="versioned", Key="ds/a.txt", Body=b"first a")  # type: ignore[attr-defined]
    client.put_object(Bucket="versioned", Key="ds/b.txt", Body=b"first b")  # type: ignore[attr-defined]
    run = online_run()
    art = wanllmdb.Artifact("s3-refs", "dataset")
    entries = art.add_reference("s3://versioned/ds")
    assert sorted(e.path for e in entries) == ["a.txt", "b.txt"]
    a = art.get_entry("a.txt")
    assert a.digest == hashlib.md5(b"first a").hexdigest() and a.extra["version_id"] and a.size == 7
    run.log_artifact(art).wait()
    client.put_object(Bucket="versioned", Key="ds/a.txt", Body=b"second a")  # type: ignore[attr-defined]
    root = Path(run.use_artifact("s3-refs:v0").download(tmp_path / "out"))
    assert (root / "a.txt").read_bytes() == b"first a"  # the recorded version, not the newest
    with pytest.raises(wanllmdb.UsageError, match="max_objects=1"):
        wanllmdb.Artifact("s3-refs", "dataset").add_reference("s3://versioned/ds/", max_objects=1)
    run.finish()


def test_a_changed_s3_object_without_versions_fails_loudly(
    online_run: OnlineRun, tmp_path: Path, s3: object
) -> None:
    client = s3
    client.put_object(Bucket="plain", Key="model.bin", Body=b"weights v1")  # type: ignore[attr-defined]
    run = online_run()
    art = wanllmdb.Artifact("s3-plain", "model")
    art.add_reference("s3://plain/model.bin")
    run.log_artifact(art).wait()
    client.put_object(Bucket="plain", Key="model.bin", Body=b"weights v2")  # type: ignore[attr-defined]
    with pytest.raises(ReferenceChanged, match="changed since it was logged"):
        run.use_artifact("s3-plain:v0").download(tmp_path / "out")
    run.finish()


# -- http:// against a local server --------------------------------------------------------------------
class _Objects(BaseHTTPRequestHandler):
    objects: dict[str, bytes] = {}

    def _answer(self, body: bool) -> None:
        data = self.objects.get(self.path)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("ETag", f'"{hashlib.md5(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self) -> None:
        self._answer(False)

    def do_GET(self) -> None:
        self._answer(True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_objects() -> Iterator[tuple[str, dict[str, bytes]]]:
    objects: dict[str, bytes] = {}
    handler = type("Handler", (_Objects,), {"objects": objects})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", objects
    finally:
        server.shutdown()
        server.server_close()


def test_http_references_record_the_etag_and_a_change_fails_loudly(
    online_run: OnlineRun, tmp_path: Path, http_objects: tuple[str, dict[str, bytes]]
) -> None:
    base, objects = http_objects
    objects["/files/labels.json"] = b'{"0": "cat"}'
    run = online_run()
    art = wanllmdb.Artifact("http-refs", "dataset")
    (entry,) = art.add_reference(f"{base}/files/labels.json")
    assert (entry.path, entry.digest, entry.size) == (
        "labels.json",
        hashlib.md5(b'{"0": "cat"}').hexdigest(),
        12,
    )
    run.log_artifact(art).wait()
    used = run.use_artifact("http-refs:v0")
    assert (Path(used.download(tmp_path / "a")) / "labels.json").read_bytes() == b'{"0": "cat"}'
    objects["/files/labels.json"] = b'{"0": "dog"}'
    with pytest.raises(ReferenceChanged, match="changed since it was logged"):
        used.download(tmp_path / "b")
    run.finish()


def test_an_unchecked_reference_makes_a_new_version_only_when_the_uri_changes(
    online_run: OnlineRun, http_objects: tuple[str, dict[str, bytes]]
) -> None:
    base, objects = http_objects
    objects["/x"] = b"1"
    run = online_run()

    def log(uri: str) -> str:
        art = wanllmdb.Artifact("unchecked", "dataset")
        art.add_reference(uri, checksum=False)
        return str(run.log_artifact(art).wait().version)

    assert log(f"{base}/x") == "v0"
    objects["/x"] = b"2"
    assert log(f"{base}/x") == "v0"
    assert log(f"{base}/y") == "v1"
    run.finish()
