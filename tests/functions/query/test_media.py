"""The media read side (query/media.py) on both blob backends: keys and steps, (key, step) with the
nearest earlier step, presigned GETs that download as attachments, and histograms over steps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functions.query.media_lake import histogram, image, png_bytes, put_media_chunk
from tests.lake_chunks import put_chunk
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.core.errors import InvalidInput, NotFound
from wanllmdb_functions.lake.keys import media_key, media_object_path, media_prefix
from wanllmdb_functions.lake.reader import ObjectSource
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query import lod as query_lod
from wanllmdb_functions.query.catalog import RunRecord
from wanllmdb_functions.query.media import histogram_steps, media_item, media_keys, read_media

P, R = "p1", "r1"
RUN = RunRecord(R, P)


def _lake(blobs: BlobStore) -> dict[int, bytes]:
    """`samples` images at steps 0 and 10 (one gallery at 20), `weights` histograms at 0..2, and a scalar."""
    red, blue = png_bytes(4, 3, (255, 0, 0)), png_bytes(4, 3, (0, 0, 255))
    img0, _ = image(
        "samples",
        0,
        red,
        caption="red",
        boxes={"predictions": {"box_data": [], "class_labels": {"1": "cat"}}},
    )
    img10, _ = image("samples", 10, blue, caption="blue")
    gallery = {"_type": "gallery", "items": [img0, img10]}
    rows: list[tuple[int, str, dict[str, Any] | float]] = [
        (0, "samples", img0),
        (0, "loss", 1.0),
        (10, "samples", img10),
        (20, "samples", gallery),
        *[(s, "eval/weights", histogram([s, 1, 2])) for s in range(3)],
    ]
    files = [(img0["path"], red), (img10["path"], blue)]
    put_media_chunk(blobs, P, R, rows, seq=0, files=files)
    return {0: red, 10: blue}


def test_keys_list_each_media_key_with_its_type_and_steps(blobs: BlobStore) -> None:
    _lake(blobs)
    put_chunk(blobs, P, R, seq=1, steps=[30], values={"loss": [0.5]})  # a later scalar-only chunk
    keys = {k.key: k for k in media_keys(read_media(blobs, RUN))}
    assert set(keys) == {"samples", "eval/weights"}  # the scalar `loss` is no media key
    assert keys["samples"].steps == [0, 10, 20]
    assert keys["samples"].type == "gallery" and keys["samples"].item_type == "image-file"
    assert keys["eval/weights"].type == "histogram" and keys["eval/weights"].steps == [0, 1, 2]


def test_an_exact_step_has_its_descriptor_and_a_url_that_downloads_the_bytes(blobs: BlobStore) -> None:
    _lake(blobs)
    item = media_item(read_media(blobs, RUN, keys=["samples"]), blobs, RUN, "samples", 10, expires_s=60)
    assert (item.step, item.exact, item.type) == (10, True, "image-file")
    assert item.descriptor["caption"] == "blue" and item.descriptor["width"] == 4
    url = item.descriptor["url"]
    assert url.startswith("http")
    if "amazonaws" in url or "s3" in url:
        assert "response-content-disposition=attachment" in url and "image%2Fpng" in url


def test_a_step_without_media_shows_the_nearest_earlier_step(blobs: BlobStore) -> None:
    _lake(blobs)
    rows = read_media(blobs, RUN, keys=["samples"])
    item = media_item(rows, blobs, RUN, "samples", 7, expires_s=60)
    assert (item.requested_step, item.step, item.exact) == (7, 0, False)
    assert item.descriptor["caption"] == "red"
    with pytest.raises(NotFound) as raised:
        media_item(rows, blobs, RUN, "samples", -1, expires_s=60)
    assert raised.value.field == "step"


def test_a_gallery_signs_every_item(blobs: BlobStore) -> None:
    _lake(blobs)
    item = media_item(read_media(blobs, RUN), blobs, RUN, "samples", 25, expires_s=60)
    assert (item.step, item.type) == (20, "gallery")
    assert [i["caption"] for i in item.descriptor["items"]] == ["red", "blue"]
    assert all(i["url"] for i in item.descriptor["items"])


def test_histograms_come_back_for_every_step(blobs: BlobStore) -> None:
    _lake(blobs)
    steps = histogram_steps(read_media(blobs, RUN, keys=["eval/weights"]), "eval/weights")
    assert [s.step for s in steps] == [0, 1, 2]
    assert steps[2].values == [2, 1, 2] and len(steps[2].bins) == 4
    assert steps[0].nonfinite == {"nan": 0, "inf": 0, "-inf": 0}


def test_the_latest_attempt_wins_per_step(blobs: BlobStore) -> None:
    _lake(blobs)
    again, _ = image("samples", 10, png_bytes(2, 2, (0, 255, 0)), caption="resumed")
    put_media_chunk(blobs, P, R, [(10, "samples", again)], seq=0, attempt=1)
    item = media_item(read_media(blobs, RUN), blobs, RUN, "samples", 10, expires_s=60)
    assert item.descriptor["caption"] == "resumed"


def test_media_keys_stay_inside_the_runs_prefix() -> None:
    assert media_prefix(P, R) == f"media/project={P}/run={R}/"
    assert media_key(P, R, "image/a_1_x.png") == f"media/project={P}/run={R}/image/a_1_x.png"
    for bad in ("../other/x.png", "/etc/passwd", "image/../../x", "a\\b", ""):
        with pytest.raises(InvalidInput):
            media_key(P, R, bad)
    assert (
        media_object_path("image", "eval/samples", 7, "ab" * 32, "png")
        == f"image/eval.samples_7_{'ab' * 10}.png"
    )


def test_files_written_before_schema_v3_read_as_no_media(blobs: BlobStore) -> None:
    _lake(blobs)
    put_chunk(blobs, P, R, seq=1, steps=[30], values={"loss": [0.5]}, version=2)  # no media column
    keys = {k.key: k.steps for k in media_keys(read_media(blobs, RUN))}
    assert keys == {"samples": [0, 10, 20], "eval/weights": [0, 1, 2]}


def test_a_local_url_names_an_image_passively_and_html_as_opaque_bytes(local_blobs: BlobStore) -> None:
    from wanllmdb_functions.core.security_headers import download_headers

    data = _lake(local_blobs)
    item = media_item(read_media(local_blobs, RUN), local_blobs, RUN, "samples", 0, expires_s=60)
    key = media_key(P, R, item.descriptor["path"])
    assert local_blobs.get(key) == data[0]
    headers = download_headers(key)
    assert headers["Content-Type"] == "image/png" and headers["Content-Disposition"].startswith("attachment")
    html = download_headers(media_key(P, R, "html/page_0_abc.html"))
    assert html["Content-Type"] == "application/octet-stream" and "sandbox" in html["Content-Security-Policy"]


def test_a_compacted_runs_pyramid_says_whether_it_has_media(
    blobs: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The footer lists a compacted file's media keys, so a run without media is told apart without
    decoding its media column; live chunks after the file are still asked, and media is still found."""
    monkeypatch.setattr(query_lod, "PYRAMID_MIN_BYTES", 0)  # these small files get their pyramids read
    plain = RunRecord("plain", P)
    put_chunk(blobs, P, "plain", seq=0, steps=list(range(50)), values={"loss": [1.0] * 50})
    compact_stream(blobs, P, "plain", "history")
    _lake(blobs)
    compact_stream(blobs, P, R, "history")
    opened: list[str] = []
    open_source = ObjectSource.open

    def counted_open(source: ObjectSource) -> Any:
        opened.append(source.info.key)
        return open_source(source)

    monkeypatch.setattr(ObjectSource, "open", counted_open)
    assert media_keys(read_media(blobs, plain)) == []
    assert opened and all(key.startswith("lod/") for key in opened)  # the footer only
    assert {k.key for k in media_keys(read_media(blobs, RUN))} == {"samples", "eval/weights"}

    # Media logged after the compaction, in a live chunk: found by asking that chunk.
    img, _ = image("late", 60, png_bytes(2, 2, (0, 255, 0)))
    put_media_chunk(blobs, P, "plain", [(60, "late", img)], seq=1)
    assert [k.key for k in media_keys(read_media(blobs, plain))] == ["late"]
