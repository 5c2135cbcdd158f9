"""Uploading an artifact's blobs and manifest through the server's grants, and committing the version.

Blobs go in batches of 1,000 grant requests; the server answers `present` for bytes it already has
(the collection's latest version holds them, or a HEAD found them), so a re-log uploads only what
changed. Small blobs it lacks (below PACK_BELOW) are answered `packable`: they go concatenated into
packs of about PACK_BYTES, one checksummed PUT per pack, and each entry's manifest row names its pack
and offset (a PUT per 4 KiB file cost the local server ~2 ms of CPU each; a pack of 4,000 costs one).
Other PUTs run on a pool of up to 64 threads. A blob above the multipart threshold goes in parts;
its upload id and each finished part's ETag are written to <cache>/artifacts/uploads/ as they land,
so a process killed mid-upload resumes with only the missing parts (POST .../blobs/resume).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanllmdb.artifacts.hashing import unreadable
from wanllmdb.artifacts.http import MAX_IN_FLIGHT, ArtifactHttp, quote_segment
from wanllmdb.artifacts.progress import Progress
from wanllmdb.errors import UsageError
from wanllmdb.rest import ApiError

__all__ = ["BlobUploader", "UploadStats"]

# A file to upload, as a str where there are many: a Path per file of 10k cost more than its PUT.
LocalFile = str | os.PathLike[str]
GRANT_BATCH = 1000
# The lake aborts incomplete multipart uploads after a day (infra_cdk/lake.py): older notes are not
# resumed.
RESUME_FOR_S = 20 * 3600
GRANT_ASKS = 4
PACK_BELOW = 1 << 20
PACK_BYTES = 8 << 20
PACK_FILES = 8192
# Packs are built in memory: this many at once bounds it (4 x 16 MiB).
PACK_THREADS = 4


@dataclass
class UploadStats:
    files: int = 0  # blobs PUT (a multipart blob counts once)
    bytes: int = 0
    present: int = 0  # blobs the server already had
    parts: int = 0
    uploaded: list[str] = field(default_factory=list)  # sha256 of each blob sent
    packs: int = 0
    # sha256 → (pack, offset) of every packed blob, sent now or found packed already
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class _Multipart:
    sha256: str
    size: int
    upload_id: str
    part_size: int
    etags: dict[int, str]


class BlobUploader:
    def __init__(
        self,
        http: ArtifactHttp,
        project_ref: str,
        *,
        state_dir: Path | None,
        multipart_bytes: int = 64 << 20,
        threads: int = MAX_IN_FLIGHT,
        pack_below: int = PACK_BELOW,
        on_sent: Callable[[list[str]], object] | None = None,
    ) -> None:
        self.http = http
        self.project_ref = project_ref
        self.base = f"/projects/{quote_segment(project_ref)}/artifacts"
        self.state_dir = state_dir
        self.multipart_bytes = multipart_bytes
        self.threads = max(1, min(threads, MAX_IN_FLIGHT))
        self.pack_below = pack_below
        # Told the sha256s of blobs once their bytes are in the lake, on the uploading thread (the
        # cache links those files in while later uploads still run).
        self.on_sent = on_sent
        self._lock = threading.Lock()

    # -- blobs ---------------------------------------------------------------------------------------
    def upload(
        self,
        blobs: Mapping[str, tuple[LocalFile, int]],
        *,
        collection: str | None,
        progress: Progress | None = None,
    ) -> UploadStats:
        """PUT every blob (sha256 → (file, size)) the server does not have yet."""
        stats = UploadStats()
        shas = list(blobs)  # the entries' order: a pack holds neighbouring files, read together later
        multiparts: list[tuple[_Multipart, LocalFile, list[Future[None]]]] = []
        futures: list[Future[Any]] = []
        batches = [shas[i : i + GRANT_BATCH] for i in range(0, len(shas), GRANT_BATCH)]

        def ask(batch: list[str]) -> list[dict[str, Any]]:
            body: dict[str, Any] = {
                "items": [{"sha256": s, "size": blobs[s][1]} for s in batch],
                "multipart_threshold": self.multipart_bytes,
                "pack_below": self.pack_below,
            }
            if collection is not None:
                body["collection"] = collection
            return list(self.http.api("POST", f"{self.base}/blobs", body)["items"])

        # Grants are asked for up to GRANT_ASKS batches ahead while the PUTs of earlier ones run, and
        # no further: a grant lives grant_ttl_s (15 min), and 100k PUTs can take longer than that.
        packing: list[str] = []
        packed_bytes = 0

        def send_pack() -> None:
            nonlocal packing, packed_bytes
            if packing:
                futures.append(packers.submit(self._put_pack, packing, blobs, stats, progress))
            packing, packed_bytes = [], 0

        with (
            ThreadPoolExecutor(self.threads, thread_name_prefix="wanllmdb-put") as pool,
            ThreadPoolExecutor(PACK_THREADS, thread_name_prefix="wanllmdb-pack") as packers,
            ThreadPoolExecutor(GRANT_ASKS, thread_name_prefix="wanllmdb-grant") as asking,
        ):
            asked = [asking.submit(ask, batch) for batch in batches[:GRANT_ASKS]]
            for i in range(len(batches)):
                if i + GRANT_ASKS < len(batches):
                    asked.append(asking.submit(ask, batches[i + GRANT_ASKS]))
                backlog = [f for f in futures if not f.done()]
                if len(backlog) > 2 * GRANT_BATCH:
                    wait(backlog[: len(backlog) - GRANT_BATCH])
                for grant in asked[i].result():
                    sha = grant["sha256"]
                    path, size = blobs[sha]
                    if grant["present"]:
                        if grant.get("pack"):
                            stats.locations[sha] = (grant["pack"], int(grant["offset"]))
                        if size > self.multipart_bytes:
                            self._forget(sha)  # finished by a process that died before it could
                        stats.present += 1
                        if progress is not None:
                            progress.add(size, files=1)
                        continue
                    stats.files += 1
                    stats.bytes += size
                    stats.uploaded.append(sha)
                    if grant.get("packable"):
                        if packing and (packed_bytes + size > PACK_BYTES or len(packing) >= PACK_FILES):
                            send_pack()
                        packing.append(sha)
                        packed_bytes += size
                    elif grant.get("upload_id"):
                        job = self._start_multipart(grant, size)
                        parts = self._submit_parts(pool, job, path, grant["parts"], stats, progress)
                        multiparts.append((job, path, parts))
                        futures += parts
                    else:
                        futures.append(pool.submit(self._put_one, grant, path, size, progress))
            send_pack()
            done, _ = wait(futures)
            for f in done:
                f.result()  # the first failure raises here, naming its blob
        for job, _path, _parts in multiparts:
            self._complete(job)
            self._sent([job.sha256])
        return stats

    def _put_pack(
        self,
        members: list[str],
        blobs: Mapping[str, tuple[LocalFile, int]],
        stats: UploadStats,
        progress: Progress | None,
    ) -> None:
        """Concatenate `members`, PUT the pack unless the lake has it, and note where each one went.
        A file that changed since it was hashed is caught by its size here, and by its SHA-256 at
        commit, where the server checks every member of a new pack and names the file."""
        body = bytearray()
        offsets: dict[str, int] = {}
        for sha in members:
            path, size = blobs[sha]
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise unreadable(path, exc) from None
            if len(data) != size:
                raise UsageError(
                    f"artifact file {str(path)!r} changed while it was being logged; log it again"
                )
            offsets[sha] = len(body)
            body += data
        pack = hashlib.sha256(body).hexdigest()
        grant = self.http.api("POST", f"{self.base}/packs", {"sha256": pack, "size": len(body)})
        if not grant["present"]:
            self.http.put_bytes(grant["url"], grant.get("headers") or {}, bytes(body))
        with self._lock:
            stats.packs += 1
            stats.locations.update((sha, (pack, at)) for sha, at in offsets.items())
        self._sent(members)
        if progress is not None:
            progress.add(len(body), files=len(members))

    def _put_one(self, grant: dict[str, Any], path: LocalFile, size: int, progress: Progress | None) -> None:
        self.http.put_file(grant["url"], grant.get("headers") or {}, path, length=size)
        self._sent([grant["sha256"]])
        if progress is not None:
            progress.add(size, files=1)

    def _sent(self, shas: list[str]) -> None:
        if self.on_sent is not None:
            self.on_sent(shas)

    # -- multipart -----------------------------------------------------------------------------------
    def _state_path(self, sha256: str) -> Path | None:
        if self.state_dir is None:
            return None
        safe = hashlib.sha256(f"{self.http.base_url}|{self.project_ref}".encode()).hexdigest()[:16]
        return self.state_dir / f"{safe}-{sha256}.json"

    def _load(self, sha256: str, size: int) -> _Multipart | None:
        path = self._state_path(sha256)
        if path is None or not path.exists():
            return None
        if path.stat().st_mtime < time.time() - RESUME_FOR_S:  # the lake has aborted it by now
            self._forget(sha256)
            return None
        try:
            raw = json.loads(path.read_text())
            job = _Multipart(
                sha256,
                int(raw["size"]),
                raw["upload_id"],
                int(raw["part_size"]),
                {int(k): v for k, v in raw["etags"].items()},
            )
        except (OSError, ValueError, KeyError):
            return None
        return job if job.size == size else None

    def _save(self, job: _Multipart) -> None:
        path = self._state_path(job.sha256)
        if path is None:
            return
        with self._lock:
            text = json.dumps(
                {
                    "size": job.size,
                    "upload_id": job.upload_id,
                    "part_size": job.part_size,
                    "etags": {str(k): v for k, v in sorted(job.etags.items())},
                }
            )
            tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_text(text)
            os.replace(tmp, path)

    def _forget(self, sha256: str) -> None:
        path = self._state_path(sha256)
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _start_multipart(self, grant: dict[str, Any], size: int) -> _Multipart:
        """The upload to continue: the one a killed process left (its remaining parts re-granted), or
        the fresh one this grant opened."""
        sha = grant["sha256"]
        old = self._load(sha, size)
        if old is not None:
            total = -(-size // old.part_size)
            missing = [n for n in range(1, total + 1) if n not in old.etags]
            try:
                grant["parts"] = self._regrant(old, missing)
            except ApiError:
                self._forget(sha)  # the store no longer knows that upload: start over
            else:
                return old
        job = _Multipart(sha, size, grant["upload_id"], int(grant["parts"][0]["size"]), {})
        self._save(job)
        return job

    def _submit_parts(
        self,
        pool: ThreadPoolExecutor,
        job: _Multipart,
        path: LocalFile,
        parts: list[dict[str, Any]],
        stats: UploadStats,
        progress: Progress | None,
    ) -> list[Future[None]]:
        if progress is not None:
            progress.add(sum(min(job.part_size, job.size - (n - 1) * job.part_size) for n in job.etags))

        def put(part: dict[str, Any]) -> None:
            n = int(part["part_number"])
            window = {"offset": (n - 1) * job.part_size, "length": int(part["size"])}
            try:
                etag = self.http.put_file(part["url"], {}, path, **window)
            except ApiError as exc:
                if exc.status == 404:  # the store no longer has this upload: the next try starts afresh
                    self._forget(job.sha256)
                if exc.status != 403:
                    raise
                # The part's URL expired while earlier parts of a long upload went: ask for a fresh one.
                fresh = self._regrant(job, [n])[0]
                etag = self.http.put_file(fresh["url"], {}, path, **window)
            with self._lock:
                job.etags[n] = etag
                stats.parts += 1
            self._save(job)
            if progress is not None:
                progress.add(int(part["size"]))

        return [pool.submit(put, part) for part in parts if int(part["part_number"]) not in job.etags]

    def _regrant(self, job: _Multipart, numbers: list[int]) -> list[dict[str, Any]]:
        body = {
            "sha256": job.sha256,
            "size": job.size,
            "upload_id": job.upload_id,
            "part_size": job.part_size,
            "parts": numbers,
        }
        return list(self.http.api("POST", f"{self.base}/blobs/resume", body)["parts"])

    def _complete(self, job: _Multipart) -> None:
        parts = [[n, job.etags[n]] for n in sorted(job.etags)]
        self.http.api(
            "POST",
            f"{self.base}/blobs/complete",
            {"sha256": job.sha256, "upload_id": job.upload_id, "parts": parts},
        )
        self._forget(job.sha256)

    # -- manifest and commit -------------------------------------------------------------------------
    def upload_manifest(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        grant = self.http.api("POST", f"{self.base}/manifests", {"sha256": sha, "size": len(data)})
        if not grant["present"]:
            self.http.put_bytes(grant["url"], grant.get("headers") or {}, data)
        return sha

    def commit(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.http.api("POST", self.base, body))
