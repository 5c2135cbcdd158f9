"""Seeds a running server with artifact versions for the artifact browser's browser test.

Versions are logged through the HTTP contract (upload grants, a Parquet manifest, the commit), with
tests/functions/artifacts/client.py's manifest builder, so the test does not wait on the SDK:

- `dataset` (type dataset): v0 and v1 by the run `producer`. Both hold README.md, data/labels.csv,
  data/table.parquet, images/red.png, images/logo.svg and notes/a.txt; v1 changes notes/a.txt only
  (one file, 10 bytes longer) and carries the alias `best`. Its small files travel in a pack, as the
  SDK sends them, so every preview reads a window of a pack; `big` has a blob per distinct file.
- the run `consumer` uses dataset:v1 and logs `model` v0 (type model): lineage producer → dataset:v1
  → consumer → model:v0.
- `big` (type dataset): v0 with `--big` files (20,000 by default) in images/class-NN/ folders of
  1,000, whose bytes repeat every 50 files (50 blobs to upload, 20,000 entries to browse).

The last line on stdout is JSON like seed.py's, with the run ids and the big version's file count.

    python tests/web_e2e/seed_artifacts.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import session_token  # noqa: E402

from tests.functions.artifacts.client import ArtifactClient  # noqa: E402
from tests.functions.query.media_lake import png_bytes  # noqa: E402

GRANT_BATCH = 1000  # MAX_BLOBS_PER_REQUEST
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="#2f80ed"/><script>parent.document.title="pwned"</script></svg>'
)


def parquet_bytes() -> bytes:
    """200 rows of id, label, score; the preview shows the first 50."""
    table = pa.table(
        {
            "id": pa.array(range(200), pa.int64()),
            "label": pa.array([f"class-{i % 3}" for i in range(200)]),
            "score": pa.array([i / 200 for i in range(200)], pa.float64()),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def dataset_files(note: str) -> dict[str, bytes]:
    return {
        "README.md": b"# e2e dataset\n\n<b>not bold</b> is shown as text.\n",
        "data/labels.csv": b'id,label,note\n1,cat,"a, quoted"\n2,dog,plain\n3,bird,last\n',
        "data/table.parquet": parquet_bytes(),
        "images/red.png": png_bytes(32, 24, (220, 30, 30)),
        "images/logo.svg": SVG,
        "notes/a.txt": note.encode(),
    }


def log_version(
    client: ArtifactClient, name: str, files: dict[str, bytes], *, type: str, **extra: Any
) -> dict[str, Any]:
    """ArtifactClient.log for any number of files: grants in batches of the route's most, each
    distinct blob once."""
    base = f"/projects/{client.project}/artifacts"
    blobs = {hashlib.sha256(d).hexdigest(): d for d in files.values()}
    shas = list(blobs)
    for i in range(0, len(shas), GRANT_BATCH):
        items = [{"sha256": s, "size": len(blobs[s])} for s in shas[i : i + GRANT_BATCH]]
        grants = client.call("POST", f"{base}/blobs", json={"items": items, "collection": name})
        grants.raise_for_status()
        for grant in grants.json()["items"]:
            if not grant["present"]:
                data = blobs[grant["sha256"]]
                httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=60).raise_for_status()
    manifest, digest = client.manifest(files)
    sha = hashlib.sha256(manifest).hexdigest()
    grant = client.call("POST", f"{base}/manifests", json={"sha256": sha, "size": len(manifest)})
    grant.raise_for_status()
    if not grant.json()["present"]:
        g = grant.json()
        httpx.put(g["url"], content=manifest, headers=g["headers"], timeout=60).raise_for_status()
    body = {"name": name, "type": type, "manifest_sha256": sha, "digest": digest, **extra}
    r = client.call("POST", base, json=body)
    r.raise_for_status()
    return dict(r.json())


def big_files(count: int) -> dict[str, bytes]:
    return {
        f"images/class-{i // 1000:02d}/img-{i:05d}.txt": f"sample {i % 50}\n".encode() for i in range(count)
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="e2e-artifacts")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="artifacts-e2e")
    ap.add_argument("--big", type=int, default=20_000, help="files in the `big` version (0: none)")
    args = ap.parse_args()
    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    http = httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    project = http.post("/api/projects", json={"name": args.project}).raise_for_status().json()
    pid = project["id"]
    runs = []
    for run_id, name in (("r-producer", "producer"), ("r-consumer", "consumer")):
        http.post(f"/api/projects/{pid}/runs", json={"id": run_id, "name": name}).raise_for_status()
        runs.append({"id": run_id, "name": name, "config": {}})
    client = ArtifactClient(base=f"{args.url}/api", key=token, project=pid)
    meta = {"source": "e2e", "split": {"train": 0.8, "test": 0.2}, "classes": ["cat", "dog", "bird"]}
    about = "Labels, a table and images for the browser test."
    packed = 1 << 20  # the SDK's pack_below
    for note, aliases in (("first note\n", []), ("second note, longer\n", ["best"])):
        client.log(
            "dataset",
            dataset_files(note),
            type="dataset",
            run_id="r-producer",
            metadata=meta,
            description=about,
            aliases=aliases,
            pack_below=packed,
        ).raise_for_status()
    used = http.post("/api/runs/r-consumer/artifacts/used", json={"artifact": "dataset:v1"})
    used.raise_for_status()
    log_version(client, "model", {"model.bin": bytes(range(256)) * 4}, type="model", run_id="r-consumer")
    if args.big:
        log_version(client, "big", big_files(args.big), type="dataset")
    seeded = {"entity": project["entity"], "project": args.project, "username": args.username,
              "password": args.password, "runs": runs, "big": args.big}  # fmt: skip
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
