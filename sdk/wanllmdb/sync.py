"""``wanllmdb sync``: upload spooled run dirs (offline runs, or what a live run could not send).

Parallel across runs and across PUTs within a run, resumable (the manifest records each item as it
lands) and idempotent: a second sync finds nothing pending and sends nothing.

Sync only ever writes to the run its spool created or resumed. It refuses a spool whose create the
server refuses (the id belongs to another run), or whose run moved on to a later attempt without it;
such a dir is marked ``unsyncable.json`` (``wanllmdb status`` shows why, ``wanllmdb sync --prune``
removes it) and is never tried again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanllmdb.artifacts.spool import has_spooled_artifacts, sync_spooled_artifacts
from wanllmdb.credentials import lookup_api_key
from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.rest import ApiError, RestClient, Transient
from wanllmdb.settings import Settings

__all__ = [
    "SyncResult",
    "find_run_dirs",
    "mark_unsyncable",
    "prune",
    "sync_run",
    "sync_runs",
    "unsyncable_reason",
]

_UNSYNCABLE = "unsyncable.json"


@dataclass
class SyncResult:
    path: Path
    run_id: str
    uploaded: int = 0
    status: str = "synced"  # synced | nothing to do | live | failed | unsyncable
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


def mark_unsyncable(rd: RunDir, reason: str) -> None:
    """Give a spool dir its terminal state: it can never be synced, and says why."""
    body = json.dumps({"reason": reason, "at": time.time()}).encode()
    tmp = rd.path / f".{_UNSYNCABLE}.tmp"
    tmp.write_bytes(body)
    os.replace(tmp, rd.path / _UNSYNCABLE)


def unsyncable_reason(rd: RunDir) -> str | None:
    try:
        return str(json.loads((rd.path / _UNSYNCABLE).read_text(encoding="utf-8"))["reason"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prune(dirs: list[RunDir]) -> list[RunDir]:
    """Delete the dirs marked unsyncable (never one a live process holds); returns those removed."""
    removed = []
    for rd in dirs:
        if unsyncable_reason(rd) is None or not rd.try_lock():
            continue
        rd.unlock()
        shutil.rmtree(rd.path, ignore_errors=True)
        removed.append(rd)
    return removed


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
    reason = unsyncable_reason(rd)
    if reason is not None:
        result.status, result.message = "unsyncable", reason
        return result
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
        up.refusal_note = "not sent; the spool keeps it"
        if up.pending_count() == 0 and _has_state(rd) and not has_spooled_artifacts(rd.path):
            result.status = "nothing to do"
            return result
        refusal = _claim_run(up, rd, record)
        if refusal is not None:
            mark_unsyncable(rd, refusal)
            result.status, result.message = "unsyncable", refusal
            return result
        ok = _drain(up, give_up_after_s)
        if ok and not _has_state(rd):
            # No finish was recorded: the process died (kill -9, OOM). Say so, once, through the spool;
            # a run marked preempting ends paused, so it can be resumed.
            state = "paused" if record.get("preempting") else "crashed"
            rd.append_op(_next_op(rd), "state", {"state": state})
            ok = _drain(up, give_up_after_s)
        if ok and up.reopened:
            _restore_final_state(rd, client, up.project_id)
        problems: list[str] = []
        if ok and has_spooled_artifacts(rd.path):  # offline log_artifact calls
            project_id = up.project_id or str(client.get_run(up.run_id)["project_id"])
            artifact_settings = Settings.resolve({"base_url": url, "api_key": key})
            logged, problems = sync_spooled_artifacts(
                rd.path, artifact_settings, project_id=project_id, run_id=up.run_id
            )
            progress(logged)
        result.uploaded = counted[0]
        if problems:
            result.status, result.message = "failed", "; ".join(problems)
        elif up.skipped:
            result.status = "failed"
            result.message = f"the server refused {len(up.skipped)} item(s); see the warnings above"
        elif not ok:
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


def _claim_run(up: SpoolUploader, rd: RunDir, record: dict[str, Any]) -> str | None:
    """Make sure the server's run is the one this spool created or resumed; else say why not.

    A create not yet applied is sent now (a refusal means the id belongs to another run). A create
    applied earlier is checked against the server: a later attempt that this spool did not make means
    the run moved on without it, and replaying its ops (a 'crashed' state above all) would damage it.
    """
    run_id = str(record.get("id"))
    ops = rd.read_ops()
    create = next((op for op in ops if op["op"] == "create"), None)
    if create is None:
        return f"run {run_id}: the spool holds no create; there is no run to sync it to"
    if int(create["n"]) not in rd.done()[0]:
        body = create.get("body") or {}
        try:
            run = up.create(body, replay=not (body.get("run") or {}).get("resume_token"))
        except ApiError as exc:
            if exc.status in (401, 403) or exc.status == 429:
                raise
            return f"the server refused to create run {run_id} ({exc.message}); this spool was never its run"
        up.done_op(int(create["n"]))
        rd.mark_done(attempt=int(run.get("attempt", 0)))
        return None
    try:
        run = up.client.get_run(run_id, project_id=up.project_id)
    except ApiError as exc:
        if exc.status == 404:
            return f"run {run_id} no longer exists on the server (deleted?); nothing to sync it to"
        raise
    mine = _attempts(rd, record)
    if int(run.get("attempt", 0)) > max(mine):
        return (
            f"run {run_id} moved on without this spool: the server has attempt {run.get('attempt')} "
            f"({run.get('state')}), this spool made attempt {max(mine)}; replaying it would change the "
            f"later attempt"
        )
    return None


def _attempts(rd: RunDir, record: dict[str, Any]) -> set[int]:
    """Attempts this spool made: the one init() got, and any that an upload's reopen made."""
    found = {int(record.get("attempt", 0))}
    manifest = rd.path / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "attempt" in entry:
                found.add(int(entry["attempt"]))
    return found


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
