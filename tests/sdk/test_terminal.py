"""What init() and finish() say on the terminal, and the errors init() and `wanllmdb login` show
(issue 13): a real local server, and a real port with nothing listening for the server that is down."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import LocalServer, free_port
from tests.sdk.conftest import admin_key, sdk_env
from wanllmdb.run import Run

pytestmark = pytest.mark.slow


def start(server: LocalServer, tmp_path: Path, **kwargs: Any) -> Run:
    settings = {
        "base_url": server.url,
        "api_key": admin_key(server.data_dir),
        "flush_interval_s": 0.2,
        "system_metrics": False,
        "git": False,
        **kwargs.pop("settings", {}),
    }
    kwargs.setdefault("project", "terminal")
    return wanllmdb.init(dir=tmp_path, settings=settings, **kwargs)


def said(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("wanllmdb: ")]


def test_init_names_the_run_and_its_url_and_finish_sums_it_up(
    module_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = start(module_server, tmp_path, name="bright-fox")
    started = said(capsys.readouterr().err)
    assert run.url == f"{module_server.url}/{run.entity}/terminal/runs/{run.id}"
    assert started == [f"wanllmdb: run bright-fox ({run.id}): {run.url}"]
    for step in range(10):
        run.log({f"k{i:02d}": step * 1.5 + i for i in range(12)})
    run.finish()
    lines = said(capsys.readouterr().err)
    assert lines[0] == "wanllmdb: run summary:"
    shown = [line.split()[1] for line in lines[1:] if line.startswith("wanllmdb:   k")]
    assert shown == [f"k{i:02d}" for i in range(10)]  # at most 10 keys, in order
    assert "wanllmdb:   k00  13.5" in lines
    assert "wanllmdb:   … and 2 more (run.summary)" in lines
    assert lines[-1] == f"wanllmdb: run bright-fox ({run.id}) finished: {run.url}"
    assert run.synced is True and not any("wanllmdb sync" in line for line in lines)


@pytest.mark.parametrize("how", ["settings", "environment"])
def test_silent_prints_nothing(
    how: str,
    module_server: LocalServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if how == "environment":
        monkeypatch.setenv("WANLLMDB_SILENT", "true")
        run = start(module_server, tmp_path)
    else:
        run = start(module_server, tmp_path, settings={"silent": True})
    run.log({"loss": 1.0})
    run.finish()
    assert said(capsys.readouterr().err) == []


def test_an_offline_run_says_where_its_data_is_and_how_to_sync_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = wanllmdb.init(project="p", mode="offline", dir=tmp_path, settings={"system_metrics": False})
    run.log({"loss": 0.25})
    run.finish()
    lines = said(capsys.readouterr().err)
    assert lines[0] == f"wanllmdb: run {run.id} is logging offline to {run.dir}"
    assert "wanllmdb:   loss  0.25" in lines
    assert lines[-1] == f"wanllmdb: offline run: upload it with `wanllmdb sync {run.dir}`"


# -- the server is down ------------------------------------------------------------------------------
def test_a_down_server_costs_init_2s_and_finish_10s_by_default_and_sync_uploads_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wanllmdb.ingest import pipeline

    monkeypatch.setattr(pipeline, "_stderr_is_terminal", lambda: False)  # as in CI or `> train.log`
    port = free_port()  # nothing listens there: every connection is refused
    t0 = time.monotonic()
    run = wanllmdb.init(
        project="p",
        dir=tmp_path,
        settings={"base_url": f"http://127.0.0.1:{port}", "api_key": "wl_x", "system_metrics": False},
    )
    init_s = time.monotonic() - t0
    for step in range(10):
        run.log({"loss": 1 / (step + 1)})
    t0 = time.monotonic()
    run.finish()
    finish_s = time.monotonic() - t0
    print(f"init {init_s:.2f} s, finish {finish_s:.2f} s", file=sys.__stdout__)
    assert 1.0 <= init_s < 4.0  # the default init_timeout_s is 2 (it was 15: 14.5 s measured)
    assert 9.0 <= finish_s < 13.0  # the default finish_timeout_s is 10 (was 60: 60.4 s measured)
    assert run.synced is False and run.dir is not None
    lines = said(capsys.readouterr().err)
    down = [line for line in lines if "unreachable" in line]
    assert len(down) == 1 and f"continues offline in {run.dir}" in down[0]
    assert f"`wanllmdb sync {run.dir}`" in down[0]
    progress = [line for line in lines if "uploading:" in line]
    assert 1 <= len(progress) <= 2, progress  # one line per 5 s at most, never a redraw per 0.5 s
    assert "\r" not in capsys.readouterr().err
    left = [line for line in lines if "not uploaded" in line]
    assert len(left) == 1 and "finish_timeout_s=10 s" in left[0]
    assert f"run `wanllmdb sync {run.dir}`" in left[0]

    # The server comes back on that port: `wanllmdb sync <dir>` uploads the run.
    from tests.conftest import start_local_server

    server = start_local_server(tmp_path / "data", port=port)
    try:
        env = sdk_env(server.url, admin_key(server.data_dir), tmp_path)
        out = subprocess.run(
            [sys.executable, "-m", "wanllmdb.cli", "sync", str(run.dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"{run.id}  synced" in out.stdout
        back = server_run(server, run.id)
        assert back["state"] == "finished" and back["summary"]["_step"] == 9
    finally:
        server.stop()


def test_a_run_that_fell_back_to_offline_uploads_itself_when_the_server_comes_back(tmp_path: Path) -> None:
    from tests.conftest import start_local_server

    port, data = free_port(), tmp_path / "data"
    start_local_server(data, port=port).stop()  # once, for its admin key; now the port is dead
    run = wanllmdb.init(
        project="p",
        dir=tmp_path,
        settings={
            "base_url": f"http://127.0.0.1:{port}",
            "api_key": admin_key(data),
            "init_timeout_s": 0.5,
            "flush_interval_s": 0.2,
            "retry_max_backoff_s": 0.5,
            "system_metrics": False,
        },
    )
    assert run.url is None  # offline for now
    server = start_local_server(data, port=port)
    try:
        for step in range(10):
            run.log({"loss": float(step)})
        run.finish()
        assert run.synced is True
        back = server_run(server, run.id)
        assert back["state"] == "finished" and back["summary"]["_step"] == 9
    finally:
        server.stop()


def server_run(server: LocalServer, run_id: str) -> dict[str, Any]:
    import httpx

    answer = httpx.get(
        f"{server.url}/api/runs/{run_id}", headers={"Authorization": f"Bearer {admin_key(server.data_dir)}"}
    )
    answer.raise_for_status()
    return dict(answer.json())


# -- error messages ------------------------------------------------------------------------------------
def test_a_missing_entity_is_named_and_no_resume_is_mentioned(
    module_server: LocalServer, tmp_path: Path
) -> None:
    with pytest.raises(wanllmdb.ServerRefused) as caught:
        start(module_server, tmp_path, entity="myteam")
    message = str(caught.value)
    assert "no user, organization or team named 'myteam'" in message
    assert "resume" not in message and "not_found" not in message
    assert wanllmdb.run is None


def test_a_bad_project_name_is_explained_in_words(module_server: LocalServer, tmp_path: Path) -> None:
    with pytest.raises(wanllmdb.ServerRefused) as caught:
        start(module_server, tmp_path, project="my project!")
    message = str(caught.value)
    assert "'my project!' is not a valid project name" in message
    assert "letters, digits" in message and "A-Za-z" not in message


def test_a_refused_key_is_a_sentence_with_the_fix(module_server: LocalServer, tmp_path: Path) -> None:
    with pytest.raises(wanllmdb.ServerRefused) as caught:
        start(module_server, tmp_path, settings={"api_key": "wl_not_a_key"})
    message = str(caught.value)
    assert "did not accept the API key" in message and "wanllmdb login" in message
    assert f"{module_server.url}/settings/profile" in message
    assert "unauthenticated" not in message and "field" not in message


def login(
    server: LocalServer, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = sdk_env(server.url, "", tmp_path, XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env.pop("WANLLMDB_API_KEY")
    return subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", "login", "--base-url", server.url, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_login_without_a_terminal_reads_the_key_from_stdin_without_echo_warnings(
    module_server: LocalServer, tmp_path: Path
) -> None:
    out = login(module_server, tmp_path, stdin=admin_key(module_server.data_dir) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Logged in to" in out.stdout and "Key stored in" in out.stdout
    assert "echoed" not in out.stdout + out.stderr and "Warning" not in out.stdout + out.stderr
    assert admin_key(module_server.data_dir) not in out.stdout + out.stderr


def test_login_errors_are_sentences_that_say_where_keys_come_from(
    module_server: LocalServer, tmp_path: Path
) -> None:
    wrong = login(module_server, tmp_path, stdin="wl_not_a_key\n")
    assert wrong.returncode == 1
    assert f"{module_server.url} did not accept this API key" in wrong.stderr
    assert f"{module_server.url}/settings/profile" in wrong.stderr and "admin-api-key" in wrong.stderr
    assert "unauthenticated" not in wrong.stderr and "field" not in wrong.stderr
    empty = login(module_server, tmp_path)
    assert empty.returncode == 2 and "no API key given" in empty.stderr


def test_login_on_a_terminal_prompts_with_the_input_hidden(
    module_server: LocalServer, tmp_path: Path
) -> None:
    import os
    import pty
    import select

    env = sdk_env(module_server.url, "", tmp_path, XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env.pop("WANLLMDB_API_KEY")
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wanllmdb.cli", "login", "--base-url", module_server.url],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    seen, sent = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([main], [], [], 0.2)[0]:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b"API key for" in seen:
            os.write(main, admin_key(module_server.data_dir).encode() + b"\n")
            sent = True
        if proc.poll() is not None and not select.select([main], [], [], 0.2)[0]:
            break
    os.close(main)
    assert proc.wait(timeout=30) == 0, seen
    text = seen.decode(errors="replace")
    assert "admin-api-key" in text and "Logged in to" in text
    assert admin_key(module_server.data_dir) not in text  # not echoed
    assert "echoed" not in text


def test_a_server_that_accepts_but_never_answers_costs_init_no_more_than_a_dead_one(tmp_path: Path) -> None:
    import socket

    with socket.socket() as hung:  # the kernel completes connections into the backlog; nobody reads
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        t0 = time.monotonic()
        run = wanllmdb.init(
            project="p",
            dir=tmp_path,
            settings={
                "base_url": f"http://127.0.0.1:{hung.getsockname()[1]}",
                "api_key": "wl_x",
                "system_metrics": False,
                "finish_timeout_s": 0.5,
            },
        )
        init_s = time.monotonic() - t0
        t0 = time.monotonic()
        run.finish()
        finish_s = time.monotonic() - t0
    print(f"hung server: init {init_s:.2f} s, finish {finish_s:.2f} s", file=sys.__stdout__)
    assert init_s < 5.0  # one request may not outlast init_timeout_s=2 (http_timeout_s is 10)
    assert finish_s < 3.0  # finish_timeout_s=0.5, and stopping the uploader stays within it
    assert run.synced is False
