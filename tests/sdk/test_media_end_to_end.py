"""Every media type, end to end, the way a training script logs it: 1,000 images over 100 steps plus audio,
video, point clouds, a mesh, Html, Plotly, a matplotlib figure and histograms, against a real local
server, online and offline followed by `wanllmdb sync`.

After `finish()` every descriptor in the lake must follow schemas/media_descriptors.json, every object it
names must be under the run's `media/` prefix with the bytes its sha256 says, and nothing else may be
there. The public `Api()` then shows the descriptors in history() and fetches the objects by path.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table, run_sync, sdk_env
from tests.sdk.test_media_pipeline import lake_objects, media_rows

np = pytest.importorskip("numpy")
pytestmark = pytest.mark.slow

CONTRACT = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "media_descriptors.json").read_text()
)
STEPS = 100
IMAGES_PER_STEP = 10
OBJ_MESH = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"


def the_training_script(run: Any, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    rng = np.random.default_rng(0)
    for step in range(STEPS):
        images = {
            f"samples/{i}": wanllmdb.Image(
                np.full((8, 8, 3), (step * IMAGES_PER_STEP + i) % 256, dtype=np.uint8) + np.uint8(step // 26),
                caption=f"{step}:{i}",
            )
            for i in range(IMAGES_PER_STEP)
        }
        run.log({**images, "loss": 1.0 / (step + 1), "weights": wanllmdb.Histogram(rng.normal(step, 1, 256))})

    mesh = tmp_path / "tetra.obj"
    mesh.write_text(OBJ_MESH)
    points = np.column_stack([rng.normal(size=(500, 3)), rng.integers(0, 256, size=(500, 3))])
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 1, 3])
    t = np.linspace(0, 1, 8000, endpoint=False)
    run.log(
        {
            "audio": wanllmdb.Audio(np.sin(2 * np.pi * 440 * t).astype(np.float32), sample_rate=8000),
            "video": wanllmdb.Video(
                rng.integers(0, 256, size=(4, 3, 16, 16), dtype=np.uint8), fps=2, format="gif"
            ),
            "cloud": wanllmdb.Object3D(points),
            "mesh": wanllmdb.Object3D(str(mesh)),
            "page": wanllmdb.Html("<h1>report</h1><script>1</script>"),
            "plotly": wanllmdb.Plotly(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))),
            "figure": fig,
            "gallery": [wanllmdb.Image(np.zeros((4, 4))), wanllmdb.Image(np.ones((4, 4)) * 255)],
        }
    )
    plt.close(fig)
    run.finish()


def check_descriptor(descriptor: dict[str, Any], objects: dict[str, bytes]) -> set[str]:
    """`descriptor` follows the contract for its type; returns the object paths it names."""
    kind = descriptor["_type"]
    if kind == "gallery":
        return set().union(*(check_descriptor(item, objects) for item in descriptor["items"]))
    spec = CONTRACT["types"][kind]
    assert set(descriptor) - {"_type"} <= set(spec["fields"]), (kind, sorted(descriptor))
    if spec["dir"] is None:
        return set()
    path = descriptor["path"]
    assert path.startswith(spec["dir"] + "/"), (kind, path)
    sha = descriptor["sha256"]
    assert path.rsplit("_", 1)[-1].startswith(sha[:20])
    data = objects[path]
    assert hashlib.sha256(data).hexdigest() == sha and len(data) == descriptor["size"], path
    return {path}


def check_run(data_dir: Path, run_id: str) -> dict[tuple[int, str], tuple[dict[str, Any], str | None]]:
    table = lake_table(data_dir, run_id)
    assert isinstance(table, pa.Table)
    rows = media_rows(table)
    objects = lake_objects(data_dir, run_id)
    named: set[str] = set()
    for (step, key), (descriptor, ref) in rows.items():
        named |= check_descriptor(descriptor, objects)
        assert ref == descriptor.get("path"), (step, key)
    assert named == set(objects)  # no object without a row, none missing

    image_rows = [k for k in rows if k[1].startswith("samples/")]
    assert len(image_rows) == STEPS * IMAGES_PER_STEP
    assert sorted(s for s, k in rows if k == "weights") == list(range(STEPS))
    last = STEPS
    kinds = {k: rows[(last, k)][0]["_type"] for k in ("audio", "video", "cloud", "mesh", "page", "plotly")}
    assert kinds == {
        "audio": "audio-file",
        "video": "video-file",
        "cloud": "object3D-file",
        "mesh": "object3D-file",
        "page": "html-file",
        "plotly": "plotly-file",
    }
    assert rows[(last, "figure")][0]["_type"] in ("plotly-file", "image-file")
    assert rows[(last, "cloud")][0]["points"] == 500
    assert rows[(last, "gallery")][0]["_type"] == "gallery"
    captions = {rows[(s, f"samples/{i}")][0]["caption"] for s in range(STEPS) for i in range(IMAGES_PER_STEP)}
    assert len(captions) == STEPS * IMAGES_PER_STEP
    return rows


def test_every_media_type_lands_online_and_the_api_reads_it(
    module_server: LocalServer, tmp_path: Path
) -> None:
    key = admin_key(module_server.data_dir)
    settings = {"base_url": module_server.url, "api_key": key, "system_metrics": False}
    run = wanllmdb.init(project="media-e2e", dir=tmp_path, settings=settings)
    the_training_script(run, tmp_path)
    assert run.synced is True
    rows = check_run(module_server.data_dir, run.id)

    with wanllmdb.Api(overrides={"base_url": module_server.url, "api_key": key}) as api:
        public = api.run(f"media-e2e/{run.id}")
        history = public.history(keys=["samples/3", "loss"], samples=1000, format="records")
        shown = {r["_step"]: r["samples/3"] for r in history if r.get("samples/3") is not None}
        assert len(shown) == STEPS
        assert shown[42] == rows[(42, "samples/3")][0]  # a dict, as wandb's history() shows it
        frame = public.history(keys=["samples/3"], samples=1000, format="polars")  # JSON text in Polars
        assert json.loads(frame["samples/3"][42]) == rows[(42, "samples/3")][0]
        scanned = [r["samples/3"] for r in public.scan_history(keys=["samples/3"], page_size=30)]
        assert scanned[42] == rows[(42, "samples/3")][0] and len(scanned) == STEPS
        for k in ("samples/3", "audio", "cloud", "page"):
            step = 42 if k == "samples/3" else STEPS
            expected = rows[(step, k)][0]
            data = public.file(expected["path"]).download()
            assert hashlib.sha256(data).hexdigest() == expected["sha256"], k


def test_every_media_type_lands_offline_then_with_sync(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="media-e2e", mode="offline", dir=spool, settings={"system_metrics": False})
    the_training_script(run, tmp_path)
    run_sync(sdk_env(module_server.url, admin_key(module_server.data_dir), spool), spool, timeout=300)
    check_run(module_server.data_dir, run.id)
