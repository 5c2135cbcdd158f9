"""``init()``: resolve settings, open the run dir, create the run on the server, start the threads."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import string
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from wanllmdb.agents.in_run import sweep_context
from wanllmdb.config import Config, PreInitConfig, load_config_source
from wanllmdb.console import ConsoleCapture
from wanllmdb.environment import collect_metadata
from wanllmdb.errors import AuthenticationError, NotAvailableYet, ServerRefused, UsageError
from wanllmdb.gitinfo import git_diff
from wanllmdb.hooks import ProcessHooks
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.ingest.pipeline import Pipeline
from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.late_writer import LateWriter
from wanllmdb.lifecycle import process_settings
from wanllmdb.rest import ApiError, RestClient, Transient, call_with_retry
from wanllmdb.run import Run
from wanllmdb.run_files import InitFiles
from wanllmdb.settings import Settings, explicit_fields
from wanllmdb.summary import MetricRules, Summary
from wanllmdb.system.sampler import SystemSampler
from wanllmdb.termlog import configure as configure_termlog
from wanllmdb.termlog import termerror, termwarn

__all__ = ["active_run", "init"]

log = logging.getLogger("wanllmdb")
# The server's id rule (functions/.../core/ids.py), as wandb's: letters, digits, '_', '-' and '.',
# 1..128 characters, but not "." or ".." (an id becomes a folder in the lake and the spool).
_RUN_ID = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,128}$")
_RESUMES = ("allow", "never", "must", "auto")

_lock = threading.Lock()
_active: Run | None = None
_hooks: ProcessHooks | None = None


def active_run() -> Run | None:
    return _active


def _new_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def _local_history(root: Path, run_id: str) -> tuple[int, int]:
    """(highest attempt, highest step) of earlier local dirs of this run: offline resumes continue them."""
    attempt, step = -1, -1
    for rec_path in root.glob(f"run-*-{run_id}/run.json"):
        rd = RunDir(rec_path.parent)
        try:
            attempt = max(attempt, int(rd.read_record().get("attempt", 0)))
        except (OSError, ValueError):
            continue
        for op in rd.read_ops():
            if op["op"] == "summary":
                step = max(step, int((op.get("body") or {}).get("summary", {}).get("_step", -1)))
    return attempt, step


def init(
    project: str | None = None,
    entity: str | None = None,
    name: str | None = None,
    id: str | None = None,
    config: Any = None,
    tags: list[str] | tuple[str, ...] | None = None,
    notes: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    dir: str | Path | None = None,
    mode: str | None = None,
    resume: str | bool | None = None,
    reinit: bool | str | None = None,
    settings: Settings | dict[str, Any] | None = None,
    config_exclude_keys: list[str] | None = None,
    config_include_keys: list[str] | None = None,
    allow_val_change: bool | None = None,
    anonymous: str | None = None,
    save_code: bool | None = None,
    force: bool | None = None,
    resume_from: str | None = None,
    fork_from: str | None = None,
    sync_tensorboard: bool | None = None,
    tensorboard: bool | None = None,
    monitor_gym: bool | None = None,
) -> Run:
    """Start a run (wandb.init). Arguments wanllmdb cannot honour raise, naming what is missing."""
    global _active, _hooks
    _refuse_unavailable(
        resume_from=resume_from,
        fork_from=fork_from,
        sync_tensorboard=sync_tensorboard or tensorboard,
    )
    if monitor_gym:  # before the run starts: without Gymnasium this raises, naming the extra
        from wanllmdb.integration.gym import monitor as monitor_gym_videos
    with _lock:
        if _active is not None:
            if not _finish_previous(reinit):
                warnings.warn(
                    "wanllmdb.init(): a run is already active; returning it (pass reinit=True "
                    "to finish it and start another)",
                    stacklevel=2,
                )
                return _active
            _active.finish()
        given = {**process_settings(), **explicit_fields(settings)}
        given.update(
            {k: v for k, v in {"anonymous": anonymous, "save_code": save_code}.items() if v is not None}
        )
        # Inside a sweep agent the trial's project, entity, run id and params win over init()'s (as wandb).
        sweep = sweep_context()
        if sweep is not None:
            project, entity = sweep.project or project, sweep.entity or entity
        s = Settings.resolve(given, project=project, entity=entity, mode=mode, dir=dir)
        configure_termlog(silent=s.silent, quiet=s.quiet)
        if force and s.mode == "online" and not s.api_key:
            raise AuthenticationError(
                f"init(force=True): no API key for {s.base_url}; run `wanllmdb login` or set WANLLMDB_API_KEY"
            )
        resume_mode = _resume_mode(resume)
        root = s.root
        run_id = sweep.run_id if sweep is not None and sweep.run_id else id
        if resume_mode == "auto" and run_id is None and (root / "resume.json").is_file():
            run_id = json.loads((root / "resume.json").read_text(encoding="utf-8")).get("id")
        run_id = run_id or _new_id()
        if not _RUN_ID.match(run_id):
            raise UsageError(
                f"init(id={run_id!r}): run ids are 1-128 of A-Z, a-z, 0-9, '_', '-' and '.', "
                "and not '.' or '..'"
            )
        server_resume = {"auto": "allow"}.get(resume_mode, resume_mode)
        cfg_data = _filter_config(load_config_source(config), config_include_keys, config_exclude_keys)
        if sweep is not None:
            cfg_data = {**cfg_data, **sweep.params}
        run = _start(
            s,
            run_id,
            server_resume,
            cfg_data,
            name=name,
            tags=tags,
            notes=notes,
            group=group,
            job_type=job_type,
            allow_val_change=bool(allow_val_change),
            sweep=sweep,
        )
        _active = run
        if s.mode != "disabled":
            if resume_mode == "auto":
                (root / "resume.json").write_text(json.dumps({"id": run.id}), encoding="utf-8")
            _hooks = ProcessHooks(lambda code, state: _finish_from_hook(run, code, state))
            _hooks.install(signals=s.handle_signals)
            if s.save_code:
                _save_main_program(run)
        _publish(run)
        if monitor_gym:
            monitor_gym_videos()
        return run


def _refuse_unavailable(**asked: Any) -> None:
    features = {
        "resume_from": "rewinding a run to a step",
        "fork_from": "forking a run at a step",
        "sync_tensorboard": "the TensorBoard integration",
    }
    for name, value in asked.items():
        if value:
            raise NotAvailableYet(f"init({name}=...)", features[name])


def _finish_previous(reinit: bool | str | None) -> bool:
    """wandb's reinit: True / "finish_previous" finish the active run; False / "default" /
    "return_previous" return it. One run at a time per process: "create_new" is refused."""
    if reinit in (True, "finish_previous"):
        return True
    if reinit in (None, False, "default", "return_previous"):
        return False
    if reinit == "create_new":
        raise NotAvailableYet("init(reinit='create_new')", "several runs at once in one process")
    raise UsageError(
        f"init(reinit={reinit!r}): use True, False, 'default', 'return_previous' or 'finish_previous'"
    )


def _filter_config(
    cfg: dict[str, Any], include: list[str] | None, exclude: list[str] | None
) -> dict[str, Any]:
    if include is not None and exclude is not None:
        raise UsageError("init(): give config_include_keys or config_exclude_keys, not both")
    if include is not None:
        return {k: v for k, v in cfg.items() if k in include}
    if exclude is not None:
        return {k: v for k, v in cfg.items() if k not in exclude}
    return cfg


def _save_main_program(run: Run) -> None:
    """settings save_code: the script that called init() becomes a run file under code/."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if program is None or not program.is_file():
        termwarn("save_code: no main script to save (interactive session or -c); nothing saved")
        return
    run.log_code(root=str(program.parent), include_fn=lambda path, root: Path(path) == program.resolve())


