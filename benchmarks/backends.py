"""Blob-store backends on their local emulators against the local-folder store, in one run.

Per backend: small-object PUT and GET rate (1 KiB objects through the adapter), and multipart
throughput: a `--size-mib` object (default 256) uploaded as 8 MiB parts through the presigned part
URLs a client gets, then completed, then read back once. The local store writes its parts through
`write_part` (what its blob endpoint does with a presigned part), since its URLs need a running server.

    .venv/bin/python benchmarks/backends.py [--small 200] [--size-mib 256]

The emulators are moto (in this process, threaded: it shares the GIL with the client), gcp-storage-
emulator and Azurite (their own processes). They are not the clouds: the ratios say what each adapter's
protocol costs on one machine, not what S3, GCS or Azure would do over a network.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.conftest import moto_server
from tests.contract.emulators import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    azurite,
    fake_service_account,
    gcs_emulator,
)
from wanllmdb_functions.adapters.azure_blobs import AzureBlobStore
from wanllmdb_functions.adapters.gcs_blobs import GcsBlobStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.ports import BlobStore

PART = 8 << 20


@contextmanager
def stores(work: Path) -> Iterator[dict[str, BlobStore]]:
    with ExitStack() as stack:
        local = LocalBlobStore(work / "lake", work_dir=work / "work", signer=UrlSigner(b"k" * 32, "http://x"))
        moto = stack.enter_context(moto_server())
        s3 = S3BlobStore("bench-s3", region="us-east-1", endpoint_url=moto)
        s3.create_bucket()
        minio = S3BlobStore("bench-minio", region="us-east-1", endpoint_url=moto, path_style=True)
        minio.create_bucket()
        gcs_dir, az_dir = work / "gcs", work / "az"
        gcs_dir.mkdir()
        az_dir.mkdir()
        gcs = GcsBlobStore("bench-gcs", service_account=fake_service_account(),
                           endpoint=stack.enter_context(gcs_emulator(gcs_dir)))  # fmt: skip
        gcs.create_bucket()
        azure = AzureBlobStore(AZURITE_ACCOUNT, "bench-az", account_key=AZURITE_KEY,
                               endpoint=stack.enter_context(azurite(az_dir)))  # fmt: skip
        azure.create_container()
        yield {"local": local, "s3 (moto)": s3, "minio (moto, path-style)": minio,
               "gcs (emulator)": gcs, "azure (azurite)": azure}  # fmt: skip


def rate(n: int, op: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        op(i)
    return n / (time.perf_counter() - start)


def multipart(store: BlobStore, size: int) -> tuple[float, float]:
    """(upload MiB/s, read-back MiB/s) for one `size`-byte object in PART-sized parts."""
    body = os.urandom(PART)
    key = "bench/big.bin"
    start = time.perf_counter()
    upload_id = store.create_multipart(key, content_type="application/octet-stream")
    parts = []
    with httpx.Client(timeout=300) as client:
        for number in range(1, size // PART + 1):
            if isinstance(store, LocalBlobStore):
                parts.append((number, store.write_part(key, upload_id, number, [body], max_bytes=PART)))
                continue
            grant = store.presign_part(key, upload_id, number, expires_s=600, content_length=PART)
            resp = client.put(grant.url, headers=grant.headers, content=body)
            resp.raise_for_status()
            parts.append((number, resp.headers.get("ETag", "")))
    store.complete_multipart(key, upload_id, parts)
    up = size / (1 << 20) / (time.perf_counter() - start)
    start = time.perf_counter()
    assert len(store.get(key)) == size
    down = size / (1 << 20) / (time.perf_counter() - start)
    return up, down


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=200, help="small objects per backend (default 200)")
    parser.add_argument("--size-mib", type=int, default=256, help="multipart object size (default 256)")
    args = parser.parse_args()
    # moto's request log would print every presigned URL, signature included.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    size = max(PART, args.size_mib << 20) // PART * PART
    payload = os.urandom(1024)
    rows: list[tuple[str, float, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, stores(Path(tmp)) as backends:
        for name, store in backends.items():
            put = rate(args.small, lambda i: store.put(f"small/{i:06d}", payload))  # noqa: B023 - called now
            get = rate(args.small, lambda i: store.get(f"small/{i:06d}"))  # noqa: B023
            up, down = multipart(store, size)
            rows.append((name, put, get, up, down))
            print(f"  {name}: done", file=sys.stderr, flush=True)
    base = rows[0]
    print(f"{args.small} x 1 KiB objects; one {size >> 20} MiB object in {size // PART} x 8 MiB parts")
    head = f"{'backend':<26}{'PUT/s':>9}{'GET/s':>9}{'MP up MiB/s':>13}{'read MiB/s':>12}"
    print(f"{head}   ratios vs local (PUT, GET, MP up)")
    for name, put, get, up, down in rows:
        ratios = f"{put / base[1]:.2f}, {get / base[2]:.2f}, {up / base[3]:.2f}"
        print(f"{name:<26}{put:>9.0f}{get:>9.0f}{up:>13.0f}{down:>12.0f}   {ratios}")


if __name__ == "__main__":
    main()
