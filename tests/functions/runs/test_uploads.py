"""Upload grants on both backends: deterministic keys under the run's prefix, bounds, refusals."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.core.errors import Conflict, Forbidden, InvalidInput, TooLarge
from wanllmdb_functions.core.policy import Permission
from wanllmdb_functions.runs.models import RunCreate, RunPatch, UploadItem
from wanllmdb_functions.runs.uploads import grant_uploads

from .conftest import World

SHA = hashlib.sha256(b"x").hexdigest()


def grants(w: World, items: list[dict[str, object]], caller: str = "owner") -> list[object]:
    run = w.runs.authorized_item(getattr(w, caller), "r1", Permission.RUN_WRITE)
    return grant_uploads(w.blobs, w.settings, run, [UploadItem.model_validate(i) for i in items])  # type: ignore[return-value]


@pytest.fixture
def run(world: World) -> World:
    world.runs.create(world.owner, world.project_id, RunCreate(id="r1"))
    return world


def test_chunk_and_file_keys_are_deterministic_and_under_the_run(run: World) -> None:
    items = [
        {"kind": "history", "size": 10, "sha256": SHA, "seq": 3, "attempt": 0},
        {"kind": "system", "size": 10, "sha256": SHA, "seq": 0, "attempt": 0},
        {"kind": "logs", "size": 10, "sha256": SHA, "seq": 7, "attempt": 0},
        {"kind": "file", "size": 10, "sha256": SHA, "path": "ckpt/model.pt"},
        {"kind": "media", "size": 10, "sha256": SHA, "path": "images/0.png"},
    ]
    first = grants(run, items)
    p = run.project_id
    assert [g.key for g in first] == [  # type: ignore[attr-defined]
        f"metrics/project={p}/run=r1/stream=history/chunk-a0000-000000003.parquet",
        f"metrics/project={p}/run=r1/stream=system/chunk-a0000-000000000.parquet",
        f"logs/project={p}/run=r1/chunk-a0000-000000007.parquet",
        f"files/project={p}/run=r1/ckpt/model.pt",
        f"media/project={p}/run=r1/images/0.png",
    ]
    assert [g.key for g in grants(run, items)] == [g.key for g in first]  # type: ignore[attr-defined]
    assert first[4].headers["Content-Type"] == "image/png"  # type: ignore[attr-defined]


def test_s3_grants_sign_length_type_and_checksum(run: World) -> None:
    if not isinstance(run.blobs, S3BlobStore):
        pytest.skip("S3 presigned URL shape")
    (g,) = grants(run, [{"kind": "history", "size": 123, "sha256": SHA, "seq": 0, "attempt": 0}])
    query = parse_qs(urlsplit(g.url).query)  # type: ignore[attr-defined]
    signed = query["X-Amz-SignedHeaders"][0].split(";")
    assert {"content-length", "content-type", "x-amz-checksum-sha256"} <= set(signed)
    assert int(query["X-Amz-Expires"][0]) == run.settings.grant_ttl_s
    assert g.headers["Content-Length"] == "123"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["../escape", "a/../../b", "/etc/passwd", "a\\b", "a//b", "nul\x00", "./a", "x" * 1020]
)
def test_path_traversal_is_refused_naming_the_field(run: World, path: str) -> None:
    with pytest.raises(InvalidInput) as err:
        grants(run, [{"kind": "history", "size": 1, "sha256": SHA, "seq": 0, "attempt": 0},
                     {"kind": "file", "size": 1, "sha256": SHA, "path": path}])  # fmt: skip
    assert err.value.field == "items.1.path"


def test_chunks_need_seq_and_attempt_and_a_known_attempt(run: World) -> None:
    with pytest.raises(InvalidInput) as err:
        grants(run, [{"kind": "history", "size": 1, "sha256": SHA, "attempt": 0}])
    assert err.value.field == "items.0.seq"
    with pytest.raises(InvalidInput) as err:
        grants(run, [{"kind": "history", "size": 1, "sha256": SHA, "seq": 0, "attempt": 5}])
    assert err.value.field == "items.0.attempt"


def test_size_is_bounded(run: World) -> None:
    with pytest.raises(TooLarge) as err:
        grants(run, [{"kind": "history", "size": run.settings.upload_chunk_max_bytes + 1, "sha256": SHA,
                      "seq": 0, "attempt": 0}])  # fmt: skip
    assert err.value.field == "items.0.size"


def test_viewer_is_forbidden_and_a_finished_run_is_a_conflict(run: World) -> None:
    with pytest.raises(Forbidden):
        grants(run, [{"kind": "file", "size": 1, "sha256": SHA, "path": "a"}], caller="viewer")
    run.runs.patch(run.owner, "r1", RunPatch(state="finished"))
    with pytest.raises(Conflict) as err:
        grants(run, [{"kind": "file", "size": 1, "sha256": SHA, "path": "a"}])
    assert err.value.field == "state"


def test_a_jsonl_chunk_grant_names_its_one_key_and_content_type(run: World) -> None:
    items = [
        {"kind": "history", "size": 10, "sha256": SHA, "seq": 3, "attempt": 0, "format": "jsonl"},
        {"kind": "logs", "size": 10, "sha256": SHA, "seq": 0, "attempt": 0, "format": "jsonl"},
        {"kind": "history", "size": 10, "sha256": SHA, "seq": 3, "attempt": 0, "format": "parquet"},
    ]
    jsonl, logs, parquet = grants(run, items)
    p = run.project_id
    assert jsonl.key == f"metrics/project={p}/run=r1/stream=history/_chunk-a0000-000000003.jsonl.gz"  # type: ignore[attr-defined]
    assert logs.key == f"logs/project={p}/run=r1/_chunk-a0000-000000000.jsonl.gz"  # type: ignore[attr-defined]
    assert parquet.key == jsonl.key.replace("/_chunk-", "/chunk-").replace(".jsonl.gz", ".parquet")  # type: ignore[attr-defined]
    assert jsonl.headers["Content-Type"] == "application/gzip"  # type: ignore[attr-defined]
    assert parquet.headers["Content-Type"] == "application/vnd.apache.parquet"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as err:
        grants(run, [{"kind": "file", "size": 1, "sha256": SHA, "path": "a.txt", "format": "jsonl"}])
    assert err.value.field == "items.0.format"
