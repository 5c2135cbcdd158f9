"""``wanllmdb sync``: upload spooled run dirs (offline runs, or what a live run could not send).

Parallel across runs and across PUTs within a run, resumable (the manifest records each item as it
lands) and idempotent: a second sync finds nothing pending and sends nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wanllmdb.credentials import lookup_api_key
from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.rest import ApiError, RestClient, Transient
from wanllmdb.settings import Settings

__all__ = ["SyncResult", "find_run_dirs", "sync_run", "sync_runs"]


@dataclass
class SyncResult:
    path: Path
    run_id: str
    uploaded: int = 0
    status: str = "synced"  # synced | nothing to do | live | failed
    message: str = ""


def find_run_dirs(paths: Iterable[Path]) -> list[RunDir]:
    """Run dirs named directly, or found under a dir (its ``wanllmdb/`` folder or its ``run-*`` children)."""
    found: dict[Path, RunDir] = {}
    for path in paths:
        path = Path(path).expanduser()
        candidates = (
            [path]
            if (path / "run.json").is_file()
            else sorted([*path.glob("run-*"), *(path / "wanllmdb").glob("run-*")])
        )
        for c in candidates:
            rd = RunDir(c)
            if rd.is_run_dir():
                found[c.resolve()] = rd
    return list(found.values())


def _base_url(rd: RunDir, override: str | None) -> str:
    return (
        override
        or os.environ.get("WANLLMDB_BASE_URL")
        or rd.read_record().get("base_url")
        or Settings().base_url
    ).rstrip("/")


def sync_run(
    rd: RunDir,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    put_workers: int = 4,
    give_up_after_s: float = 60.0,
    on_progress: Callable[[int], None] | None = None,
) -> SyncResult:
    record = rd.read_record()
    result = SyncResult(rd.path, str(record.get("id")))
    if not rd.try_lock():
        result.status, result.message = "live", "a running process holds this run; it uploads on its own"
        return result
    url = _base_url(rd, base_url)
    settings = Settings()
    key = lookup_api_key(
        url,
        env_key=api_key or os.environ.get("WANLLMDB_API_KEY"),
        data_dir=Path(os.environ.get("WANLLMDB_DATA_DIR") or settings.data_dir),
    )
    client = RestClient(url, key, timeout_s=settings.http_timeout_s)
    try:
        counted = [0]

        def progress(n: int) -> None:
            counted[0] += n
            if on_progress is not None:
                on_progress(n)

        up = SpoolUploader(rd, client, put_workers=put_workers, on_progress=progress, max_backoff_s=5.0)
        if up.pending_count() == 0 and _has_state(rd):
            result.status = "nothing to do"
            return result
        ok = _drain(up, give_up_after_s)
        if ok and not _has_state(rd):
            # No finish was recorded: the process died (kill -9, OOM). Say so, once, through the spool.
            rd.append_op(_next_op(rd), "state", {"state": "crashed"})
            ok = _drain(up, give_up_after_s)
        if ok and up.reopened:
            _restore_final_state(rd, client, up.project_id)
        result.uploaded = counted[0]
        if not ok:
            result.status = "failed"
            result.message = (
                "the server refused the API key" if up.refused else f"{up.pending_count()} item(s) left"
            )
    except Transient as exc:
        result.status, result.message = "failed", f"server unreachable: {exc}"
    except ApiError as exc:
        result.status, result.message = "failed", str(exc)
    finally:
        client.close()
        rd.unlock()
    return result


def _drain(up: SpoolUploader, give_up_after_s: float) -> bool:
    return up.drain(deadline=time.monotonic() + give_up_after_s)


def _has_state(rd: RunDir) -> bool:
    return any(op["op"] == "state" for op in rd.read_ops())


def _next_op(rd: RunDir) -> int:
    return max((int(op["n"]) for op in rd.read_ops()), default=-1) + 1


def _restore_final_state(rd: RunDir, client: RestClient, project_id: str | None) -> None:
    """Uploading into a closed run reopened it; put back the state the run had ended in."""
    states = [op for op in rd.read_ops() if op["op"] == "state"]
    if states:
        client.patch_run(str(rd.read_record()["id"]), states[-1]["body"], project_id=project_id)


def sync_runs(
    dirs: list[RunDir],
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    parallel: int = 4,
    on_progress: Callable[[int], None] | None = None,
) -> list[SyncResult]:
    if not dirs:
        return []
    with ThreadPoolExecutor(max(1, min(parallel, len(dirs)))) as pool:
        futures = [
            pool.submit(sync_run, rd, base_url=base_url, api_key=api_key, on_progress=on_progress)
            for rd in dirs
        ]
        return [f.result() for f in futures]