def _fresh_dir(root: Path, run_id: str) -> Path:
    """run-<time>-<id>; a resume within the same second gets its own dir, so attempts never share a spool."""
    stamp = time.strftime("%Y%m%d_%H%M%S")
    path, n = root / f"run-{stamp}-{run_id}", 1
    while path.exists():
        path, n = root / f"run-{stamp}_{n}-{run_id}", n + 1
    return path


def _resume_mode(resume: str | bool | None) -> str:
    if resume is None or resume is False:
        return "never"
    if resume is True:
        return "allow"
    if resume not in _RESUMES:
        raise UsageError(f"init(resume={resume!r}): use one of {', '.join(_RESUMES)}")
    return str(resume)


def _start(s: Settings, run_id: str, resume: str, cfg: dict[str, Any], **fields: Any) -> Run:
    history, system = MetricBuffer(), MetricBuffer()
    rules = MetricRules()
    summary = Summary(history, rules)
    record: dict[str, Any] = {
        "id": run_id,
        "project": s.project or "uncategorized",
        "entity": s.entity,
        # Without a name the server gives a memorable one ("adjective-noun-N") when it creates the run.
        "name": fields["name"],
        "tags": list(fields["tags"] or []),
        "notes": fields["notes"],
        "group": fields["group"],
        "job_type": fields["job_type"],
        "base_url": s.base_url,
        "mode": s.mode,
        "sweep_id": fields["sweep"].sweep_id if fields["sweep"] is not None else None,
    }
    pipeline: Pipeline | None = None
    config = Config(
        lambda change, allow: (
            pipeline.submit_op("config", {"config": change, "allow_val_change": allow})
            if pipeline is not None
            else None
        ),
        allow_val_change=fields["allow_val_change"],
    )
    config.update(cfg)
    if s.mode == "disabled":
        return Run(
            settings=s,
            record=record,
            rd=None,
            start_step=0,
            config=config,
            history=history,
            summary=summary,
            rules=rules,
            pipeline=None,
            sampler=None,
            console=None,
            on_finish=_on_finish,
        )

    prev_attempt, prev_step = _local_history(s.root, run_id) if resume != "never" else (-1, -1)
    rd = RunDir.create(_fresh_dir(s.root, run_id))
    rd.try_lock()
    metadata = collect_metadata(with_git=s.git) if s.metadata else {}
    run_body = {
        "id": run_id,
        "name": record["name"],
        "config": config.as_dict(),
        "tags": record["tags"],
        "notes": fields["notes"],
        "group": fields["group"],
        "job_type": fields["job_type"],
        "metadata": metadata,
        "resume": resume,
        # Kept in the spooled op, so every retry of this create (now, or from `wanllmdb sync`) is
        # recognised by the server and never counts as another resume.
        "resume_token": secrets.token_urlsafe(16),
        "sweep_id": record["sweep_id"],
    }
    rd.append_op(
        0,
        "create",
        {
            "project": record["project"],
            "entity": s.entity,
            "run": {k: v for k, v in run_body.items() if v is not None},
        },
    )
    record.update(attempt=max(prev_attempt + 1, 0), pid=os.getpid(), created_at=time.time(), dir=str(rd.path))
    rd.write_record(record)
    if metadata:
        (rd.files / "wanllmdb-metadata.json").write_text(json.dumps(metadata, indent=1), encoding="utf-8")

    start_step = prev_step + 1
    uploader: SpoolUploader | None = None
    if s.mode == "online":
        uploader = SpoolUploader(
            rd,
            RestClient(s.base_url, s.api_key, timeout_s=s.http_timeout_s),
            batch=s.upload_batch,
            max_backoff_s=s.retry_max_backoff_s,
        )
        server_run = _create_online(uploader, rd, s, record["project"], resume)
        if server_run is not None:
            record.update(
                attempt=int(server_run.get("attempt", 0)),
                project_id=uploader.project_id,
                entity=server_run.get("entity", s.entity),
                name=server_run.get("name") or record["name"],
            )
            rd.write_record(record)
            step = (server_run.get("summary") or {}).get("_step")
            if isinstance(step, int | float):
                start_step = max(start_step, int(step) + 1)

    console = ConsoleCapture(s.console) if s.console != "off" else None
    pipeline = Pipeline(
        rd=rd,
        settings=s,
        attempt=int(record["attempt"]),
        history=history,
        system=system,
        summary=summary,
        console=console,
        uploader=uploader,
        metric_tap=fields["sweep"].tap() if fields["sweep"] is not None else None,
    )
    sampler = SystemSampler(system, rd.path, interval_s=s.system_interval_s) if s.system_metrics else None
    diff = _DiffSnapshot(rd) if s.git else None
    init_files = InitFiles(rd.files, config.as_dict, requirements=s.metadata)

    def before_close() -> None:  # files still being written must land before the final state
        init_files.settle()
        if diff is not None:
            diff.settle()

    run = Run(
        settings=s,
        record=record,
        rd=rd,
        start_step=start_step,
        config=config,
        history=history,
        summary=summary,
        rules=rules,
        pipeline=pipeline,
        sampler=sampler,
        console=console,
        on_finish=_on_finish,
        before_close=before_close,
    )
    pipeline.start()
    init_files.start()
    if sampler is not None:
        sampler.start()
    run._say_started()  # before the console capture: the run's own output.log starts with the script's
    if console is not None:
        console.start()
    if diff is not None:
        diff.start()
    return run


