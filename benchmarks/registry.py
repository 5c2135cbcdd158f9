"""Model registry latency on a local server: resolving `registry/model:production` and approving a
request, each against a baseline measured in the same run.

    python benchmarks/registry.py [--n 200]

  resolve   Api().artifact("wandb-registry-model/<model>:production") (one GET of the registered version)
            against Api().artifact("<entity>/<project>/<name>:production"), the same bytes' artifact
            version read from its project: what a registry adds over the artifact it links.
  approve   POST …/requests/{id}/approve of a Production request (one transaction: the request's close,
            the stage move, the displaced version's archive, the audit and timeline lines) against
            POST …/versions/{vN}/aliases of a free alias on the same model (one conditional write).
p50 and p95 in ms, and the ratio of p50s. Each call is a real HTTP request from this process.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "sdk"))

from benchmarks._server import percentile  # noqa: E402
from tests.conftest import start_local_server  # noqa: E402
from tests.functions.registry.conftest import acme_scenario  # noqa: E402


def sample(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ours: list[float], base: list[float], base_name: str) -> None:
    p50, p95 = percentile(ours, 50), percentile(ours, 95)
    b50, b95 = percentile(base, 50), percentile(base, 95)
    print(
        f"{name:8s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  | {base_name}: p50 {b50:6.2f} ms  "
        f"p95 {b95:6.2f} ms  | ratio(p50) {p50 / b50:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        server = start_local_server(Path(tmp) / "data")
        try:
            acme = acme_scenario(server)
            base = f"/registries/{acme.registry}"
            for i in range(2):
                version = acme.model_artifact(
                    "net", f"weights {i}".encode(), aliases=["production"] if i == 0 else []
                )
                assert acme.link(acme.admin, "net", f"net:{version['version']}").status_code == 201
            acme.admin.request("POST", f"{base}/models/net/versions/v0/stage", json={"stage": "Production"})

            os.environ.update(
                WANLLMDB_BASE_URL=server.url, WANLLMDB_API_KEY=acme.admin.token, WANLLMDB_SILENT="true"
            )
            import wanllmdb

            api = wanllmdb.Api()
            project = acme.admin.request("GET", f"/projects/{acme.project}").json()
            artifact_path = f"{project['entity']}/{project['name']}/net:production"
            registry_path = f"{acme.org}/wandb-registry-model/net:production"
            assert api.artifact(registry_path).version == "v0"
            ours = sample(lambda: api.artifact(registry_path), args.n)
            base_line = sample(lambda: api.artifact(artifact_path), args.n)
            report("resolve", ours, base_line, "artifact")

            approvals: list[float] = []
            aliases: list[float] = []
            with acme.admin.http as admin, acme.member.http as member:
                for i in range(args.n):
                    target = f"v{(i + 1) % 2}"
                    ask = {"model": "net", "version": target, "stage": "Production"}
                    request = member.post(f"/api{base}/requests", json=ask).json()
                    t0 = time.perf_counter()
                    answer = admin.post(f"/api{base}/requests/{request['id']}/approve", json={})
                    approvals.append((time.perf_counter() - t0) * 1000)
                    assert answer.status_code == 200, answer.text
                    t0 = time.perf_counter()
                    moved = admin.post(
                        f"/api{base}/models/net/versions/{target}/aliases", json={"add": ["champion"]}
                    )
                    aliases.append((time.perf_counter() - t0) * 1000)
                    assert moved.status_code == 200, moved.text
            report("approve", approvals, aliases, "alias move")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
