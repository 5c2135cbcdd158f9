from __future__ import annotations

import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import wanllmdb
from tests.sdk.conftest import OfflineRun, read_stream, rows
from wanllmdb.errors import InvalidValue, NotYetSupported, UsageError
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.summary import MetricRules, Summary


def test_log_without_step_commits_one_row_per_call(offline_run: OfflineRun) -> None:
    run = offline_run()
    for i in range(3):
        wanllmdb.log({"loss": float(i)})
    assert run.step == 3
    run.finish()
    assert rows(run.dir) == [(0, "loss", 0.0), (1, "loss", 1.0), (2, "loss", 2.0)]


def test_commit_false_accumulates_into_the_same_step(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0}, commit=False)
    run.log({"b": 2.0}, commit=False)
    run.log({"c": 3.0})
    run.log({"a": 4.0})
    run.finish()
    assert rows(run.dir) == [(0, "a", 1.0), (0, "b", 2.0), (0, "c", 3.0), (1, "a", 4.0)]


def test_explicit_step_holds_the_row_open_until_a_higher_step(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0}, step=5)
    assert run.step == 5
    run.log({"b": 2.0})  # no step: joins step 5 and commits it
    assert run.step == 6
    run.log({"c": 3.0}, step=10, commit=True)
    assert run.step == 11
    run.finish()
    assert rows(run.dir) == [(5, "a", 1.0), (5, "b", 2.0), (10, "c", 3.0)]


def test_lower_step_is_stored_and_warned_once_per_key(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"x": 1.0}, step=10, commit=True)
    with pytest.warns(UserWarning, match=r"'x' logged at step 3, below the run's current step 11"):
        run.log({"x": 2.0}, step=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.log({"x": 3.0}, step=4)  # same key again: no second warning
    run.finish()
    assert rows(run.dir) == [(3, "x", 2.0), (4, "x", 3.0), (10, "x", 1.0)]


def test_nested_dicts_flatten_to_dotted_keys_and_scalars_coerce(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log(
        {
            "train": {"loss": np.float32(0.5), "acc": {"top1": 1}},
            "ok": True,
            "n": np.int64(7),
            "arr0": np.array(2.5),
        }
    )
    run.finish()
    assert rows(run.dir) == [
        (0, "arr0", 2.5),
        (0, "n", 7.0),
        (0, "ok", 1.0),
        (0, "train.acc.top1", 1.0),
        (0, "train.loss", 0.5),
    ]


def test_non_finite_floats_are_stored_as_they_are(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"nan": math.nan, "inf": math.inf, "ninf": -math.inf})
    run.finish()
    values = {k: v for _, k, v in rows(run.dir)}
    assert math.isnan(values["nan"]) and values["inf"] == math.inf and values["ninf"] == -math.inf


def test_unsupported_type_names_the_key_and_the_type_and_stores_nothing(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.raises(InvalidValue, match=r"'bad' has unsupported type builtins.object") as info:
        run.log({"good": 1.0, "bad": object()})
    assert info.value.key == "bad"
    run.log({"good": 2.0})
    run.finish()
    assert rows(run.dir) == [(0, "good", 2.0)]  # the refused call left no half row and no step


def test_a_bad_value_in_a_known_set_of_keys_stores_nothing(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0, "b": 2.0})  # the next call takes the fast path for these keys
    with pytest.raises(InvalidValue, match=r"'b' has unsupported type builtins.object"):
        run.log({"a": 3.0, "b": object()})
    with pytest.raises(InvalidValue, match=r"'b'"):
        run.log({"a": 3.0, "b": 10**400})
    run.log({"a": 4.0, "b": 5.0})
    run.finish()
    assert rows(run.dir) == [(0, "a", 1.0), (0, "b", 2.0), (1, "a", 4.0), (1, "b", 5.0)]


def test_keys_logged_in_changing_shapes_keep_their_rows_and_last_values(offline_run: OfflineRun) -> None:
    run = offline_run()
    for i in range(6):
        run.log({"loss": float(i)} if i % 3 else {"val": -float(i), "loss": float(i)})
    assert run.summary["loss"] == 5.0 and run.summary["val"] == -3.0
    run.finish()
    assert [r for r in rows(run.dir) if r[1] == "val"] == [(0, "val", -0.0), (3, "val", -3.0)]
    assert [r[2] for r in rows(run.dir) if r[1] == "loss"] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_foreign_media_objects_are_refused_naming_the_types_we_store(offline_run: OfflineRun) -> None:
    class Image:  # what a `wandb.Image(...)` (not a wanllmdb.Image) looks like to us
        pass

    run = offline_run()
    with pytest.raises(NotYetSupported, match=r"'sample' is a .*Image, which wanllmdb does not store yet"):
        run.log({"sample": Image()})


def _texts(run_dir: Path) -> list[tuple[int, str, float | None, str | None]]:
    t = read_stream(run_dir, "history")
    cols = [t[c].to_pylist() for c in ("step", "key", "value", "text")]
    return sorted(zip(*cols, strict=True), key=lambda r: (r[0], r[1]))


def test_strings_are_stored_as_text_with_a_null_value(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"loss": 1.0, "phase": "train"})
    run.log({"loss": 0.5, "phase": np.str_("eval"), "cfg": {"opt": "adam"}})
    run.log({"note": "only a string"})
    run.finish()
    assert _texts(run.dir) == [
        (0, "loss", 1.0, None),
        (0, "phase", None, "train"),
        (1, "cfg.opt", None, "adam"),
        (1, "loss", 0.5, None),
        (1, "phase", None, "eval"),
        (2, "note", None, "only a string"),
    ]


