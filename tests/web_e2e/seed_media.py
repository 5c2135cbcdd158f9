"""Seeds a running server with one run's media rows for the media panels' browser test.

The rows go straight into the lake through upload grants, in the shape of
schemas/media_descriptors.json (tests/functions/query/media_lake.py), so the test does not wait on
the SDK's media pipeline: `samples/pred` images at steps 0, 10 and 20 (one colour each, a box and
a mask), `samples/page` Html at step 0 whose script tries to read the dashboard, `samples/audio` a
WAV at step 10, and `weights/w` histograms at steps 0..49.

A second run logs through the real SDK (wanllmdb.init / log / finish), as a training script would:
`epoch` at steps 0, 4 and 8, `epochs/img` images at steps 2, 6 and 10 (one colour per epoch), and
at step 2 `scene/cloud` (a point cloud with categories, a box and a vector), `scene/mesh` (an OBJ
tetrahedron) and `figures/fig` (a plotly figure: an SVG line and bars, and a WebGL scatter).
`--pointcloud N` logs only one N-point xyzrgb cloud (`cloud/big`), for the time-to-first-frame test.
The last line on stdout is JSON like seed.py's.

    python tests/web_e2e/seed_media.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import api_key, session_token  # noqa: E402

from tests.functions.query.media_lake import histogram, image, media_chunk, png_bytes  # noqa: E402

HTML = (
    "<p id='msg'>sandboxed</p><script>var m = document.getElementById('msg');"
    "try { m.textContent = 'read ' + parent.document.title; }"
    " catch (e) { m.textContent = 'blocked'; }</script>"
)
COLOURS = {0: ("red", (220, 30, 30)), 10: ("green", (30, 180, 30)), 20: ("blue", (30, 30, 220))}
# A tetrahedron: four vertices, four faces.
OBJ = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n"


def grey_mask(width: int, height: int) -> str:
    """An 8-bit grey PNG of class ids: the left half class 1, the right half class 2."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + bytes([1] * (width // 2) + [2] * (width - width // 2)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def wav_bytes() -> bytes:
    """Half a second of a 440 Hz tone, 8 kHz mono 16-bit, through the standard library."""
    import io
    import struct
    import wave

    sink = io.BytesIO()
    with wave.open(sink, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(12000 * math.sin(i * 440 * 2 * math.pi / 8000))) for i in range(4000)
            )
        )
    return sink.getvalue()


def plotly_figure() -> object:
    """A line, a bar and a WebGL trace (scattergl, which plotly picks for large data), built with
    plotly's Python API when it is installed."""
    x = [0, 1, 2, 3]
    gl_x = [i / 50 for i in range(200)]
    gl_y = [2 + math.sin(v * 3) for v in gl_x]
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": "loss", "x": x, "y": [3, 2, 1.5, 1.2]},
        {"type": "bar", "name": "count", "x": x, "y": [1, 3, 2, 4]},
        {"type": "scattergl", "mode": "markers", "name": "gl", "x": gl_x, "y": gl_y},
    ]
    layout = {"title": {"text": "e2e figure"}, "height": 300}
    try:
        import plotly.graph_objects as go
    except ImportError:
        return {"data": traces, "layout": layout}
    return go.Figure(data=traces, layout=layout)


