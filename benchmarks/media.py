"""Media through log(): what the training thread pays, and how fast images become durable in the lake.

    python benchmarks/media.py [--images 200] [--paced 50]

Starts a local `wanllmdb server` on a free port, then measures, for 512x512x3 uint8 images:
  baseline   np.copy of the same array (the snapshot any asynchronous logger must take), timed in the same
             loop as the calls below and held as long (a queue of 32), so both pay the same fresh pages
  caller     µs on the caller's thread per log({"img": Image(a)}), the Image built in the call, while the
             media worker keeps up (PACED calls 20 ms apart): wall median and p95, thread CPU median
  burst      IMAGES calls back to back: the caller's mean µs per call, back-pressure waits included
  durable    images per second from the first burst call until finish() returned with every row and
             object in the lake (encode + hash + spool + grant + PUT + chunk), checked by reading it back
  3D bytes   an Object3D point cloud's stored bytes (float32, zstd) against the JSON a wandb
             `object3D` file holds for the same N x 6 points (target: <= 40%)
Ratios are against the baseline of this run. Every image differs (one pixel), so nothing deduplicates;
the pixels are uniform noise, which PNG cannot compress: the worst case for the encoder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import numpy as np
from _server import local_server, percentile

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "sdk"))

import wanllmdb  # noqa: E402 - this checkout's SDK
from wanllmdb.data_types.image import Image  # noqa: E402
from wanllmdb.data_types.object3d import Object3D  # noqa: E402

SHAPE = (512, 512, 3)


def us(seconds: float) -> float:
    return seconds * 1e6


def lake_counts(data_dir: Path, run_id: str) -> tuple[int, int]:
    """(media rows, media objects) of the run in the server's lake (the tests' reader: compaction-safe)."""
    from tests.sdk.conftest import lake_table

    table = lake_table(data_dir, run_id)
    media = table.column("media") if table is not None else None
    rows = len(media) - media.null_count if media is not None else 0
    root = data_dir / "lake" / "media"
    objects = sum(1 for p in root.glob(f"project=*/run={run_id}/**/*") if p.is_file())
    return rows, objects


def point_cloud_bytes(n: int) -> tuple[int, int]:
    """(stored bytes, JSON bytes) for n points of xyz + rgb, as a LiDAR-like cloud: float coordinates in
    metres with millimetre noise, colours 0..255."""
    import json

    rng = np.random.default_rng(1)
    xyz = rng.normal(0.0, 20.0, (n, 3))
    rgb = rng.integers(0, 256, (n, 3)).astype(np.float64)
    points = np.column_stack([xyz, rgb])
    prepared = Object3D(points).prepare("cloud", 0)
    assert prepared.data is not None
    as_json = json.dumps({"type": "lidar/beta", "points": points.tolist()}).encode()
    return len(bytes(prepared.data)), len(as_json)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--paced", type=int, default=50)
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, SHAPE, dtype=np.uint8)

    with tempfile.TemporaryDirectory() as tmp, local_server(Path(tmp) / "data") as (url, key):
        settings = {"base_url": url, "api_key": key, "system_metrics": False, "console": "off", "git": False,
                    "finish_timeout_s": 600.0}  # fmt: skip
        run = wanllmdb.init(project="bench-media", dir=Path(tmp) / "spool", settings=settings)
        held: deque[np.ndarray] = deque(maxlen=32)  # what a queue of snapshots keeps alive
        base: list[float] = []
        wall: list[float] = []
        cpu: list[float] = []
        for i in range(args.paced):
            pixels[0, 0, 0] = i % 256
            pixels[0, 0, 1] = i // 256
            t0 = time.perf_counter()
            held.append(np.copy(pixels))
            base.append(time.perf_counter() - t0)
            time.sleep(0.01)
            t0, c0 = time.perf_counter(), time.thread_time()
            run.log({"img": Image(pixels)})
            wall.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
            time.sleep(0.01)
        while run._pipeline is not None and run._pipeline.media is not None and run._pipeline.media.pending:
            time.sleep(0.01)

        t0 = time.perf_counter()
        for i in range(args.images):
            j = args.paced + i
            pixels[0, 1, 0] = j % 256
            pixels[0, 1, 1] = j // 256
            run.log({"burst": Image(pixels)})
        burst_s = time.perf_counter() - t0
        run.finish()
        durable_s = time.perf_counter() - t0
        rows, objects = lake_counts(Path(tmp) / "data", run.id)

    total = args.paced + args.images
    b_med = statistics.median(base)
    w_med, w_p95, c_med = statistics.median(wall), percentile(wall, 95), statistics.median(cpu)
    print(f"image {SHAPE} uint8, {args.paced} paced + {args.images} burst calls; synced={run.synced}")
    per_burst = burst_s / args.images
    print(f"baseline np.copy (held) median {us(b_med):8.1f} us")
    print(f"caller log(Image)       median {us(w_med):8.1f} us  p95 {us(w_p95):.1f} us  x{w_med / b_med:.1f}")
    print(f"  caller thread CPU     median {us(c_med):8.1f} us  x{c_med / b_med:.1f}")
    print(f"burst log(Image)        mean   {us(per_burst):8.1f} us  x{per_burst / b_med:.1f} (with waits)")
    print(f"durable in the lake     {args.images / durable_s:8.1f} images/s ({durable_s:.2f} s)")
    print(f"lake check              {rows} media rows, {objects} objects (expected {total} and {total})")
    stored, as_json = point_cloud_bytes(args.points)
    print(f"3D bytes                {stored / 2**20:8.1f} MiB stored vs {as_json / 2**20:.1f} MiB JSON "
          f"({args.points:,} points): {stored / as_json:.0%} (target <= 40%)")  # fmt: skip
    if rows != total or objects != total:
        raise SystemExit("the lake does not hold every image")


if __name__ == "__main__":
    main()
