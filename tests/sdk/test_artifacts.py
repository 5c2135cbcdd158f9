# ruff: noqa: F811 - the fixtures imported from artifact_fixtures are redefined as test arguments
"""Artifacts against a real local server: log, use, download, dedup, lineage, the cache, the Api and
the CLI. Uploads and downloads are counted by wrapping the artifact HTTP client."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import wanllmdb
from tests.sdk.artifact_fixtures import OnlineRun, online_run, server_env, write_tree  # noqa: F401
from wanllmdb.artifacts import hashing
from wanllmdb.artifacts.http import ArtifactHttp

pytestmark = pytest.mark.slow


class Calls:
    """What went over the wire: `puts` are the URLs of blob and pack PUTs, `payload` their bodies
    (small files travel concatenated in packs), `gets` the blob and pack GETs."""

    def __init__(self) -> None:
        self.puts: list[str] = []
        self.payload: list[bytes] = []
        self.gets: list[str] = []
        self.api: list[tuple[str, str]] = []

    def reset(self) -> None:
        for seen in (self.puts, self.payload, self.gets, self.api):
            seen.clear()

    def sent(self, url: str, body: bytes) -> None:
        if "/manifests/" not in url:
            self.puts.append(url)
            self.payload.append(body)

    def uploaded_exactly(self, contents: list[bytes]) -> bool:
        """The bytes PUT are these files' and no more: each file is in one body, and the bodies
        add up to their sizes (so nothing else, and nothing twice)."""
        total = sum(len(b) for b in self.payload)
        return total == sum(len(c) for c in contents) and all(
            any(c in body for body in self.payload) for c in contents
        )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen = Calls()
    put, put_bytes, stream, get_range, api = (
        ArtifactHttp.put_file,
        ArtifactHttp.put_bytes,
        ArtifactHttp.stream_to,
        ArtifactHttp.get_range,
        ArtifactHttp.api,
    )

    def put_file(
        self: ArtifactHttp,
        url: str,
        headers: dict[str, str],
        path: Path,
        *,
        offset: int = 0,
        length: int | None = None,
    ) -> str:
        with open(path, "rb") as fh:
            fh.seek(offset)
            seen.sent(url, fh.read() if length is None else fh.read(length))
        return put(self, url, headers, path, offset=offset, length=length)

    def put_body(self: ArtifactHttp, url: str, headers: dict[str, str], data: bytes) -> None:
        seen.sent(url, data)
        put_bytes(self, url, headers, data)

    def stream_to(self: ArtifactHttp, url: str, *args: Any, **kwargs: Any) -> None:
        seen.gets.append(url)
        stream(self, url, *args, **kwargs)

    def ranged(self: ArtifactHttp, url: str, start: int, length: int) -> bytes:
        seen.gets.append(url)
        return get_range(self, url, start, length)

    def api_call(self: ArtifactHttp, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        seen.api.append((method, path))
        return api(self, method, path, *args, **kwargs)

    monkeypatch.setattr(ArtifactHttp, "put_file", put_file)
    monkeypatch.setattr(ArtifactHttp, "put_bytes", put_body)
    monkeypatch.setattr(ArtifactHttp, "stream_to", stream_to)
    monkeypatch.setattr(ArtifactHttp, "get_range", ranged)
    monkeypatch.setattr(ArtifactHttp, "api", api_call)
    return seen


def _old(root: Path) -> None:
    """Files as a user's data usually are: not written within the last instant (index.py's racy window)."""
    for f in root.rglob("*"):
        if f.is_file():
            os.utime(f, (1_600_000_000, 1_600_000_000))


def test_add_dir_log_use_download_round_trip(online_run: OnlineRun, tmp_path: Path, calls: Calls) -> None:
    src = tmp_path / "src"
    files = write_tree(src, 60)
    run = online_run()
    art = wanllmdb.Artifact("mnist", "dataset", description="digits", metadata={"rows": 60})
    art.add_dir(src, name="train")
    logged = run.log_artifact(art, aliases=["best"])
    assert logged is art
    art.wait()
    assert (art.version, art.name, art.file_count) == ("v0", "mnist:v0", 60)
    assert art.aliases == ["latest", "best"] and calls.uploaded_exactly(list(files.values()))
    assert len(calls.puts) == 1  # 60 small files: one pack
    run.finish()

    consumer = online_run()
    used = consumer.use_artifact("mnist:best", type="dataset")
    assert (used.version, used.metadata, used.description) == ("v0", {"rows": 60}, "digits")
    assert used.digest == art.digest
    root = Path(used.download(tmp_path / "out"))
    for rel, data in files.items():
        assert (root / "train" / rel).read_bytes() == data
    used.verify(root)
    assert calls.gets == []  # every blob was in the cache since the upload (hard links)
    consumer.finish()

    assert [r.id for r in used.used_by()] == [consumer.id] and used.logged_by().id == run.id
    api_run = wanllmdb.Api().run(f"artifacts/{consumer.id}")
    assert [a.name for a in api_run.used_artifacts()] == ["mnist:v0"] and api_run.logged_artifacts() == []
    assert [a.name for a in wanllmdb.Api().run(f"artifacts/{run.id}").logged_artifacts()] == ["mnist:v0"]


def test_identical_content_makes_no_version_and_uploads_nothing(
    online_run: OnlineRun, tmp_path: Path, calls: Calls
) -> None:
    src = tmp_path / "src"
    write_tree(src, 10, tag="same")
    run = online_run()
    first = run.log_artifact(str(src), name="same", type="dataset").wait()
    calls.reset()
    again = wanllmdb.Artifact("same", "dataset")
    again.add_dir(src)
    run.log_artifact(again).wait()
    assert (first.version, again.version, calls.puts) == ("v0", "v0", [])
    run.finish()


def test_relogging_with_one_percent_changed_uploads_exactly_the_changed_files(
    online_run: OnlineRun, tmp_path: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    files = write_tree(src, 400, size=256)
    _old(src)
    run = online_run()
    v0 = wanllmdb.Artifact("big", "dataset")
    v0.add_dir(src)
    run.log_artifact(v0).wait()
    assert calls.uploaded_exactly(list(files.values()))
    changed = sorted(src.rglob("*.bin"))[::100]  # 4 of 400
    for f in changed:
        f.write_bytes(f.read_bytes() + b" edited")
    calls.reset()
    reads: list[str] = []
    real = hashing.hash_file
    monkeypatch.setattr(hashing, "hash_file", lambda p: reads.append(str(p)) or real(p))
    v1 = wanllmdb.Artifact("big", "dataset")
    v1.add_dir(src)
    run.log_artifact(v1).wait()
    assert v1.version == "v1" and calls.uploaded_exactly([f.read_bytes() for f in changed])
    assert sorted(reads) == sorted(str(f) for f in changed)  # the other 396 were not read again
    run.finish()


def test_a_fully_cached_download_makes_no_per_file_call_and_hashes_nothing(
    online_run: OnlineRun, tmp_path: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    write_tree(src, 50)
    run = online_run()
    run.log_artifact(str(src), name="cached", type="dataset").wait()
    art = run.use_artifact("cached:latest")
    out = tmp_path / "out"
    art.download(out)  # copies from the cache into out
    calls.reset()
    reads: list[str] = []
    real = hashing.hash_file
    monkeypatch.setattr(hashing, "hash_file", lambda p: reads.append(str(p)) or real(p))
    fresh = wanllmdb.Api().artifact("admin/artifacts/cached:v0")
    fresh.download(out)
    assert calls.gets == [] and reads == []
    route = "/projects/admin%3Aartifacts/artifacts/cached/versions/v0"
    assert calls.api == [("GET", route), ("GET", f"{route}/manifest")]  # the version, and its manifest
    run.finish()


def test_a_cold_download_fetches_each_blob_once_and_fills_the_cache(
    online_run: OnlineRun, tmp_path: Path, calls: Calls, server_env: Path
) -> None:
    import shutil

    src = tmp_path / "src"
    files = write_tree(src, 30)
    run = online_run()
    run.log_artifact(str(src), name="cold", type="dataset").wait()
    shutil.rmtree(server_env)  # a machine that never saw these files
    from wanllmdb.artifacts.context import ArtifactContext

    ArtifactContext.forget_all()
    art = wanllmdb.Api().artifact("admin/artifacts/cold:latest")
    calls.reset()
    root = Path(art.download(tmp_path / "a"))
    assert {(root / p).read_bytes() for p in files} == set(files.values())
    assert len(calls.gets) == 1  # 30 small files: one ranged GET of their pack
    calls.reset()
    art.download(tmp_path / "b")  # another root: copied from the cache, no network per file
    assert calls.gets == []
    run.finish()


def test_verify_names_the_path_and_both_digests_of_a_corrupted_cached_blob(
    online_run: OnlineRun, tmp_path: Path, server_env: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "weights.bin").write_bytes(b"good bytes" * 100)
    _old(src)  # hashed and remembered: the cache trusts the blob by (inode, mtime, size) from now on
    run = online_run()
    run.log_artifact(str(src), name="model-x", type="model").wait()
    sha = hashlib.sha256(b"good bytes" * 100).hexdigest()
    blob = server_env / "artifacts" / "obj" / "sha256" / sha[:2] / sha
    st = blob.stat()
    with open(blob, "r+b") as fh:  # same size, same mtime: only a full read notices
        fh.write(b"evil")
    os.utime(blob, ns=(st.st_atime_ns, st.st_mtime_ns))
    art = run.use_artifact("model-x:v0")
    root = Path(art.download(tmp_path / "out"))
    with pytest.raises(ValueError, match=r"'weights.bin' has digest \S+, the manifest says \S+") as info:
        art.verify(root)
    assert hashing.md5_b64(b"good bytes" * 100) in str(info.value)
    run.finish()


# 10 kB travels in a pack (ranged GET); 2 MiB is a blob of its own (streamed GET).
@pytest.mark.parametrize("size", [10_000, 2 << 20], ids=["packed", "own-blob"])
def test_a_download_cut_off_midway_leaves_nothing_in_the_cache(
    online_run: OnlineRun, tmp_path: Path, server_env: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    import shutil

    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.rest import Transient

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.bin").write_bytes(os.urandom(size))
    run = online_run()
    run.log_artifact(str(src), name="cut", type="dataset").wait()
    run.finish()
    shutil.rmtree(server_env)
    ArtifactContext.forget_all()

    def broken(self: ArtifactHttp, url: str, sink: Any, on_block: Any = None) -> None:
        sink.write(b"partial")
        raise Transient("connection reset")

    def short(self: ArtifactHttp, url: str, start: int, length: int) -> bytes:
        return b"partial"  # a body cut short that the transport did not notice

    monkeypatch.setattr(ArtifactHttp, "stream_to", broken)
    monkeypatch.setattr(ArtifactHttp, "get_range", short)
    monkeypatch.setattr("wanllmdb.rest.random.uniform", lambda a, b: 0.0)
    art = wanllmdb.Api().artifact("admin/artifacts/cut:v0")
    art._ctx.http.retry_for_s = 0.5  # type: ignore[union-attr]
    with pytest.raises(Transient):
        art.download(tmp_path / "out")
    objects = server_env / "artifacts" / "obj"
    assert not [p for p in objects.rglob("*") if p.is_file()]
    assert not list((server_env / "artifacts" / "tmp").iterdir())
    assert not (tmp_path / "out" / "a.bin").exists()


def test_the_cache_cap_evicts_after_a_download(
    module_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, online_run: OnlineRun
) -> None:
    monkeypatch.setenv("WANLLMDB_CACHE_MAX_BYTES", "3000")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(5):
        (src / f"{i}.bin").write_bytes(bytes([i]) * 1000)
    run = online_run()
    art = run.log_artifact(str(src), name="capped", type="dataset").wait()
    cache = art._ctx.cache  # type: ignore[union-attr]
    assert cache.max_bytes == 3000 and cache.index.total_bytes() <= 3000
    run.finish()


def test_aliases_tags_delete_and_incremental(online_run: OnlineRun, tmp_path: Path) -> None:
    run = online_run()
    art = wanllmdb.Artifact("inc", "model")
    with art.new_file("a.txt") as fh:
        fh.write("a")
    art.tags = ["prod"]
    run.log_artifact(art).wait()
    art.aliases.append("best")
    art.save()
    assert wanllmdb.Api().artifact("admin/artifacts/inc:best").version == "v0"
    more = wanllmdb.Artifact("inc", "model", incremental=True)
    with more.new_file("b.txt") as fh:
        fh.write("b")
    run.log_artifact(more).wait()
    assert sorted(more.manifest.entries) == ["a.txt", "b.txt"] and more.version == "v1"
    assert more.manifest.entries["a.txt"].birth_artifact_id == art.id
    with pytest.raises(wanllmdb.UsageError, match="delete_aliases=True"):
        art.delete()
    art.delete(delete_aliases=True)
    with pytest.raises(wanllmdb.ApiError, match="404"):
        wanllmdb.Api().artifact("admin/artifacts/inc:v0")
    api = wanllmdb.Api()
    assert [a.version for a in api.artifacts("model", "admin/artifacts/inc")] == ["v1"]
    kinds = {c.name: (c.type, c.version_count) for c in api.artifact_collections("artifacts", "model")}
    assert kinds["inc"] == ("model", 1)
    run.finish()


def test_a_table_and_an_image_go_in_as_files(online_run: OnlineRun, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    table = wanllmdb.Table(columns=["img", "label"])
    table.add_data(wanllmdb.Image(np.zeros((4, 4, 3), dtype=np.uint8)), "cat")
    art = wanllmdb.Artifact("preds", "result")
    entry = art.add(table, "predictions")
    art.add(wanllmdb.Image(np.ones((2, 2), dtype=np.uint8)), "sample")
    assert entry.path == "predictions.table.parquet" and entry.extra["descriptor"]["_type"] == "table-file"
    paths = sorted(art.manifest.entries)
    assert paths[0].startswith("media/image/")
    assert paths[1:] == ["predictions.table.parquet", "sample.image.png"]
    run = online_run()
    run.log_artifact(art).wait()
    import pyarrow.parquet as pq

    root = Path(run.use_artifact("preds:v0").download(tmp_path / "out"))
    assert pq.read_table(root / "predictions.table.parquet").num_rows == 1
    run.finish()


def test_errors_of_the_server_and_the_arguments(online_run: OnlineRun, tmp_path: Path) -> None:
    run = online_run()
    with pytest.raises(wanllmdb.ApiError, match="404"):
        run.use_artifact("never-logged:latest")
    with pytest.raises(wanllmdb.UsageError, match="set by the server"):
        run.log_artifact(str(tmp_path), name="x", type="dataset", aliases=["v1"])
    with pytest.raises(wanllmdb.UsageError, match="empty"):
        run.log_artifact(wanllmdb.Artifact("empty", "dataset"))
    run.finish()


def test_the_cli_puts_gets_lists_diffs_and_collects(server_env: Path, tmp_path: Path) -> None:
    from wanllmdb.cli import main

    src = tmp_path / "src"
    write_tree(src, 5)
    cli = CliRunner()
    put = cli.invoke(main, ["artifact", "put", str(src), "--name", "clip/corpus", "--alias", "first"])
    assert put.exit_code == 0 and "admin/clip/corpus:v0  5 files" in put.output, put.output
    (src / "d0" / "f00000.bin").write_bytes(b"changed")
    (src / "new.txt").write_text("new")
    assert cli.invoke(main, ["artifact", "put", str(src), "--name", "clip/corpus"]).exit_code == 0
    listed = cli.invoke(main, ["artifact", "ls", "clip"])
    assert "corpus" in listed.output and "2 versions" in listed.output, listed.output
    versions = cli.invoke(main, ["artifact", "ls", "admin/clip/corpus"])
    assert "v0" in versions.output and "first" in versions.output, versions.output
    diff = cli.invoke(main, ["artifact", "diff", "admin/clip/corpus", "v0", "v1"])
    assert "~ d0/f00000.bin" in diff.output and "+ new.txt" in diff.output, diff.output
    got = cli.invoke(main, ["artifact", "get", "admin/clip/corpus:first", "--root", str(tmp_path / "got")])
    assert got.exit_code == 0 and (tmp_path / "got" / "d1" / "f00001.bin").exists(), got.output
    gc = cli.invoke(main, ["artifact", "gc", "clip"])
    assert gc.exit_code == 0 and "deleted" in gc.output, gc.output
    cleaned = cli.invoke(main, ["artifact", "cache", "cleanup", "--max-bytes", "0"])
    assert cleaned.exit_code == 0 and "0 bytes left" in cleaned.output, cleaned.output
    bad = cli.invoke(main, ["artifact", "put", str(tmp_path / "missing"), "--name", "clip/x"])
    assert bad.exit_code == 1 and "missing' does not exist" in bad.output


def test_an_offline_runs_artifacts_are_logged_by_sync(
    module_server: Any, server_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wanllmdb.sync import find_run_dirs, sync_runs

    src = tmp_path / "src"
    files = write_tree(src, 8)
    run = wanllmdb.init(
        project="offline-arts", mode="offline", dir=tmp_path, settings={"system_metrics": False}
    )
    art = wanllmdb.Artifact("spooled", "dataset")
    art.add_dir(src)
    with art.new_file("notes.txt") as fh:
        fh.write("made offline")
    run.log_artifact(art, aliases=["first"])
    other = wanllmdb.Artifact("changes-before-sync", "dataset")
    (tmp_path / "moving.txt").write_text("as logged")
    other.add_file(tmp_path / "moving.txt")
    run.log_artifact(other)
    run.finish()
    del art  # its staging folder goes; the spool kept a copy of notes.txt
    (tmp_path / "moving.txt").write_text("edited before sync")
    (result,) = sync_runs(find_run_dirs([tmp_path]), base_url=module_server.url)
    assert result.status == "failed" and "moving.txt' changed since log_artifact" in result.message
    fetched = wanllmdb.Api().artifact("admin/offline-arts/spooled:first")
    root = Path(fetched.download(tmp_path / "out"))
    assert (root / "notes.txt").read_text() == "made offline"
    assert {p: (root / p).read_bytes() for p in files} == files
    assert fetched.logged_by().id == run.id
    (again,) = sync_runs(find_run_dirs([tmp_path]), base_url=module_server.url)  # the spooled one is done
    assert "spooled" not in again.message and "moving.txt" in again.message


def test_concurrent_cold_downloads_of_one_artifact_never_cross_write(
    online_run: OnlineRun, tmp_path: Path, server_env: Path
) -> None:
    import shutil
    import threading

    from wanllmdb.artifacts.context import ArtifactContext

    src = tmp_path / "src"
    files = write_tree(src, 40, size=2000)
    run = online_run()
    run.log_artifact(str(src), name="together", type="dataset").wait()
    run.finish()
    shutil.rmtree(server_env)
    ArtifactContext.forget_all()
    errors: list[BaseException] = []

    def fetch(root: Path) -> None:
        try:
            wanllmdb.Api().artifact("admin/artifacts/together:v0").download(root)
        except BaseException as exc:
            errors.append(exc)

    roots = [tmp_path / "same", tmp_path / "same", tmp_path / "other"]
    threads = [threading.Thread(target=fetch, args=(r,)) for r in roots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for root in (tmp_path / "same", tmp_path / "other"):
        assert {p: (root / p).read_bytes() for p in files} == files
        assert not list(root.rglob("*.part"))
    objects = [p for p in (server_env / "artifacts" / "obj").rglob("*") if p.is_file()]
    assert len(objects) == 40 and not list((server_env / "artifacts" / "tmp").iterdir())


def test_checkout_leaves_exactly_the_artifacts_files(online_run: OnlineRun, tmp_path: Path) -> None:
    src = tmp_path / "src"
    files = write_tree(src, 6)
    run = online_run()
    run.log_artifact(str(src), name="checked", type="dataset").wait()
    art = run.use_artifact("checked:latest")
    root = tmp_path / "work"
    (root / "stray" / "deep").mkdir(parents=True)
    (root / "stray" / "deep" / "x.txt").write_text("not in the artifact")
    (root / "d0").mkdir()
    (root / "d0" / "f00000.bin").write_bytes(b"edited locally")
    art.checkout(str(root))
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == sorted(files)
    assert (root / "d0" / "f00000.bin").read_bytes() == files["d0/f00000.bin"]
    art.verify(str(root))
    run.finish()


def test_an_expired_part_url_is_granted_again(
    online_run: OnlineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wanllmdb.rest import ApiError

    monkeypatch.setenv("WANLLMDB_ARTIFACT_MULTIPART_BYTES", str(5 << 20))
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom((11 << 20) + 7))
    real = ArtifactHttp.put_file
    refused: list[str] = []

    def expiring(self: ArtifactHttp, url: str, *args: Any, **kwargs: Any) -> str:
        if "partNumber=2" in url and not refused:
            refused.append(url)
            raise ApiError(403, "forbidden", "this URL has expired")
        return real(self, url, *args, **kwargs)

    monkeypatch.setattr(ArtifactHttp, "put_file", expiring)
    run = online_run()
    art = run.log_artifact(str(big), name="long-upload", type="model").wait()
    assert refused and art.version == "v0"
    out = Path(run.use_artifact("long-upload:v0").download(tmp_path / "out"))
    assert (out / "big.bin").read_bytes() == big.read_bytes()
    run.finish()


def test_an_expired_download_url_is_asked_for_again(
    online_run: OnlineRun, tmp_path: Path, server_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.rest import ApiError

    src = tmp_path / "src"
    files = write_tree(src, 12)
    run = online_run()
    run.log_artifact(str(src), name="expiring", type="dataset").wait()
    run.finish()
    shutil.rmtree(server_env)
    ArtifactContext.forget_all()
    real = ArtifactHttp.get_range  # 12 small files: one ranged GET of their pack
    refused: list[str] = []

    def expiring(self: ArtifactHttp, url: str, *args: Any, **kwargs: Any) -> bytes:
        if not refused:
            refused.append(url)
            raise ApiError(403, "forbidden", "this URL has expired")
        return real(self, url, *args, **kwargs)

    monkeypatch.setattr(ArtifactHttp, "get_range", expiring)
    root = Path(wanllmdb.Api().artifact("admin/artifacts/expiring:v0").download(tmp_path / "out"))
    assert refused and {p: (root / p).read_bytes() for p in files} == files


@pytest.mark.slow
def test_an_artifact_the_server_went_away_for_is_kept_at_finish_and_logged_by_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that goes away mid-run: finish() does not wait out the upload's retry window, and the
    artifact is not lost: `wanllmdb sync` logs it with the run's lineage once the server is back."""
    import time

    from tests.conftest import start_local_server
    from tests.sdk.conftest import admin_key
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.sync import find_run_dirs, sync_runs

    data = tmp_path / "data"
    server = start_local_server(data)
    port = int(server.url.rsplit(":", 1)[1])
    monkeypatch.setenv("WANLLMDB_BASE_URL", server.url)
    monkeypatch.setenv("WANLLMDB_API_KEY", admin_key(data))
    monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(tmp_path / "cache"))
    try:
        run = wanllmdb.init(
            project="went-away", dir=tmp_path, settings={"system_metrics": False, "finish_timeout_s": 1}
        )
        run.log({"loss": 1.0})
        server.stop()
        (tmp_path / "model.bin").write_bytes(b"weights")
        art = wanllmdb.Artifact("model", "model")
        art.add_file(tmp_path / "model.bin")
        run.log_artifact(art, aliases=["best"])
        started = time.monotonic()
        run.finish()
        assert time.monotonic() - started < 30  # the upload alone would retry for 300 s

        server = start_local_server(data, port=port)
        results = sync_runs(find_run_dirs([tmp_path]), base_url=server.url)
        assert [r.status for r in results] != ["failed"], [r.message for r in results]
        fetched = wanllmdb.Api().artifact("went-away/model:best")
        assert fetched.logged_by().id == run.id
        assert (Path(fetched.download(tmp_path / "out")) / "model.bin").read_bytes() == b"weights"
    finally:
        server.stop()
        ArtifactContext.forget_all()