def test_a_string_under_a_fast_path_key_set_takes_the_slow_path(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0, "s": 2.0})  # ("a", "s") is now a float block: the fast path's
    run.log({"a": 3.0, "s": "three"})  # extend() refuses the str; nothing half-stored
    run.log({"a": 4.0, "s": 5.0})
    run.finish()
    assert _texts(run.dir) == [
        (0, "a", 1.0, None),
        (0, "s", 2.0, None),
        (1, "a", 3.0, None),
        (1, "s", None, "three"),
        (2, "a", 4.0, None),
        (2, "s", 5.0, None),
    ]


def test_the_summary_shows_the_last_string(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"flush_interval_s": 3600})
    run.log({"phase": "train", "loss": 1.0})
    assert run.summary["phase"] == "train"  # still buffered
    run.log({"phase": "eval"})
    run.log({"phase": 3.0})  # a number at a later step wins, as any last value would
    assert run.summary["phase"] == 3.0
    run.log({"phase": "done"}, step=10)
    assert run.summary["phase"] == "done" and run.summary["loss"] == 1.0
    run.finish()
    assert run.summary["phase"] == "done"  # folded from drained chunks


def test_the_summary_folds_strings_across_drains() -> None:
    buffer = MetricBuffer()
    summary = Summary(buffer, MetricRules())
    buffer.add(0, 0, {"phase": "train", "loss": 1.0})
    buffer.drain(summary.fold)
    assert summary.as_dict() == {"phase": "train", "loss": 1.0, "_step": 0}
    buffer.add(1, 0, {"phase": "eval"})
    assert summary["phase"] == "eval"  # pending beats folded at a higher step
    buffer.drain(summary.fold)
    buffer.add(0, 0, {"phase": "late, lower step"})
    assert summary["phase"] == "eval"  # `last` follows the step, as the lake's latest-step view


@pytest.mark.parametrize("value", [np.zeros((3, 4)), np.arange(5)])
def test_arrays_are_refused_naming_the_key_and_the_coming_histogram(
    offline_run: OfflineRun, value: np.ndarray
) -> None:
    run = offline_run()
    message = r"'h' is a numpy.ndarray of shape \(.*\); .*wanllmdb.Histogram"
    with pytest.raises(NotYetSupported, match=message) as info:
        run.log({"h": value})
    assert info.value.key == "h"


@pytest.mark.parametrize("key", ["", "k" * 257])
def test_empty_and_overlong_keys_are_rejected(offline_run: OfflineRun, key: str) -> None:
    run = offline_run()
    with pytest.raises(InvalidValue, match=r"empty key|the limit is 256"):
        run.log({key: 1.0})
    run.log({"k" * 256: 1.0})  # exactly at the limit is fine


def test_log_after_finish_raises_a_clear_error(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.finish()
    with pytest.raises(UsageError, match="log\\(\\) after finish\\(\\)"):
        run.log({"a": 1.0})
    with pytest.raises(UsageError, match="no active run"):
        wanllmdb.log({"a": 1.0})


def test_size_bound_cuts_a_chunk_before_the_interval(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"flush_interval_s": 3600, "flush_max_values": 100})
    for i in range(50):
        run.log({"a": float(i), "b": float(i)})
    deadline = __import__("time").monotonic() + 5
    assert run.dir is not None
    while not list((run.dir / "chunks").glob("history-*")) and __import__("time").monotonic() < deadline:
        __import__("time").sleep(0.02)
    assert list((run.dir / "chunks").glob("history-*")), "the size bound did not trigger a flush"
    run.finish()


def test_chunks_follow_the_lake_schema_and_use_zstd(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0})
    run.finish()
    assert run.dir is not None
    path = next((run.dir / "chunks").glob("history-a0000-000000000.parquet"))
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    t = read_stream(run.dir, "history")
    assert t.column_names == ["step", "ts", "key", "value", "attempt", "ref", "text", "media"]
    assert t["attempt"].to_pylist() == [0]


def test_context_manager_finishes_and_marks_failure(offline_run: OfflineRun) -> None:
    run = offline_run()

    def train() -> None:
        with run:
            run.log({"a": 1.0})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        train()
    assert wanllmdb.run is None
    assert run.final_state == "failed"


def test_import_wanllmdb_loads_no_pyarrow_and_no_http_client() -> None:
    # pyarrow loads with the first chunk (on the flusher thread), urllib3 with the first client.
    heavy = "('pyarrow', 'httpx', 'urllib3')"
    code = f"import sys, wanllmdb; print(sorted(m for m in {heavy} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(Path(wanllmdb.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("preset", "pyarrow_first", "expected"),
    [(None, False, "system"), ("mimalloc", False, "mimalloc"), (None, True, None)],
)
def test_the_sdk_picks_arrows_system_allocator_only_where_nobody_chose(
    preset: str | None, pyarrow_first: bool, expected: str | None
) -> None:
    code = (
        "import pyarrow\n" if pyarrow_first else ""
    ) + "import wanllmdb, pyarrow as pa\nprint(pa.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    env["PYTHONPATH"] = str(Path(wanllmdb.__file__).parents[1])
    if preset is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = preset
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    if expected is None:  # pyarrow came first: whatever this build picks by itself stays
        plain = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"
        plain_run = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, env=env)
        expected = plain_run.stdout
    assert out.stdout.strip() == expected.strip()
