"""Artifacts against a local server, each phase measured against shutil.copytree of the same files.

    python benchmarks/artifacts.py [--files 10000] [--kib 4] [--cached-files 100000] [--big-mib 1024]
                                   [--skip-big] [--wandb]

Phases (targets from the artifacts issue):
  log         add_dir + log of FILES x KIB files into an empty cache (target <= 2 s)
  relog       the same directory with 1% of the files changed (target <= 0.5 s); counts the PUTs
  cold        download into a new root with an empty cache: files/s (target >= 1,000/s)
  cached      CACHED_FILES files: download again into the root that holds them (target <= 5 s for 100k),
              and into a new root from the cache (copies)
  big         one BIG_MIB file: multipart log and cold download, MiB/s
  wandb       (--wandb) wandb's own add_dir + log offline on the same files, when wandb is importable
Every ratio is ours / copytree (or copyfile) in this run, on this machine; the load is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "sdk"))

import wanllmdb  # noqa: E402
from benchmarks._server import local_server  # noqa: E402
from wanllmdb.artifacts.context import ArtifactContext  # noqa: E402
from wanllmdb.artifacts.http import ArtifactHttp  # noqa: E402


def make_tree(root: Path, n: int, size: int, tag: str = "") -> list[Path]:
    paths = []
    block = os.urandom(size)
    for i in range(n):
        path = root / f"d{i % 100:02d}" / f"f{i:06d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{tag}{i:08d}".encode() + block[16:])
        paths.append(path)
    time.sleep(0.1)  # older than the hash index's racy window, as data being logged usually is
    return paths


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def use_cache(path: Path) -> None:
    ArtifactContext.forget_all()
    os.environ["WANLLMDB_CACHE_DIR"] = str(path)


def copytree(src: Path, dst: Path) -> float:
    seconds, _ = timed(lambda: shutil.copytree(src, dst))
    shutil.rmtree(dst)
    return seconds


def log_dir(name: str, src: Path) -> wanllmdb.Artifact:
    art = wanllmdb.Artifact(name, "dataset")
    art.add_dir(src)
    art.save(project="bench")
    return art


def count_puts() -> list[int]:
    """Counts every PUT from here on: single blobs and parts (put_file), packs and manifests
    (put_bytes)."""
    puts: list[int] = []
    for name in ("put_file", "put_bytes"):
        real = getattr(ArtifactHttp, name)

        def counted(self: ArtifactHttp, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            puts.append(1)
            return _real(self, *args, **kwargs)

        setattr(ArtifactHttp, name, counted)
    return puts


def row(label: str, ours: float, base: float, extra: str = "") -> None:
    print(
        f"{label:44} {ours:8.2f} s   copytree {base:7.2f} s   ratio {ours / base:6.1f}x  {extra}", flush=True
    )


def bench_small(work: Path, files: int, kib: int) -> None:
    src = work / "src"
    make_tree(src, files, kib << 10)
    use_cache(work / "cache-log")
    base = copytree(src, work / "copy")
    seconds, _ = timed(lambda: log_dir("small", src))
    row(f"add_dir + log, {files} x {kib} KiB", seconds, base, "(target <= 2 s)")

    changed = sorted(src.rglob("*.bin"))[:: max(1, 100)]
    for path in changed:
        path.write_bytes(path.read_bytes() + b"changed")
    time.sleep(0.1)
    puts = count_puts()
    base = copytree(src, work / "copy")
    seconds, art = timed(lambda: log_dir("small", src))
    row(
        f"re-log with 1% changed ({len(changed)} files)",
        seconds,
        base,
        f"(target <= 0.5 s) {len(puts)} PUTs (packs, blobs, manifest), {art.version}",
    )

    use_cache(work / "cache-cold")
    art = wanllmdb.Api().artifact(f"bench/small:{art.version}")
    seconds, _ = timed(lambda: art.download(work / "cold"))
    base = copytree(src, work / "copy")
    row(f"cold download, {files / seconds:,.0f} files/s", seconds, base, "(target >= 1,000 files/s)")
    shutil.rmtree(work / "cold")


def bench_cached(work: Path, files: int, kib: int) -> None:
    src = work / "many"
    make_tree(src, files, kib << 10, tag="many")
    use_cache(work / "cache-many")
    seconds, art = timed(lambda: log_dir("many", src))
    print(f"  (logging {files} files took {seconds:.1f} s: {files / seconds:,.0f} files/s)", flush=True)
    base = copytree(src, work / "copy")
    root = work / "many-out"
    first, _ = timed(lambda: wanllmdb.Api().artifact(f"bench/many:{art.version}").download(root))
    row(f"download {files} files from the cache (copies)", first, base)
    again, _ = timed(lambda: wanllmdb.Api().artifact(f"bench/many:{art.version}").download(root))
    row(f"fully cached download of {files} files", again, base, "(target <= 5 s for 100k)")
    shutil.rmtree(root)


def bench_big(work: Path, mib: int) -> None:
    big = work / "big" / "weights.bin"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        for _ in range(mib):
            fh.write(os.urandom(1 << 20))
    time.sleep(0.1)
    use_cache(work / "cache-big")
    base, _ = timed(lambda: shutil.copyfile(big, work / "big-copy"))
    os.unlink(work / "big-copy")
    puts = count_puts()
    art = wanllmdb.Artifact("big", "model")
    art.add_file(big)
    seconds, _ = timed(lambda: art.save(project="bench"))
    row(f"log {mib} MiB, {mib / seconds:,.0f} MiB/s ({len(puts)} parts)", seconds, base, "(copyfile)")
    use_cache(work / "cache-big-cold")
    fetched = wanllmdb.Api().artifact("bench/big:latest")
    seconds, _ = timed(lambda: fetched.download(work / "big-out"))
    row(f"cold download {mib} MiB, {mib / seconds:,.0f} MiB/s", seconds, base, "(copyfile)")


def bench_wandb(work: Path) -> None:
    try:
        import wandb
    except ImportError:
        print("wandb: not importable here, skipped")
        return
    os.environ.update(
        WANDB_MODE="offline",
        WANDB_SILENT="true",
        WANDB_DIR=str(work),
        WANDB_CACHE_DIR=str(work / "wandb-cache"),
    )

    def log() -> None:
        run = wandb.init(project="bench")
        art = wandb.Artifact("small", "dataset")
        art.add_dir(str(work / "src"))
        run.log_artifact(art)
        run.finish()

    seconds, _ = timed(log)
    base = copytree(work / "src", work / "copy")
    row("wandb offline add_dir + log (same files)", seconds, base)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--kib", type=int, default=4)
    parser.add_argument("--cached-files", type=int, default=100_000)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--skip-big", action="store_true", help="leave out the big file (short disk)")
    parser.add_argument("--wandb", action="store_true", help="also time wandb's add_dir + log offline")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="wl-artifacts-") as tmp:
        work = Path(tmp)
        with local_server(work / "server") as (url, key):
            os.environ.update(WANLLMDB_BASE_URL=url, WANLLMDB_API_KEY=key, WANLLMDB_SILENT="true")
            bench_small(work, args.files, args.kib)
            if args.cached_files:
                bench_cached(work, args.cached_files, args.kib)
            if not args.skip_big and args.big_mib:
                bench_big(work, args.big_mib)
            if args.wandb:
                bench_wandb(work)
            ArtifactContext.forget_all()


if __name__ == "__main__":
    main()
