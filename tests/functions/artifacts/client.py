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
    packs: list[bytes] = field(default_factory=list)  # every pack PUT

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.base}{path}", headers=self.headers, timeout=60, **kw)

    def manifest(
        self, files: dict[str, bytes], where: dict[str, tuple[str, int]] | None = None
    ) -> tuple[bytes, str]:
        """The Parquet manifest of `files`; without `where` (sha256 → (pack, offset)) it is a
        version-1 manifest, with no pack or offset columns, as older SDKs wrote them."""
        paths = sorted(files)
        rows: dict[str, list[Any]] = {
            "path": paths,
            "digest": [md5_b64(files[p]) for p in paths],
            "size": [len(files[p]) for p in paths],
            "sha256": [hashlib.sha256(files[p]).hexdigest() for p in paths],
            "ref": [None] * len(paths),
            "birth_artifact": [None] * len(paths),
            "extra": [None] * len(paths),
        }
        types = {"path": pa.string(), "digest": pa.string(), "size": pa.int64(), "sha256": pa.string(),
                 "ref": pa.string(), "birth_artifact": pa.string(), "extra": pa.string(),
                 "pack": pa.string(), "offset": pa.int64()}  # fmt: skip
        if where is not None:
            located = [where.get(sha) for sha in rows["sha256"]]
            rows["pack"] = [w[0] if w else None for w in located]
            rows["offset"] = [w[1] if w else None for w in located]
        table = pa.table({k: pa.array(v, types[k]) for k, v in rows.items()})
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue(), wandb_digest(rows["path"], rows["digest"])

    def log(
        self,
        name: str,
        files: dict[str, bytes],
        *,
        type: str = "dataset",
        pack_below: int | None = None,
        **extra: Any,
    ) -> httpx.Response:
        """Upload and commit `files`; with `pack_below`, blobs answered `packable` go in one pack."""
        items = [{"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for d in files.values()]
        base = f"/projects/{self.project}/artifacts"
        where: dict[str, tuple[str, int]] | None = None if pack_below is None else {}
        if items:
            ask: dict[str, Any] = {"items": items, "collection": name}
            if pack_below is not None:
                ask["pack_below"] = pack_below
            grants = self.call("POST", f"{base}/blobs", json=ask)
            assert grants.status_code == 200, grants.text
            by_sha = {hashlib.sha256(d).hexdigest(): d for d in files.values()}
            pack = bytearray()
            for grant in grants.json()["items"]:
                if where is not None and grant.get("pack"):
                    where[grant["sha256"]] = (grant["pack"], grant["offset"])
                if grant["present"]:
                    continue
                if grant.get("packable"):
                    assert where is not None
                    where[grant["sha256"]] = ("", len(pack))
                    pack += by_sha[grant["sha256"]]
                    continue
                data = by_sha[grant["sha256"]]
                put = httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=60)
                assert put.status_code < 300, put.text
                self.puts.append(grant["sha256"])
            if pack:
                self.put_pack(bytes(pack))
                sha = hashlib.sha256(pack).hexdigest()
                assert where is not None
                where.update({k: (sha, at) for k, (p, at) in where.items() if p == ""})
        return self.commit(name, files, where, type=type, **extra)

    def commit(
        self,
        name: str,
        files: dict[str, bytes],
        where: dict[str, tuple[str, int]] | None = None,
        *,
        type: str = "dataset",
        **extra: Any,
    ) -> httpx.Response:
        """Upload the manifest of `files` (packed ones at `where`) and commit it as a version."""
        base = f"/projects/{self.project}/artifacts"
        manifest, digest = self.manifest(files, where)
        sha = hashlib.sha256(manifest).hexdigest()
        grant = self.call("POST", f"{base}/manifests", json={"sha256": sha, "size": len(manifest)}).json()
        if not grant["present"]:
            assert httpx.put(grant["url"], content=manifest, headers=grant["headers"]).status_code < 300
        body = {"name": name, "type": type, "manifest_sha256": sha, "digest": digest, **extra}
        return self.call("POST", base, json=body)

    def put_pack(self, pack: bytes) -> None:
        sha = hashlib.sha256(pack).hexdigest()
        base = f"/projects/{self.project}/artifacts"
        grant = self.call("POST", f"{base}/packs", json={"sha256": sha, "size": len(pack)}).json()
        if not grant["present"]:
            put = httpx.put(grant["url"], content=pack, headers=grant["headers"], timeout=60)
            assert put.status_code < 300, put.text
            self.packs.append(pack)