def sdk_run(args: argparse.Namespace, token: str) -> dict[str, Any]:
    """Logs a run through the real SDK: epochs, images by epoch, 3D objects and a plotly figure."""
    os.environ["WANLLMDB_BASE_URL"] = args.url
    os.environ["WANLLMDB_API_KEY"] = api_key(args.url, token)
    os.environ["WANLLMDB_DIR"] = tempfile.mkdtemp(prefix="wanllmdb-seed-media-")
    import numpy as np

    import wanllmdb  # after the environment is set: init() reads it

    rng = np.random.default_rng(0)
    run = wanllmdb.init(project=args.project, name="sdk-media-run")
    if args.pointcloud:
        # xyzrgb: a noisy sphere shell coloured by position, like a scan.
        xyz = rng.normal(size=(args.pointcloud, 3)).astype("float32")
        xyz /= np.linalg.norm(xyz, axis=1, keepdims=True)
        xyz *= 5 + rng.random((args.pointcloud, 1), dtype="float32")
        rgb = ((xyz / 12 + 0.5) * 255).clip(0, 255)
        wanllmdb.log({"cloud/big": wanllmdb.Object3D(np.hstack([xyz, rgb]))}, step=0)
    else:
        for step in range(12):
            row: dict[str, Any] = {}
            if step % 4 == 0:
                row["epoch"] = step // 4
            if step % 4 == 2:
                name, colour = list(COLOURS.values())[step // 4]
                pixels = np.broadcast_to(np.array(colour, dtype="uint8"), (24, 32, 3))
                row["epochs/img"] = wanllmdb.Image(pixels, caption=f"{name} (epoch {step // 4})")
            if step == 2:
                row |= sdk_scene()
            wanllmdb.log(row, step=step)
    run_id = run.id
    wanllmdb.finish()
    return {"id": run_id, "name": "sdk-media-run", "config": {}}


def sdk_scene() -> dict[str, Any]:
    """A point cloud of two categories with a box and a vector; an OBJ mesh; a plotly figure."""
    import numpy as np

    import wanllmdb

    axes = np.meshgrid(np.arange(10), np.arange(10), np.arange(4))
    grid = np.stack(axes, -1).reshape(-1, 3).astype("float32")
    points = np.hstack([grid, (grid[:, :1] >= 5).astype("float32")])  # category 0 on the left, 1 on the right
    corners = [[x, y, z] for x in (5, 9) for y in (0, 9) for z in (0, 3)]
    box = {"corners": corners, "label": "car", "color": [255, 60, 60]}
    vector = {"start": [0, 0, 0], "end": [0, 0, 6], "color": [255, 255, 0]}
    cloud = wanllmdb.Object3D({"type": "lidar/beta", "points": points, "boxes": [box], "vectors": [vector]})
    return {
        "scene/cloud": cloud,
        "scene/mesh": wanllmdb.Object3D(io.StringIO(OBJ), file_type="obj"),
        "figures/fig": wanllmdb.Plotly(plotly_figure()),
    }


def report(entity: str, args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    seeded = {"entity": entity, "project": args.project, "username": args.username,
              "password": args.password, "runs": runs}  # fmt: skip
    print(json.dumps(seeded))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="e2e-media")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="media-e2e")
    ap.add_argument("--many", type=int, default=0, help="N: only N histogram keys under many/, 3 steps each")
    ap.add_argument("--pointcloud", type=int, default=0, help="N: only an N-point xyzrgb cloud (SDK)")
    args = ap.parse_args()
    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    http = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    project = http.post("/api/projects", json={"name": args.project}).raise_for_status().json()
    if args.pointcloud:
        report(project["entity"], args, [sdk_run(args, token)])
        return
    run = http.post(
        f"/api/projects/{project['id']}/runs", json={"id": f"r-{args.project}", "name": "media-run"}
    )
    run_id = run.raise_for_status().json()["id"]

    def put(data: bytes, **item: Any) -> None:
        item |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        grant = http.post(f"/api/runs/{run_id}/uploads", json={"items": [item]}).raise_for_status()
        g = grant.json()["grants"][0]
        httpx.put(g["url"], content=data, headers=g["headers"], timeout=60).raise_for_status()

    rows: list[tuple[int, str, dict[str, Any] | float]] = []
    if args.many:
        rows = [(s, f"many/h{k:04d}", histogram([k % 7, s, 3])) for k in range(args.many) for s in range(3)]
        put(media_chunk(rows), kind="history", seq=0, attempt=0)
        report(project["entity"], args, [{"id": run_id, "name": "media-run", "config": {}}])
        return
    labels = {"1": "cat", "2": "dog"}
    for step, (name, rgb) in COLOURS.items():
        data = png_bytes(32, 24, rgb)
        box = {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.7}, "class_id": 1}
        desc, _ = image(
            "samples/pred",
            step,
            data,
            caption=name,
            boxes={"predictions": {"box_data": [box], "class_labels": labels}},
            masks={"seg": {"png": grey_mask(32, 24), "width": 32, "height": 24, "class_labels": labels}},
        )
        put(data, kind="media", path=desc["path"])
        rows.append((step, "samples/pred", desc))
    page = HTML.encode()
    sha = hashlib.sha256(page).hexdigest()
    path = f"html/samples.page_0_{sha[:20]}.html"
    put(page, kind="media", path=path)
    rows.append((0, "samples/page", {"_type": "html-file", "path": path, "sha256": sha, "size": len(page)}))
    wav = wav_bytes()
    sha = hashlib.sha256(wav).hexdigest()
    path = f"audio/samples.audio_10_{sha[:20]}.wav"
    put(wav, kind="media", path=path)
    audio = {"_type": "audio-file", "path": path, "sha256": sha, "size": len(wav), "sample_rate": 8000,
             "duration": 0.5, "format": "wav", "caption": "tone"}  # fmt: skip
    rows.append((10, "samples/audio", audio))
    for step in range(50):
        counts = [math.exp(-(((b - 10 - step * 0.2) / 4) ** 2)) * 100 for b in range(32)]
        rows.append((step, "weights/w", histogram(counts, -1.0, 1.0)))
        rows.append((step, "train/loss", 1.0 / (step + 1)))
    put(media_chunk(rows), kind="history", seq=0, attempt=0)
    lake_run = {"id": run_id, "name": "media-run", "config": {}}
    report(project["entity"], args, [lake_run, sdk_run(args, token)])


if __name__ == "__main__":
    main()
