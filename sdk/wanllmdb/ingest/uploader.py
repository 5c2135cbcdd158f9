"""Draining a run's spool to the server: metadata ops in order, then chunks and files through grants.

One class serves both the live run (its background thread calls ``drain`` every flush) and
``wanllmdb sync`` (which calls it once per run dir). Every step is idempotent: chunk keys are
deterministic, config/summary patches merge, a create of an existing run is recognised, so replaying
a spool twice changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import random
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from wanllmdb.ingest.spool import RunDir, is_disk_full, parse_chunk_name, sha256_file, sha256_stream
from wanllmdb.rest import ApiError, RestClient, Transient, call_with_retry

__all__ = ["Blob", "SpoolUploader"]

log = logging.getLogger("wanllmdb")

_TERMINAL = ("finished", "failed", "crashed")
_CHUNK_KINDS = ("history", "system", "logs")
_PUT_TRIES = 4  # per PUT, on its grant; then the batch's retry (with backoff) grants again


@dataclass(frozen=True)
class Blob:
    kind: str  # history | system | logs | file | media
    name: str  # chunk file name, or run-relative file path (file), or path under the media prefix (media)
    sha256: str = ""  # known up front for files (that is how a changed file is noticed)

    def item(self, rd: RunDir) -> tuple[dict[str, Any], BinaryIO, str]:
        """The grant request for this blob, the open file its PUT streams from, and its digest. The
        digest and the PUT read one open file: a run file replaced meanwhile (config.yaml is rewritten
        by rename whenever the config changes) is still sent as the bytes that were hashed. The caller
        closes the file."""
        path = {"file": rd.files, "media": rd.media}.get(self.kind, rd.chunks) / self.name
        body = path.open("rb")
        try:
            sha, size = sha256_stream(body)
            body.seek(0)
        except BaseException:
            body.close()
            raise
        item: dict[str, Any] = {"kind": self.kind, "size": size, "sha256": sha}
        if self.kind in ("file", "media"):
            item["path"] = self.name
            item["content_type"] = mimetypes.guess_type(self.name)[0] or "application/octet-stream"
        else:
            _, attempt, seq = parse_chunk_name(self.name)
            item["seq"] = seq
            item["attempt"] = attempt
        return item, body, sha


class SpoolUploader:
    """Pushes one run dir's spool to the server: once (``drain``, for sync) or live (``start``/``stop``).

    Threads and locking, all owned here: a live run has an upload thread (``drain`` whenever woken, and
    every ``interval_s``) and a heartbeat thread. ``_lock`` guards the bookkeeping of what is done or
    refused, read by ``pending_*`` from any thread (``finish()`` polls ``pending_count``); it is never held
    across a network call or a file read. ``stop()`` ends the threads and any backoff in progress.
    """

    def __init__(
        self,
        rd: RunDir,
        client: RestClient,
        *,
        batch: int = 100,
        put_workers: int = 1,
        max_backoff_s: float = 30.0,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.rd = rd
        self.client = client
        self.batch = batch
        self.put_workers = put_workers
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.max_backoff_s = max_backoff_s
        self.on_progress = on_progress
        record = rd.read_record()
        self.run_id: str = record["id"]
        self.project_id: str | None = record.get("project_id")
        self.attempt: int = int(record.get("attempt", 0))
        self.run: dict[str, Any] | None = None
        self.refused = False  # a 401/403: no point retrying until the user fixes the key
        self._ops_done, self._chunks_done, self._files_done = rd.done()
        self._media_done = rd.media_done()
        self._skipped: set[str] = set()  # refused with a 4xx: left for sync (files: "path@sha256")
        self._digests: dict[str, tuple[int, int, str]] = {}  # file → (mtime_ns, size, sha256)
        self.reopened = False  # sync had to resume a closed run to upload; it then sets the final state
        self.create_refused = False  # the server refused the run's create: this spool has no run to go to
        self.refusal_note = "left for `wanllmdb sync`"  # what a refused op becomes; sync says otherwise

    # -- a live run: the background threads ---------------------------------------------------------------
    def start(self, *, interval_s: float, heartbeat_interval_s: float) -> None:
        """Upload in the background: whenever ``wake()`` is called, and every ``interval_s`` regardless."""
        loops = (
            (self._upload_loop, "uploader", interval_s),
            (self._heartbeat_loop, "heartbeat", heartbeat_interval_s),
        )
        for target, name, every in loops:
            thread = threading.Thread(target=target, args=(every,), name=f"wanllmdb-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def wake(self) -> None:
        """Something new is in the spool: upload it now rather than at the next interval."""
        self._wake.set()

    def heartbeat(self) -> None:
        """Tell the server the run is alive; a missed heartbeat is harmless (the next one comes)."""
        with contextlib.suppress(Exception):
            self.client.heartbeat(self.run_id, project_id=self.project_id)

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """End the threads, and any retry backoff in progress; what is left stays in the spool for sync."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout_s)

    def _upload_loop(self, interval_s: float) -> None:
        while not self._stop.is_set():
            self._wake.wait(interval_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.drain()
            except Transient:
                pass  # only raised once stop is set; the spool keeps everything for sync
            except Exception as exc:
                log.warning("wanllmdb: upload error (%s: %s); will retry", type(exc).__name__, exc)
                self._stop.wait(1.0)

    def _heartbeat_loop(self, interval_s: float) -> None:
        # Its own thread: a long upload must not starve heartbeats, or the server would mark the run crashed.
        while not self._stop.wait(interval_s):
            self.heartbeat()

    # -- what is left ---------------------------------------------------------------------------------
    def pending_ops(self) -> list[dict[str, Any]]:
        ops = self.rd.read_ops()
        with self._lock:
            return [o for o in ops if o["n"] not in self._ops_done and str(o["n"]) not in self._skipped]

    def pending_blobs(self) -> list[Blob]:
        """Media objects first (a chunk's rows mostly land after the objects they name), chunks, files."""
        media = self.rd.media_paths()
        names = self.rd.chunk_names()
        files = [(path, self._digest(path)) for path in self.rd.file_paths()]
        with self._lock:
            blobs = [
                Blob("media", path)
                for path in media
                if path not in self._media_done and f"media:{path}" not in self._skipped
            ]
            blobs += [
                Blob(parse_chunk_name(n)[0], n)
                for n in names
                if n not in self._chunks_done and n not in self._skipped
            ]
            blobs += [
                Blob("file", path, sha)
                for path, sha in files
                if sha and self._files_done.get(path) != sha and f"{path}@{sha}" not in self._skipped
            ]
        return blobs

    def _digest(self, path: str) -> str:
        """sha256 of a run file, recomputed only when its size or mtime moved (checkpoints are big)."""
        try:
            st = (self.rd.files / path).stat()
        except OSError:
            return ""
        cached = self._digests.get(path)
        if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
            return cached[2]
        sha, _ = sha256_file(self.rd.files / path)
        self._digests[path] = (st.st_mtime_ns, st.st_size, sha)
        return sha

    @property
    def skipped(self) -> set[str]:
        """What the server refused (op numbers, chunk names, "path@sha256"); this uploader won't resend it."""
        with self._lock:
            return set(self._skipped)

    def pending_count(self) -> int:
        return len(self.pending_ops()) + len(self.pending_blobs())

    # -- the drain --------------------------------------------------------------------------------------
    def drain(self, *, deadline: float | None = None) -> bool:
        """Push everything pending; True when nothing is left. Raises Transient when the server is away."""
        if self.refused or self.create_refused:
            return False
        ops = self.pending_ops()
        for op in _coalesce_summaries([o for o in ops if o["op"] != "state"]):
            self._retry(partial(self._apply_op, op), deadline)
            if self.create_refused:
                return False  # the run itself was refused: nothing else may go to a run of that id
        blobs = self.pending_blobs()
        for start in range(0, len(blobs), self.batch):
            self._retry(partial(self._upload_left, blobs[start : start + self.batch]), deadline)
        if not self.pending_blobs():  # a closed run takes no uploads: the final state goes last
            for op in [o for o in ops if o["op"] == "state"]:
                self._retry(partial(self._apply_op, op), deadline)
        return not self.refused and self.pending_count() == 0

    def _retry(self, fn: Callable[[], None], deadline: float | None) -> None:
        if self.refused:
            return
        call_with_retry(fn, stop=self._stop, deadline=deadline, max_backoff_s=self.max_backoff_s)

    def _record(self, **entry: Any) -> None:
        """Note in the manifest that an item reached the server. On a full disk the line is skipped: this
        process goes on from its own memory, and a later sync only sends the same bytes to the same key
        again (the flusher has already warned that the disk is full)."""
        try:
            self.rd.mark_done(**entry)
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            log.debug("wanllmdb: manifest line %s not written: the disk is full", entry)

    def done_op(self, n: int) -> None:
        self._record(op=n)
        with self._lock:
            self._ops_done.add(n)

    def _apply_op(self, op: dict[str, Any]) -> None:
        n, kind, body = int(op["n"]), op["op"], op.get("body") or {}
        numbers = op.get("merged") or [n]
        try:
            if kind == "create":
                self.create(body)
            elif kind == "config":
                # Validated locally already; True keeps a replay from tripping on its own earlier patch.
                self.client.patch_config(
                    self.run_id, body["config"], allow_val_change=True, project_id=self.project_id
                )
            elif kind == "summary":
                self.client.patch_summary(self.run_id, body["summary"], project_id=self.project_id)
            elif kind in ("update", "state"):
                self._patch(body)
            elif kind == "alert":
                self.client.send_alert(self.run_id, body, project_id=self.project_id)
            else:
                log.warning("wanllmdb: skipping unknown spool op %r in %s", kind, self.rd.path)
        except ApiError as exc:
            if self._refusal(exc):
                return
            log.warning(
                "wanllmdb: server refused %s for run %s (%s); %s", kind, self.run_id, exc, self.refusal_note
            )
            with self._lock:
                self._skipped.update(str(m) for m in numbers)
            self.create_refused = self.create_refused or kind == "create"
            return
        for m in numbers:
            self.done_op(m)

    def create(self, body: dict[str, Any], *, replay: bool = True) -> dict[str, Any]:
        """Ensure the project, then create (or resume) the run; init() calls it with replay=False."""
        project = self.client.ensure_project(body["project"], body.get("entity"))
        self.project_id = str(project["id"])
        try:
            self.run = self.client.create_run(self.project_id, dict(body["run"]))
        except ApiError as exc:
            # With a resume_token the server answers a retry of our own create with 200, so a 409 means
            # another create owns this id: never adopt that run. Only spools without a token fall back.
            if exc.status != 409 or not replay or body["run"].get("resume_token"):
                raise
            # Created by an earlier try or an earlier sync.
            self.run = self.client.get_run(self.run_id, project_id=self.project_id)
        return self.run

    def _patch(self, body: dict[str, Any]) -> None:
        try:
            self.client.patch_run(self.run_id, body, project_id=self.project_id)
        except ApiError as exc:
            # Already in that terminal state (a replayed finish): nothing to do.
            if exc.status == 409 and body.get("state") in _TERMINAL:
                run = self.client.get_run(self.run_id, project_id=self.project_id)
                if run.get("state") in _TERMINAL:
                    return
                if run.get("state") == "paused":
                    raise
            raise

    def _upload_left(self, blobs: list[Blob]) -> None:
        """Upload what of ``blobs`` is still pending: a batch retried after one PUT failed sends only the
        rest. (Sending the whole batch again meant that with S3 answering 503 SlowDown to 10% of PUTs, a
        batch of 100 almost never got through in one go, and so never finished.)"""
        left = [b for b in blobs if self._left(b)]
        if left:
            self._upload(left)

    def _left(self, blob: Blob) -> bool:
        with self._lock:
            if _skip_name(blob) in self._skipped:
                return False
            if blob.kind == "file":
                return self._files_done.get(blob.name) != blob.sha256
            if blob.kind == "media":
                return blob.name not in self._media_done
            return blob.name not in self._chunks_done

    def _upload(self, blobs: list[Blob]) -> None:
        with contextlib.ExitStack() as opened:
            prepared = []
            sound = []
            for blob in blobs:
                item, body, sha = blob.item(self.rd)
                opened.enter_context(body)
                if blob.kind in _CHUNK_KINDS and self._quarantined(blob, item):
                    continue
                sound.append(blob)
                prepared.append((item, body, sha))
            if sound:
                self._upload_prepared(sound, prepared)

    def _quarantined(self, blob: Blob, item: dict[str, Any]) -> bool:
        """A chunk whose bytes differ from the checksum recorded when it was written (truncated, or
        damaged on disk) is moved aside, never uploaded: in the lake it would be rows no reader can
        parse, and compaction stops in front of a chunk it cannot read."""
        recorded = self.rd.chunk_checksum(blob.name)
        if recorded is None or recorded == (item["sha256"], item["size"]):
            return False
        where = self.rd.quarantine_chunk(blob.name)
        log.warning(
            "wanllmdb: chunk %s is damaged: it has %d bytes (sha256 %s) but was written with %d bytes "
            "(sha256 %s). Moved to %s and not uploaded; the rows in it are lost, the run's other chunks "
            "are not affected.",
            self.rd.chunks / blob.name,
            item["size"],
            item["sha256"][:16],
            recorded[1],
            recorded[0][:16],
            where,
        )
        return True  # out of chunks/, so no longer pending: a retry of the batch cannot send it

    def _upload_prepared(
        self, blobs: list[Blob], prepared: list[tuple[dict[str, Any], BinaryIO, str]]
    ) -> None:
        try:
            grants = self.client.grant_uploads(
                self.run_id, [p[0] for p in prepared], project_id=self.project_id
            )
        except ApiError as exc:
            if exc.status == 409:
                # The run left `running` (finished, or marked crashed while we were away): a resume
                # create reopens it for writes; the chunks keep the attempt they were logged under.
                self._reopen()
                grants = self.client.grant_uploads(
                    self.run_id, [p[0] for p in prepared], project_id=self.project_id
                )
            elif self._refusal(exc):
                return
            elif len(blobs) > 1:
                # The server validates a batch whole: one item it refuses (a media name it will not take)
                # must not hold back the others, so ask again one by one and skip only the refused.
                for blob in blobs:
                    self._upload([blob])
                return
            else:
                log.warning("wanllmdb: upload grant refused for run %s (%s)", self.run_id, exc)
                refused = {_skip_name(b) for b in blobs}
                with self._lock:
                    self._skipped.update(refused)
                return

        def put(i: int) -> None:
            self._put(grants[i], prepared[i][1], prepared[i][0]["size"])
            blob = blobs[i]
            if blob.kind == "file":
                self._record(file=blob.name, sha256=prepared[i][2], key=grants[i].get("key"))
                with self._lock:
                    self._files_done[blob.name] = prepared[i][2]
            elif blob.kind == "media":
                self._record(media=blob.name, key=grants[i].get("key"))
                with self._lock:
                    self._media_done.add(blob.name)
            else:
                self._record(chunk=blob.name, key=grants[i].get("key"))
                with self._lock:
                    self._chunks_done.add(blob.name)
            if self.on_progress is not None:
                self.on_progress(1)

        if self.put_workers > 1 and len(blobs) > 1:
            with ThreadPoolExecutor(self.put_workers) as pool:
                for f in [pool.submit(put, i) for i in range(len(blobs))]:
                    f.result()
        else:
            for i in range(len(blobs)):
                put(i)

    def _put(self, grant: dict[str, Any], body: BinaryIO, size: int) -> None:
        """One PUT, tried again in place (same grant) a few times when the store answers 5xx/429 (S3's
        503 SlowDown) or the connection drops; after that the batch retry asks for fresh grants."""
        tries = 0
        while True:
            try:
                self.client.put_blob(grant, body, size=size)
                return
            except Transient as exc:
                tries += 1
                if tries >= _PUT_TRIES or self._stop.is_set():
                    raise
                wait = random.uniform(0, min(self.max_backoff_s, 0.1 * 2**tries))
                if exc.retry_after is not None:
                    wait = max(wait, min(exc.retry_after, self.max_backoff_s))
                if self._stop.wait(wait):
                    raise

    def _reopen(self) -> None:
        if self.project_id is None:
            self.project_id = str(self.client.get_run(self.run_id)["project_id"])
        # One token for this reopen: a retried request must not reopen (and count an attempt) twice.
        body = {"id": self.run_id, "resume": "allow", "resume_token": secrets.token_urlsafe(16)}
        self.run = self.client.create_run(self.project_id, body)
        self.reopened = True
        self.rd.mark_done(attempt=int(self.run.get("attempt", 0)))  # an attempt this spool made: sync's check

    def _refusal(self, exc: ApiError) -> bool:
        if exc.status in (401, 403):
            if not self.refused:
                log.warning(
                    "wanllmdb: the server refused the API key (%s); data stays in %s. "
                    "Run `wanllmdb login`, then `wanllmdb sync`.",
                    exc,
                    self.rd.path,
                )
            self.refused = True
            return True
        return False


def _coalesce_summaries(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive summary ops as one: the server merges a summary patch key by key (later keys win), so
    one PATCH of the merged dict leaves the same summary as sending each. A live run has one pending
    per flush; a backlog (the server was away or slow, or `wanllmdb sync` of an offline run) had one
    PATCH per flush to send, each a run-item transaction on the server."""
    out: list[dict[str, Any]] = []
    for op in ops:
        last = out[-1] if out else None
        if op["op"] == "summary" and last is not None and last["op"] == "summary":
            merged = {**last["body"]["summary"], **((op.get("body") or {}).get("summary") or {})}
            numbers = [*(last.get("merged") or [last["n"]]), op["n"]]
            out[-1] = {"n": op["n"], "op": "summary", "body": {"summary": merged}, "merged": numbers}
        else:
            out.append(op)
    return out


def _skip_name(blob: Blob) -> str:
    """How a refused blob is remembered in ``skipped``."""
    if blob.kind == "file":
        return f"{blob.name}@{blob.sha256}"
    return f"media:{blob.name}" if blob.kind == "media" else blob.name
