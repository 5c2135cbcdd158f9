"""A minimal artifact uploader over the HTTP contract (the SDK's job, done plainly for the server's tests)."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb_functions.artifacts.manifest import wandb_digest


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@dataclass
class ArtifactClient:
    base: str  # http://host:port/api
    key: str
    project: str
    puts: list[str] = field(default_factory=list)  # sha256 of every blob PUT

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.base}{path}", headers=self.headers, timeout=60, **kw)

    def manifest(self, files: dict[str, bytes]) -> tuple[bytes, str]:
        paths = sorted(files)
        rows = {
            "path": paths,
            "digest": [md5_b64(files[p]) for p in paths],
            "size": [len(files[p]) for p in paths],
            "sha256": [hashlib.sha256(files[p]).hexdigest() for p in paths],
            "ref": [None] * len(paths),
            "birth_artifact": [None] * len(paths),
            "extra": [None] * len(paths),
        }
        types = {"path": pa.string(), "digest": pa.string(), "size": pa.int64(), "sha256": pa.string(),
                 "ref": pa.string(), "birth_artifact": pa.string(), "extra": pa.string()}  # fmt: skip
        table = pa.table({k: pa.array(v, types[k]) for k, v in rows.items()})
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue(), wandb_digest(rows["path"], rows["digest"])

    def log(
        self, name: str, files: dict[str, bytes], *, type: str = "dataset", **extra: Any
    ) -> httpx.Response:
        items = [{"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for d in files.values()]
        base = f"/projects/{self.project}/artifacts"
        if items:
            grants = self.call("POST", f"{base}/blobs", json={"items": items, "collection": name})
            assert grants.status_code == 200, grants.text
            by_sha = {hashlib.sha256(d).hexdigest(): d for d in files.values()}
            for grant in grants.json()["items"]:
                if grant["present"]:
                    continue
                data = by_sha[grant["sha256"]]
                put = httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=60)
                assert put.status_code < 300, put.text
                self.puts.append(grant["sha256"])
        manifest, digest = self.manifest(files)
        sha = hashlib.sha256(manifest).hexdigest()
        grant = self.call("POST", f"{base}/manifests", json={"sha256": sha, "size": len(manifest)}).json()
        if not grant["present"]:
            assert httpx.put(grant["url"], content=manifest, headers=grant["headers"]).status_code < 300
        body = {"name": name, "type": type, "manifest_sha256": sha, "digest": digest, **extra}
        return self.call("POST", base, json=body)
