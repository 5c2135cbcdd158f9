"""Media through log(): encoded on the media worker, objects spooled and uploaded through grants, descriptor
rows in the lake's `media` column (schemas/media_descriptors.json), online and offline + `wanllmdb sync`.

The types here are test doubles of the Media interface (data_types/base.py), so these tests pin the
pipeline, not any one encoder.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import (
    OfflineRun,
    admin_key,
    lake_table,
    online_settings,
    read_stream,
    run_sync,
    sdk_env,
)
from wanllmdb.data_types.base import Media, Prepared
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.ingest.media import MediaWorker
from wanllmdb.ingest.spool import RunDir


class FakeImage(Media):
    """An image whose "PNG" is its pixels as given; ``fail`` raises while encoding, ``delay_s`` slows it."""

    _type = "image-file"
    _dir = "image"

    def __init__(self, pixels: bytes, *, fail: bool = False, delay_s: float = 0.0) -> None:
        self.pixels = bytes(pixels)  # the snapshot a real constructor takes
        self.fail = fail
        self.delay_s = delay_s
        self.encoded_on: str | None = None

    def prepare(self, key: str, step: int) -> Prepared:
        self.encoded_on = threading.current_thread().name
        time.sleep(self.delay_s)
        if self.fail:
            raise ValueError("pixels out of range")
        descriptor = {
            "_type": self._type,
            "sha256": hashlib.sha256(self.pixels).hexdigest(),
            "size": len(self.pixels),
            "width": len(self.pixels),
            "height": 1,
            "format": "png",
        }
        return Prepared(descriptor, self.pixels, "png", self._dir)

    def _encode(self) -> Any:  # the interface's other hook; prepare above does it all
        raise AssertionError("unused")


class FakeHistogram(Media):
    _type = "histogram"
    _dir = None

    def prepare(self, key: str, step: int) -> Prepared:
        descriptor = {
            "_type": "histogram",
            "bins": [0.0, 1.0, 2.0],
            "values": [3, 4],
            "nonfinite": {"nan": 1},
        }
        return Prepared(descriptor, None, "", None)

    def _encode(self) -> Any:
        raise AssertionError("inline")


def sha20(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def log_the_media_script(run: Any) -> None:
    """Images at two steps (the second twice the same bytes), a histogram, a gallery, and a bad image."""
    run.log({"img": FakeImage(b"aaaa"), "loss": 1.0, "hist": FakeHistogram()})  # step 0
    run.log({"img": FakeImage(b"bbbb"), "same/img": FakeImage(b"bbbb"), "loss": 0.5})  # step 1
    run.log({"samples": [FakeImage(b"cc"), FakeImage(b"dd")]})  # step 2: one gallery row
    with warnings.catch_warnings(record=True) as caught:  # raised on the worker, before finish() returns
        warnings.simplefilter("always")
        run.log({"broken": FakeImage(b"x", fail=True), "loss": 0.25, "img": FakeImage(b"eeee")})
        run.finish()
    said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any(re.search(r"'broken' at step 3 not stored.*pixels out of range", m) for m in said), said


def media_rows(table: pa.Table) -> dict[tuple[int, str], tuple[dict[str, Any], str | None]]:
    out = {}
    for step, key, value, text, media, ref in zip(
        *(table[c].to_pylist() for c in ("step", "key", "value", "text", "media", "ref")), strict=True
    ):
        if media is not None:
            assert value is None and text is None
            out[(step, key)] = (json.loads(media), ref)
    return out


def check_lake(table: pa.Table, objects: dict[str, bytes]) -> None:
    """The rows and objects that ``log_the_media_script`` must leave, wherever they were written."""
    rows = media_rows(table)
    assert set(rows) == {(0, "img"), (0, "hist"), (1, "img"), (1, "same/img"), (2, "samples"), (3, "img")}
    scalars = sorted((s, v) for s, k, v in zip(*(table[c].to_pylist() for c in ("step", "key", "value")),
                                               strict=True) if k == "loss")  # fmt: skip
    assert scalars == [(0, 1.0), (1, 0.5), (3, 0.25)]  # the broken image cost its key only

    img0, ref0 = rows[(0, "img")]
    assert ref0 == f"image/img_0_{sha20(b'aaaa')}.png" and img0["path"] == ref0
    assert img0 == {"_type": "image-file", "path": ref0, "sha256": hashlib.sha256(b"aaaa").hexdigest(),
                    "size": 4, "width": 4, "height": 1, "format": "png"}  # fmt: skip
    hist, hist_ref = rows[(0, "hist")]
    assert hist_ref is None and hist["_type"] == "histogram" and hist["values"] == [3, 4]
    # Identical bytes: one object, named by the row stored first (two workers encode side by side, so
    # either key of the same step may win).
    first, same = rows[(1, "img")], rows[(1, "same/img")]
    assert first[1] == same[1]
    assert first[1] in (f"image/img_1_{sha20(b'bbbb')}.png", f"image/same.img_1_{sha20(b'bbbb')}.png")
    gallery, gallery_ref = rows[(2, "samples")]
    assert gallery_ref is None and gallery["_type"] == "gallery"
    assert [i["path"] for i in gallery["items"]] == [
        f"image/samples_2_{sha20(b'cc')}.png",
        f"image/samples_2_{sha20(b'dd')}.png",
    ]
    expected = {
        ref0: b"aaaa",
        first[1]: b"bbbb",
        gallery["items"][0]["path"]: b"cc",
        gallery["items"][1]["path"]: b"dd",
        rows[(3, "img")][1]: b"eeee",
    }
    assert objects == expected


def lake_objects(data_dir: Path, run_id: str) -> dict[str, bytes]:
    roots = list((data_dir / "lake" / "media").glob(f"project=*/run={run_id}"))
    assert len(roots) == 1, roots
    return {
        p.relative_to(roots[0]).as_posix(): p.read_bytes()
        for p in roots[0].rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


# -- offline: the spool ----------------------------------------------------------------------------------
def test_media_rows_join_the_chunks_and_objects_the_spool(offline_run: OfflineRun) -> None:
    run = offline_run()
    log_the_media_script(run)
    assert run.dir is not None
    spooled = {p: (run.dir / "media" / p).read_bytes() for p in RunDir(run.dir).media_paths()}
    check_lake(read_stream(run.dir, "history"), spooled)


def test_encoding_happens_on_the_worker_thread(offline_run: OfflineRun) -> None:
    run = offline_run()
    image = FakeImage(b"abc")
    run.log({"img": image})
    run.finish()
    assert image.encoded_on is not None and image.encoded_on.startswith("wanllmdb-media-")


def test_a_full_queue_blocks_the_caller_and_drops_nothing(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    buffer = MetricBuffer()
    worker = MediaWorker(rd, buffer, on_rows=lambda: None, max_pending=2, workers=1)
    worker.start()
    started = time.monotonic()
    worker.submit([(i, 0, "img", FakeImage(bytes([i]), delay_s=0.05)) for i in range(8)])
    blocked_s = time.monotonic() - started
    assert worker.wait(time.monotonic() + 10)
    drained = buffer.drain()
    assert drained is not None and sorted(m[0] for m in drained.media) == list(range(8))
    assert blocked_s >= 0.2  # eight items through a queue of two: the caller waited for room
    assert len(rd.media_paths()) == 8


def test_workers_encode_side_by_side_and_identical_bytes_still_make_one_object(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    buffer = MetricBuffer()
    worker = MediaWorker(rd, buffer, on_rows=lambda: None, workers=2)
    worker.start()
    started = time.monotonic()
    worker.submit([(i, 0, "img", FakeImage(b"same", delay_s=0.1)) for i in range(8)])
    assert worker.wait(time.monotonic() + 10)
    elapsed = time.monotonic() - started
    assert elapsed < 0.75, elapsed  # one worker needs 0.8 s for eight 0.1 s encodes
    drained = buffer.drain()
    assert drained is not None and sorted(m[0] for m in drained.media) == list(range(8))
    assert len(rd.media_paths()) == 1 and len({m[4] for m in drained.media}) == 1
    worker.stop()


def test_finish_waits_for_media_still_encoding(offline_run: OfflineRun) -> None:
    run = offline_run()
    for i in range(5):
        run.log({"img": FakeImage(bytes([i]) * 3, delay_s=0.1)})
    run.finish()
    assert run.dir is not None
    assert len(media_rows(read_stream(run.dir, "history"))) == 5


def test_finish_stays_within_its_timeout_when_media_is_slower(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"finish_timeout_s": 0.3})
    for i in range(3):
        run.log({"img": FakeImage(bytes([i]), delay_s=1.0), "loss": float(i)})
    started = time.monotonic()
    run.finish()
    assert time.monotonic() - started < 2.5  # 0.3 s of waiting, plus the final flush
    assert run.dir is not None
    keys = read_stream(run.dir, "history")["key"].to_pylist()
    assert keys.count("loss") == 3


def test_a_media_value_that_cannot_be_converted_warns_and_keeps_the_other_keys(
    offline_run: OfflineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Figure:  # a matplotlib figure whose drawing fails inside to_media
        pass

    def to_media(value: Any) -> Any:
        if isinstance(value, Figure):
            raise RuntimeError("the renderer failed")
        return None

    from wanllmdb import values

    monkeypatch.setattr(values, "_media_converter", lambda: to_media)
    run = offline_run()
    with pytest.warns(RuntimeWarning, match=r"'fig' not stored: .*the renderer failed"):
        run.log({"fig": Figure(), "acc": 0.5})
    run.finish()
    assert run.dir is not None
    assert read_stream(run.dir, "history")["key"].to_pylist() == ["acc"]


# -- online and sync: a real server ---------------------------------------------------------------------
@pytest.mark.slow
def test_media_reaches_the_lake_through_upload_grants(module_server: LocalServer, tmp_path: Path) -> None:
    settings = {
        "base_url": module_server.url,
        "api_key": admin_key(module_server.data_dir),
        "flush_interval_s": 0.2,
        "system_metrics": False,
    }
    run = wanllmdb.init(project="media", dir=tmp_path, settings=settings)
    log_the_media_script(run)
    assert run.synced is True
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None
    check_lake(table, lake_objects(module_server.data_dir, run.id))


@pytest.mark.slow
def test_offline_media_uploads_with_sync(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="media", mode="offline", dir=spool, settings={"system_metrics": False})
    log_the_media_script(run)
    run_sync(sdk_env(module_server.url, admin_key(module_server.data_dir), spool), spool)
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None
    check_lake(table, lake_objects(module_server.data_dir, run.id))


@pytest.mark.slow
def test_wanllmdb_images_histograms_and_galleries_reach_the_lake(
    module_server: LocalServer, tmp_path: Path
) -> None:
    import numpy as np

    settings = online_settings(module_server)
    run = wanllmdb.init(project="media", dir=tmp_path, settings=settings)
    pixels = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    run.log(
        {"img": wanllmdb.Image(pixels, caption="first"), "hist": wanllmdb.Histogram([0.0, 1.0, float("nan")])}
    )
    pixels[0, 0, 0] = 255  # the Image took its snapshot: this changes nothing logged above
    run.log({"img": wanllmdb.Image(pixels), "grid": [wanllmdb.Image(pixels), wanllmdb.Image(pixels[:2])]})
    run.finish()
    assert run.synced is True
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None
    rows = media_rows(table)
    objects = lake_objects(module_server.data_dir, run.id)
    img0, ref0 = rows[(0, "img")]
    assert img0["_type"] == "image-file" and (img0["width"], img0["height"]) == (6, 4)
    assert img0["caption"] == "first" and img0["format"] == "png" and ref0 == img0["path"]
    assert ref0 is not None
    assert hashlib.sha256(objects[ref0]).hexdigest() == img0["sha256"] and objects[ref0][:4] == b"\x89PNG"
    hist, hist_ref = rows[(0, "hist")]
    assert hist_ref is None and hist["_type"] == "histogram" and sum(hist["values"]) == 2
    # Step 1's image and the gallery's first item are the same bytes: one object, named by the first row.
    _, ref1 = rows[(1, "img")]
    gallery, _ = rows[(1, "grid")]
    assert ref1 != ref0 and gallery["items"][0]["path"] == ref1
    assert {ref0, ref1, gallery["items"][1]["path"]} == set(objects)


@pytest.mark.slow
def test_a_media_key_with_a_backslash_or_control_character_still_lands(
    module_server: LocalServer, tmp_path: Path
) -> None:
    settings = online_settings(module_server)
    run = wanllmdb.init(project="media", dir=tmp_path, settings=settings)
    run.log({"a\\b\x01c": FakeImage(b"odd"), "loss": 1.0})
    run.finish()
    assert run.synced is True
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None
    [(descriptor, ref)] = media_rows(table).values()
    assert ref == descriptor["path"] == f"image/a_b_c_0_{sha20(b'odd')}.png"
    assert lake_objects(module_server.data_dir, run.id) == {ref: b"odd"}


@pytest.mark.slow
def test_an_object_the_server_refuses_holds_back_nothing_else_of_its_batch(
    module_server: LocalServer, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="media", mode="offline", dir=spool, settings={"system_metrics": False})
    run.log({"img": FakeImage(b"good"), "loss": 1.0})
    run.finish()
    assert run.dir is not None
    RunDir(run.dir).write_media("image/bad\\name.png", b"refused")  # a path the server's grants refuse
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)
    out = run_sync(env, spool, check=False)
    assert "refused 1 item" in out.stdout + out.stderr, out.stdout + out.stderr
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None and sorted(table["key"].to_pylist()) == ["img", "loss"]
    assert set(lake_objects(module_server.data_dir, run.id)) == {f"image/img_0_{sha20(b'good')}.png"}


def test_finish_shows_progress_while_media_encodes(
    offline_run: OfflineRun, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from wanllmdb.ingest import pipeline

    monkeypatch.setattr(
        pipeline._Progress, "AFTER_S", 0.0
    )  # the same output as uploads, without the 2 s wait
    run = offline_run()
    for i in range(3):
        run.log({"img": FakeImage(bytes([i]), delay_s=0.2)})
    run.finish()
    assert "encoding media: " in capfd.readouterr().err


@pytest.mark.slow
def test_the_summary_holds_each_media_keys_last_descriptor_without_its_bulk(
    module_server: LocalServer, tmp_path: Path
) -> None:
    import numpy as np

    settings = online_settings(module_server)
    run = wanllmdb.init(project="media", dir=tmp_path, settings=settings)
    pixels = np.zeros((4, 6, 3), dtype=np.uint8)
    boxes = {
        "pred": {"box_data": [{"position": {"minX": 0, "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1}]}
    }
    run.log({"img": wanllmdb.Image(pixels), "wide": wanllmdb.Histogram(np.arange(1000), num_bins=512)})
    run.log(
        {
            "img": wanllmdb.Image(
                pixels + 1, caption="last", boxes=boxes, classes=[{"id": 1, "name": "cat"}]
            ),
            "narrow": wanllmdb.Histogram([1.0, 2.0, float("inf")], num_bins=4),
            "grid": [wanllmdb.Image(pixels), wanllmdb.Image(pixels)],
        }
    )
    run.finish()
    summary = dict(run.summary.items())
    img = summary["img"]
    assert img["_type"] == "image-file" and img["caption"] == "last" and img["width"] == 6
    assert "boxes" not in img and "classes" not in img  # the row in the lake keeps them
    assert summary["grid"] == {"_type": "gallery", "count": 2, "item_type": "image-file"}
    assert summary["wide"] == {"_type": "histogram", "num_bins": 512, "min": 0.0, "max": 999.0}
    # Bins and counts stay in the history: the summary keeps every histogram's shape only.
    narrow = {"_type": "histogram", "num_bins": 4, "min": 1.0, "max": 2.0, "nonfinite": {"inf": 1}}
    assert summary["narrow"] == narrow
    # The server holds what the SDK shows.
    with wanllmdb.Api(overrides={"base_url": module_server.url, "api_key": settings["api_key"]}) as api:
        stored = api.run(f"media/{run.id}").summary
    for key in ("img", "grid", "wide", "narrow"):
        assert stored[key] == summary[key], key
    assert json.loads(json.dumps(stored["img"])) == img


@pytest.mark.slow
def test_a_table_with_media_cells_and_a_chart_reach_the_lake_and_the_config(
    module_server: LocalServer, tmp_path: Path
) -> None:
    import io

    import numpy as np
    import pyarrow.parquet as pq

    settings = online_settings(module_server)
    run = wanllmdb.init(project="media", dir=tmp_path, settings=settings)
    table = wanllmdb.Table(columns=["img", "label", "score"])
    for i in range(3):
        table.add_data(wanllmdb.Image(np.full((2, 2), i * 100, dtype=np.uint8)), f"c{i}", i / 2)
    chart = wanllmdb.plot.confusion_matrix(y_true=[0, 1, 1], preds=[0, 1, 0], class_names=["a", "b"])
    run.log({"preds": table, "cm": chart})
    run.finish()
    rows = media_rows(lake_table(module_server.data_dir, run.id) or pa.table({}))
    objects = lake_objects(module_server.data_dir, run.id)
    preds, ref = rows[(0, "preds")]
    assert preds["_type"] == "table-file" and ref == preds["path"] and ref.startswith("table/preds_0_")
    assert (preds["ncols"], preds["nrows"]) == (3, 3)
    stored = pq.read_table(io.BytesIO(objects[ref]))
    assert stored.column("label").to_pylist() == ["c0", "c1", "c2"]
    cells = [json.loads(c) for c in stored.column("img").to_pylist()]
    assert all(
        c["_type"] == "image-file" and c["path"] in objects for c in cells
    )  # each cell's object landed
    cm, _ = rows[(0, "cm_table")]
    assert cm["_type"] == "table-file" and (0, "cm") not in rows
    panel = run.config["_wandb"]["visualize"]["cm"]
    assert panel["panel_config"]["panelDefId"] == "wandb/confusion_matrix/v1"
    with wanllmdb.Api(overrides={"base_url": module_server.url, "api_key": settings["api_key"]}) as api:
        stored_config = api.run(f"media/{run.id}").config
    assert stored_config["_wandb"]["visualize"]["cm"] == panel