def _create_online(
    uploader: SpoolUploader, rd: RunDir, s: Settings, project: str, resume: str
) -> dict[str, Any] | None:
    """Create the run now, so a 'must' of a missing run or a taken id fails init(); a server that is
    away only delays it: init() goes on offline within about ``init_timeout_s`` and the create op stays
    in the spool for the uploader thread (or `wanllmdb sync`) to send once the server answers."""
    op = rd.read_ops()[0]
    deadline = time.monotonic() + s.init_timeout_s
    # One request may not outlast init()'s budget: a server that accepts no connection (a dropped SYN)
    # would otherwise hold init() for the whole http_timeout_s. The uploader keeps its own client.
    client = uploader.client
    uploader.client = RestClient(s.base_url, s.api_key, timeout_s=min(s.http_timeout_s, s.init_timeout_s))
    try:
        run = call_with_retry(
            lambda: uploader.create(op["body"], replay=False), deadline=deadline, max_backoff_s=0.5
        )
    except Transient as exc:
        termwarn(
            f"server {s.base_url} is unreachable ({_reason(exc)}); this run continues offline in {rd.path}. "
            f"It is uploaded in the background once the server answers, or run `wanllmdb sync {rd.path}`",
            repeat=False,
        )
        return None
    except ApiError as exc:
        # The run was refused, so nothing of it may stay behind for `wanllmdb sync` to replay.
        rd.unlock()
        shutil.rmtree(rd.path, ignore_errors=True)
        if rd.path.exists():
            from wanllmdb.sync import mark_unsyncable

            mark_unsyncable(rd, f"init() was refused: {exc}")
        raise ServerRefused(exc.status, exc.code, _refusal_message(exc, s, project), exc.field) from None
    finally:
        uploader.client.close()
        uploader.client = client
    uploader.done_op(int(op["n"]))
    return run


