"""Console capture: descriptor-level by default (C code and child processes too), Python-level as fallback.

The descriptor tests run the training script as a child process, so its descriptors 1 and 2 are
real pipes the test reads, as a terminal would show them (pytest's own capture would make the SDK
fall back to wrapping, which `test_under_pytest_capture_auto_falls_back_to_wrapping` checks).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.sdk.conftest import OfflineRun, read_stream
from wanllmdb.console import ConsoleCapture, fd_capture_possible

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys
    import wanllmdb

    run = wanllmdb.init(project="console", mode="offline", dir=sys.argv[1],
                        settings={"system_metrics": False, "git": False, "console": sys.argv[2]})
    print("from-python", flush=True)
    os.write(1, b"from-fd1\\n")  # what a C extension writes: below sys.stdout
    os.write(2, b"from-fd2\\n")
    subprocess.run(["sh", "-c", "echo from-child; echo child-err >&2"], check=True)
    print("unflushed-python")  # block-buffered (stdout is a pipe): finish() must flush it into the log
    run.finish()
    os.write(1, b"after-finish\\n")  # the descriptors are back: straight to the terminal, not the log
    print("RUN_DIR=" + str(run.dir))
    """
)


Logged = list[tuple[str, str]]  # (stream, text) of the run's log lines


def _run_script(tmp_path: Path, console: str) -> tuple[subprocess.CompletedProcess[str], Logged]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANLLMDB_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "sdk"), str(REPO)])
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), console],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RUN_DIR="))[8:])
    logs = read_stream(run_dir, "logs").to_pylist()
    return proc, [(r["stream"], r["text"]) for r in logs]


@pytest.mark.skipif(os.name != "posix", reason="descriptor capture is POSIX only")
@pytest.mark.parametrize("console", ["auto", "redirect"])
def test_descriptor_capture_logs_c_level_and_child_output_and_the_terminal_still_sees_it(
    tmp_path: Path, console: str
) -> None:
    proc, logged = _run_script(tmp_path, console)
    out = proc.stdout.splitlines()
    # The terminal gets everything, in the order it was written per stream.
    expected = ["from-python", "from-fd1", "from-child", "unflushed-python", "after-finish"]
    assert [ln for ln in out if ln in expected] == expected
    assert "from-fd2" in proc.stderr and "child-err" in proc.stderr
    # The run's log holds what was written during the run, by every writer, and nothing after it.
    stdout_lines = [text for stream, text in logged if stream == "stdout"]
    assert [ln for ln in stdout_lines if ln in expected] == expected[:4]
    assert ("stderr", "from-fd2") in logged and ("stderr", "child-err") in logged
    assert "after-finish" not in stdout_lines


@pytest.mark.skipif(os.name != "posix", reason="compares with descriptor capture")
def test_wrap_mode_captures_python_writes_only(tmp_path: Path) -> None:
    proc, logged = _run_script(tmp_path, "wrap")
    texts = {text for _, text in logged}
    assert {"from-python", "unflushed-python"} <= texts
    assert not texts & {"from-fd1", "from-fd2", "from-child", "child-err"}
    assert "from-child" in proc.stdout  # never lost from the terminal, just not logged


def test_under_pytest_capture_auto_falls_back_to_wrapping(
    offline_run: OfflineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not fd_capture_possible()  # sys.stdout is pytest's, not descriptor 1
    run = offline_run()
    assert run._console is not None and run._console.mode == "wrap"
    print("wrapped")
    run.finish()
    assert run.dir is not None
    logged = [(r["stream"], r["text"]) for r in read_stream(run.dir, "logs").to_pylist()]
    assert ("stdout", "wrapped") in logged
    assert "wrapped" in capsys.readouterr().out


def test_off_is_not_a_capture_mode() -> None:
    with pytest.raises(ValueError, match="use auto, redirect or wrap"):
        ConsoleCapture("off")
