"""Throttling at scale (issue 22, part 1): 16 runs log through a `wanllmdb server` on the aws backend while
moto refuses 10% of S3 calls with `503 SlowDown` (the server's own boto3 calls and the SDK's presigned
PUTs alike) and 10% of DynamoDB calls with `ProvisionedThroughputExceededException` or
`ThrottlingException` (tests/aws_faults.py). The functions ride it out with botocore's standard retries
(adapters/aws_retries.py), the SDK with its own backoff; every run finishes, and the lake holds every
(step, key) exactly once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.aws_faults import faulty_moto
from tests.conftest import aws_backend_env, created_aws_stores, start_local_server
from tests.lake_rows import count_rows
from tests.sdk.conftest import sdk_env
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports.blob_store import BlobStore

pytestmark = pytest.mark.slow

RUNS = 16
STEPS = 1500
KEYS = [f"m{i}" for i in range(5)]  # what tests/sdk/train_script.py logs
SCRIPT = Path(__file__).parents[1] / "sdk" / "train_script.py"
TABLE, BUCKET, REGION = "wanllmdb-faults", "wanllmdb-faults-lake", "us-east-1"


def test_sixteen_runs_finish_exactly_once_while_10_percent_of_aws_calls_are_throttled(tmp_path: Path) -> None:
    with faulty_moto() as moto:
        items, blobs = created_aws_stores(moto.endpoint, table=TABLE, bucket=BUCKET, region=REGION)
        user = UserService(items).create("faults", password=None)
        key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "faults").key
        env = aws_backend_env(
            moto.endpoint,
            table=TABLE,
            bucket=BUCKET,
            region=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        server = start_local_server(tmp_path / "data", env=env)
        try:
            moto.set_rate(0.10, seed=22)
            spools = [tmp_path / f"spool{i}" for i in range(RUNS)]
            procs = [
                subprocess.Popen(
                    [
                        sys.executable,
                        str(SCRIPT),
                        str(STEPS),
                        "0.001",
                        str(tmp_path / f"p{i}"),
                        "online",
                        "90",
                    ],
                    env=sdk_env(server.url, key, spool),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for i, spool in enumerate(spools)
            ]
            run_ids = []
            for proc in procs:
                out, err = proc.communicate(timeout=400)
                assert proc.returncode == 0, err
                assert "FINISHED synced=True" in out, out + err
                run_ids.append(out.split("RUN_ID ", 1)[1].split()[0])
            stats = moto.stats()
            # The faults happened where they matter: presigned PUTs, the server's S3 and DynamoDB calls.
            faults = stats["faults"]
            assert faults.get("s3:PutObject (presigned)", 0) >= 5, stats
            assert sum(n for op, n in faults.items() if op.startswith("dynamodb:")) >= 20, stats
            assert sum(n for op, n in faults.items() if op.startswith("s3:") and "presigned" not in op) >= 5

            moto.set_rate(0.0)  # reading back is not under test
            headers = {"Authorization": f"Bearer {key}"}
            for run_id in run_ids:
                run = httpx.get(f"{server.url}/api/runs/{run_id}", headers=headers, timeout=30).json()
                assert run["state"] == "finished", run
                lake = count_rows(blobs, run["project_id"], run_id)
                assert lake.lost(range(STEPS), KEYS) == 0, f"run {run_id} lost rows"
                assert lake.duplicated == 0 and lake.rows == STEPS * len(KEYS) == lake.distinct
            _wait_compacted(blobs, run_ids, {r: _project(server.url, headers, r) for r in run_ids})
        finally:
            server.stop()


def _project(url: str, headers: dict[str, str], run_id: str) -> str:
    return str(httpx.get(f"{url}/api/runs/{run_id}", headers=headers, timeout=30).json()["project_id"])


def _wait_compacted(
    blobs: BlobStore, run_ids: list[str], projects: dict[str, str], timeout_s: float = 60
) -> None:
    """Compaction on finish ran through the same throttles: each run ends as one compacted file."""
    deadline = time.monotonic() + timeout_s
    left = set(run_ids)
    while left and time.monotonic() < deadline:
        for run_id in sorted(left):
            visible = list_stream(blobs, projects[run_id], run_id, "history")
            if len(visible.compacted) == 1 and not visible.chunks:
                left.discard(run_id)
        time.sleep(0.5)
    assert not left, f"runs not compacted under throttling: {sorted(left)}"