def _reason(exc: Exception) -> str:
    """The end of a network error ("Connection refused"), not urllib3's whole chain of wrappers."""
    text = str(exc)
    return text.rsplit("] ", 1)[-1] if "[Errno" in text else text[:120]


def _refusal_message(exc: ApiError, s: Settings, project: str) -> str:
    """The server's reason for refusing init(), and the fix for what it refused: the hint follows the
    field the server named, not the status alone (a 404 is a missing entity as often as a missing run)."""
    where = f"{s.entity}/{project}" if s.entity else project
    reason = exc.message.rstrip(".")
    if exc.status == 401:
        return (
            f"{s.base_url} did not accept the API key ({reason}). Run `wanllmdb login` or set "
            f"WANLLMDB_API_KEY; keys are on the dashboard's profile page ({s.base_url}/settings/profile), "
            f"and a local server writes its admin key to {s.data_dir / 'admin-api-key'}"
        )
    if exc.field == "entity" and exc.status == 404:
        return (
            f"init(entity={s.entity!r}): there is no user, organization or team named {s.entity!r}. "
            "Check the spelling, or leave entity out to log under your own user"
        )
    if exc.status == 403:
        return f"your API key may not create runs in {where} ({reason}); ask an admin of it for access"
    if exc.field == "name" and exc.status in (400, 422):
        return f"init(project={project!r}): {reason.removeprefix('name: ')}"
    if exc.field == "id" and exc.status == 404:
        return f"{reason}: drop resume='must', or check the run id"
    if exc.field == "id" and exc.status == 409:
        taken = reason.split(";")[0]  # the server's own hint speaks of the REST body, not of init()
        return f"{taken}: pass resume='allow' to continue that run, or choose another id"
    return reason


class _DiffSnapshot(LateWriter):
    """`git diff` of the working tree, written to files/diff.patch off the caller's thread.

    finish() settles it first: a diff.patch that landed after the run's final state would be uploaded
    into a finished run and reopen it. A diff still running after `WAIT_S` is dropped, not written late.
    """

    def __init__(self, rd: RunDir) -> None:
        super().__init__("wanllmdb-git")
        self._rd = rd

    def _write(self) -> None:
        diff = git_diff(Path.cwd())
        if not diff:
            return
        tmp = self._rd.files / ".diff.patch.tmp"
        tmp.write_text(diff + "\n", encoding="utf-8")
        # By rename: the uploader may list files/ now.
        if not self.publish(lambda: os.replace(tmp, self._rd.files / "diff.patch")):
            tmp.unlink(missing_ok=True)


def _finish_from_hook(run: Run, code: int, state: str) -> None:
    if run is _active:
        try:
            run.finish(exit_code=code, state=state)
        except Exception as exc:  # the process is going down; say why the run may be incomplete
            termerror(f"finish failed ({exc}); run `wanllmdb sync` to upload what is left")


def _on_finish(run: Run) -> None:
    global _active, _hooks
    if run is not _active:
        return
    _active = None
    if _hooks is not None:
        _hooks.uninstall()
        _hooks = None
    root = run.settings.root
    if run.final_state == "finished":
        resume_file = root / "resume.json"
        if resume_file.is_file():
            resume_file.unlink()
    _publish(None)


def _publish(run: Run | None) -> None:
    """Keep ``wanllmdb.run`` / ``.config`` / ``.summary`` pointing at the active run, as wandb does."""
    import wanllmdb

    wanllmdb.run = run
    if run is not None:
        wanllmdb.config = run.config
        wanllmdb.summary = run.summary
    else:  # finished: the module-level names no longer reach the run, as after wandb.finish()
        wanllmdb.config = PreInitConfig()
        wanllmdb.summary = None
