"""Artifacts without a server: digests against wandb's own code, names and bad input, the hash index,
the content-addressed cache, the manifest file, and file:// references."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import wanllmdb
from tests.sdk.artifact_fixtures import write_tree
from tests.sdk.conftest import OfflineRun
from wanllmdb.artifacts import hashing
from wanllmdb.artifacts.cache import ArtifactCache, CorruptDownload
from wanllmdb.artifacts.hashing import hash_files, wandb_digest
from wanllmdb.artifacts.index import CacheIndex
from wanllmdb.artifacts.manifest import ArtifactManifest
from wanllmdb.artifacts.names import parse_path
from wanllmdb.errors import UsageError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write_tree(root, 40, size=300)
    (root / "big.bin").write_bytes(os.urandom(3 << 20))
    (root / "empty.txt").write_bytes(b"")
    return root


def test_entry_digests_and_artifact_digest_equal_wandbs_own(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wandb = pytest.importorskip("wandb")
    from wandb.sdk.lib.hashutil import md5_file_b64

    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb-cache"))
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    theirs = wandb.Artifact("same", "dataset")
    theirs.add_dir(str(tree))
    ours = wanllmdb.Artifact("same", "dataset")
    ours.add_dir(tree)
    assert {p: e.digest for p, e in ours.manifest.entries.items()} == {
        p: e.digest for p, e in theirs.manifest.entries.items()
    }
    for path, entry in ours.manifest.entries.items():
        assert entry.digest == md5_file_b64(str(tree / path))
        assert entry.sha256 == hashlib.sha256((tree / path).read_bytes()).hexdigest()
    assert ours.digest == theirs.manifest.digest()


def test_the_digest_matches_a_value_computed_by_hand() -> None:
    # md5(b"wandb-artifact-manifest-v1\na.txt:sZRqySSS0jR8YjW00mERhA==\n"), "hello\n" being a.txt
    assert hashing.md5_b64(b"hello\n") == "sZRqySSS0jR8YjW00mERhA=="
    expected = hashlib.md5(b"wandb-artifact-manifest-v1\na.txt:sZRqySSS0jR8YjW00mERhA==\n").hexdigest()
    assert wandb_digest(["a.txt"], ["sZRqySSS0jR8YjW00mERhA=="]) == expected


def test_the_manifest_file_is_what_the_server_reads(tree: Path) -> None:
    from wanllmdb_functions.artifacts.manifest import read_manifest
    from wanllmdb_functions.artifacts.manifest import wandb_digest as server_digest

    art = wanllmdb.Artifact("m", "dataset")
    art.add_dir(tree, name="data")
    manifest = art.manifest
    data = manifest.to_parquet()
    server = read_manifest(data)
    assert server.file_count == len(manifest) == 42
    frame = server.frame
    assert server_digest(frame["path"].to_list(), frame["digest"].to_list()) == art.digest
    back = ArtifactManifest.from_parquet(data)
    assert {p: (e.digest, e.size, e.sha256) for p, e in back.entries.items()} == {
        p: (e.digest, e.size, e.sha256) for p, e in manifest.entries.items()
    }


@pytest.mark.parametrize("name", ["a/b", "a:b", "x" * 129, ""])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="artifact name"):
        wanllmdb.Artifact(name, "dataset")


def test_a_name_of_128_characters_is_fine() -> None:
    assert wanllmdb.Artifact("x" * 128, "model").name == "x" * 128


@pytest.mark.parametrize("alias", ["latest", "v0", "v12"])
def test_server_aliases_cannot_be_set_by_hand(alias: str) -> None:
    from wanllmdb.artifacts.names import check_alias

    with pytest.raises(UsageError, match="set by the server"):
        check_alias(alias)


def test_missing_paths_are_named(tmp_path: Path) -> None:
    art = wanllmdb.Artifact("x", "dataset")
    with pytest.raises(UsageError, match=r"nope\.txt' does not exist"):
        art.add_file(tmp_path / "nope.txt")
    with pytest.raises(UsageError, match=r"nodir' does not exist"):
        art.add_dir(tmp_path / "nodir")


def test_a_file_gone_before_hashing_is_named(tmp_path: Path) -> None:
    f = tmp_path / "gone.txt"
    f.write_text("x")
    art = wanllmdb.Artifact("x", "dataset")
    art.add_file(f)
    f.unlink()
    with pytest.raises(UsageError, match=r"gone\.txt' does not exist"):
        _ = art.digest


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    f = tmp_path / "secret.txt"
    f.write_text("x")
    f.chmod(0)
    with pytest.raises(UsageError, match=r"secret\.txt' cannot be read"):
        wanllmdb.Artifact("x", "dataset").add_file(f)


@pytest.mark.parametrize(
    ("uri", "note"),
    [("ftp://h/x", ""), ("hdfs://h/x", "")],
)
def test_unsupported_reference_schemes_name_the_supported_ones(uri: str, note: str) -> None:
    with pytest.raises(
        UsageError, match=r"supported: file://, s3://, gs://, az://, http://, https://"
    ) as info:
        wanllmdb.Artifact("x", "dataset").add_reference(uri)
    assert note in str(info.value)


def test_artifact_paths_parse_as_wandb_spells_them() -> None:
    assert parse_path("name") == parse_path("name:latest")
    p = parse_path("ent/proj/name:v3")
    assert (p.entity, p.project, p.name, p.alias) == ("ent", "proj", "name", "v3")
    assert p.project_ref(entity="me", project="other") == "ent:proj"
    assert parse_path("proj/name:best").project_ref(entity="me", project=None) == "me:proj"
    assert parse_path("name:best").project_ref(entity="me", project="p", project_id="pid") == "pid"
    with pytest.raises(UsageError):
        parse_path("a/b/c/d")


def test_unchanged_files_are_not_read_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = CacheIndex(tmp_path / "index.sqlite3")
    files = sorted(p for p in tree.rglob("*") if p.is_file())
    past = 1_600_000_000
    for f in files:  # older than the racy window, as files usually are
        os.utime(f, (past, past))
    first = hash_files(files, index)
    reads: list[str] = []
    real = hashing.hash_file
    monkeypatch.setattr(hashing, "hash_file", lambda p: reads.append(str(p)) or real(p))
    assert hash_files(files, index) == first and reads == []
    files[0].write_bytes(b"changed")
    again = hash_files(files, index)
    assert reads == [str(files[0])] and again[0].md5 == hashing.md5_b64(b"changed")
    index.close()


def test_a_file_written_just_now_is_hashed_but_not_remembered(tmp_path: Path) -> None:
    index = CacheIndex(tmp_path / "index.sqlite3")
    f = tmp_path / "fresh.txt"
    f.write_text("fresh")
    hash_files([f], index)
    assert index.lookup([f.stat()]) == [None]  # it may still change within the same mtime tick
    index.close()


def test_the_cache_keeps_only_blobs_whose_bytes_match_their_name(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "cache")
    data = b"payload" * 100
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(CorruptDownload):
        cache.store(sha, lambda sink: sink.write(b"something else"))

    def half(sink: object) -> None:
        sink.write(data[:10])  # type: ignore[attr-defined]
        raise ConnectionError("cut off")

    with pytest.raises(ConnectionError):
        cache.store(sha, half)
    assert cache.trusted(sha) is None and list(cache.tmp.iterdir()) == []
    path = cache.store(sha, lambda sink: sink.write(data))
    assert cache.trusted(sha) == path and path.read_bytes() == data
    cache.close()


def test_the_cache_cap_evicts_least_recently_used_first(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path / "cache", max_bytes=2500)
    shas = []
    for i in range(3):
        data = bytes([i]) * 1000
        sha = hashlib.sha256(data).hexdigest()
        cache.store(sha, lambda sink, d=data: sink.write(d))
        shas.append(sha)
    cache.index.touch_objects([shas[0]])  # used again: the newest now
    removed, freed = cache.cleanup()
    assert (removed, freed) == (1, 1000)
    assert cache.trusted(shas[1]) is None
    assert cache.trusted(shas[0]) is not None and cache.trusted(shas[2]) is not None
    assert cache.cleanup(0) == (2, 2000) and cache.index.total_bytes() == 0
    cache.close()


def test_file_references_record_md5_and_honour_max_objects(tree: Path) -> None:
    art = wanllmdb.Artifact("refs", "dataset")
    entries = art.add_reference(tree.as_uri(), name="data")
    assert len(entries) == 42
    one = art.get_entry("data/d0/f00000.bin")
    assert one.ref == (tree / "d0" / "f00000.bin").resolve().as_uri()
    assert one.digest == hashing.md5_b64((tree / "d0" / "f00000.bin").read_bytes())
    with pytest.raises(UsageError, match="max_objects=10"):
        wanllmdb.Artifact("refs", "dataset").add_reference(tree.as_uri(), max_objects=10)


def test_unchecked_references_change_the_digest_only_when_the_uri_does(tree: Path) -> None:
    def digest(uri: str) -> str:
        art = wanllmdb.Artifact("refs", "dataset")
        art.add_reference(uri, name="data", checksum=False)
        return art.digest

    first = digest(tree.as_uri())
    (tree / "d0" / "f00000.bin").write_bytes(b"new content")
    assert digest(tree.as_uri()) == first
    assert digest((tree / "d0").as_uri()) != first


def test_new_file_and_remove(tmp_path: Path) -> None:
    art = wanllmdb.Artifact("x", "dataset")
    with art.new_file("notes/readme.txt") as fh:
        fh.write("hello\n")
    assert art.get_entry("notes/readme.txt").digest == "sZRqySSS0jR8YjW00mERhA=="
    assert [f.name for f in art.files()] == ["notes/readme.txt"]
    with pytest.raises(UsageError, match="already has"), art.new_file("notes/readme.txt") as fh:
        fh.write("again")
    art.remove("notes")
    assert art.manifest.entries == {}
    with pytest.raises(FileNotFoundError):
        art.remove("notes")


def test_an_offline_run_spools_its_artifacts_and_cannot_use_one(
    offline_run: OfflineRun, tmp_path: Path
) -> None:
    run = offline_run()
    (tmp_path / "f.txt").write_text("x")
    art = run.log_artifact(str(tmp_path / "f.txt"), type="dataset", aliases=["best"])
    with pytest.raises(UsageError, match="needs the server"):
        run.use_artifact("x:latest")
    run.finish()  # waits for the spool file
    assert art.wait().version is None  # logged by `wanllmdb sync`
    assert run.dir is not None
    (spooled,) = (run.dir / "artifacts").glob("*.json")
    import json

    body = json.loads(spooled.read_text())
    assert (body["name"], body["aliases"]) == ("f.txt", ["best"])
    assert body["entries"][0]["digest"] == hashing.md5_b64(b"x")


@pytest.mark.parametrize("uri", ["http://169.254.169.254/latest/meta-data/iam/", "https://[fe80::1]/x"])
def test_references_to_the_metadata_service_are_refused(uri: str) -> None:
    with pytest.raises(UsageError, match="link-local"):
        wanllmdb.Artifact("x", "dataset").add_reference(uri)


def test_aliases_set_on_the_object_are_checked_too(tmp_path: Path) -> None:
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.artifacts.logging_flow import start_log
    from wanllmdb.settings import Settings

    (tmp_path / "a.txt").write_text("a")
    art = wanllmdb.Artifact("x", "dataset")
    art.add_file(tmp_path / "a.txt")
    art.aliases = ["v2"]
    ctx = ArtifactContext.of(
        Settings.resolve({"base_url": "http://127.0.0.1:9", "cache_dir": tmp_path / "c"})
    )
    with pytest.raises(UsageError, match="set by the server"):
        start_log(art, ctx, "p", run_id=None, aliases=None, tags=None)
    ArtifactContext.forget_all()
