"""The project's run index in the lake: rebuilt from the runs table on change, on both backends."""

from __future__ import annotations

import io

import pyarrow.parquet as pq

from wanllmdb_functions.compaction.run_index import RUN_INDEX_COLUMNS, write_run_index
from wanllmdb_functions.deletes.service import DeletionService
from wanllmdb_functions.lake.keys import run_index_key
from wanllmdb_functions.ports.events import RunChanged, RunChangedHook
from wanllmdb_functions.runs.models import ConfigPatch, RunCreate, RunPatch, SummaryPatch
from wanllmdb_functions.runs.service import RunService

from .conftest import World


def _index(w: World) -> dict[str, dict[str, object]]:
    table = pq.read_table(io.BytesIO(w.blobs.get(run_index_key(w.project_id))))
    return {row["run_id"]: row for row in table.to_pylist()}


def test_the_index_names_each_run_with_its_config_summary_and_times(world: World) -> None:
    runs = world.runs
    config = {"lr": 0.1, "opt": {"name": "adam"}}
    first = RunCreate(id="a", name="baseline", group="g", tags=["x"], config=config)
    runs.create(world.owner, world.project_id, first)
    runs.create(world.owner, world.project_id, RunCreate(id="b", config={"lr": 0.01, "opt": {"name": 3}}))
    runs.patch_summary(world.owner, "a", SummaryPatch(summary={"loss": 0.25}))
    runs.patch(world.owner, "a", RunPatch(state="finished", exit_code=0))
    key = write_run_index(world.items, world.blobs, world.project_id)
    assert key == run_index_key(world.project_id)
    table = pq.read_table(io.BytesIO(world.blobs.get(key)))
    assert list(table.column_names[: len(RUN_INDEX_COLUMNS)]) == list(RUN_INDEX_COLUMNS)
    rows = _index(world)
    a, b = rows["a"], rows["b"]
    assert (a["name"], a["state"], a["group"], a["tags"]) == ("baseline", "finished", "g", ["x"])
    assert a["finished_at"] is not None and b["finished_at"] is None and a["created_at"] is not None
    assert (a["config.lr"], b["config.lr"]) == (0.1, 0.01)  # one typed column per leaf
    assert (a["config.opt.name"], b["config.opt.name"]) == ('"adam"', "3")  # mixed types: JSON text
    assert a["summary.loss"] == 0.25 and b["summary.loss"] is None
    assert b["name"]  # a generated name, so analysts can tell runs apart
    # Nothing changed: nothing is written again.
    assert write_run_index(world.items, world.blobs, world.project_id) is None


def test_nan_infinities_and_huge_integers_are_indexed(world: World) -> None:
    """JSON cannot spell NaN or infinity: the JSON text holds null, the typed column the number. An
    integer beyond 64 bits (a seed, a hash) is written too, as JSON text and as a double."""
    import json
    import math

    config = {"seed": 2**70, "lr": 0.1}
    world.runs.create(world.owner, world.project_id, RunCreate(id="odd", config=config))
    world.runs.patch_summary(world.owner, "odd", SummaryPatch(summary={"loss": math.nan, "best": -math.inf}))
    write_run_index(world.items, world.blobs, world.project_id)
    odd = _index(world)["odd"]
    assert json.loads(str(odd["summary"])) == {"best": None, "loss": None}
    assert math.isnan(float(odd["summary.loss"])) and odd["summary.best"] == -math.inf  # type: ignore[arg-type]
    assert json.loads(str(odd["config"])) == {"lr": 0.1, "seed": 2**70}
    assert odd["config.seed"] == float(2**70)


def test_a_deleted_run_leaves_the_index_on_the_next_rebuild(world: World) -> None:
    world.runs.create(world.owner, world.project_id, RunCreate(id="keep"))
    world.runs.create(world.owner, world.project_id, RunCreate(id="gone"))
    write_run_index(world.items, world.blobs, world.project_id)
    DeletionService(world.items, world.blobs, world.settings).delete_run(world.owner, "gone")
    write_run_index(world.items, world.blobs, world.project_id)
    assert set(_index(world)) == {"keep"}


def test_run_changes_are_published_but_summary_patches_and_heartbeats_are_not(world: World) -> None:
    changed = RunChangedHook("run changed")
    seen: list[RunChanged] = []
    changed.subscribe(seen.append)
    runs = RunService(world.items, world.blobs, world.settings, world.run_finished, changed)
    runs.create(world.owner, world.project_id, RunCreate(id="r"))
    assert [(e.project_id, e.run_id) for e in seen] == [(world.project_id, "r")]
    runs.patch_summary(world.owner, "r", SummaryPatch(summary={"loss": 1.0}))
    runs.heartbeat(world.owner, "r")
    assert len(seen) == 1
    runs.patch_config(world.owner, "r", ConfigPatch(config={"lr": 0.3}))
    runs.patch(world.owner, "r", RunPatch(tags=["best"]))
    runs.patch(world.owner, "r", RunPatch(state="finished", exit_code=0))
    DeletionService(world.items, world.blobs, world.settings, changed).delete_run(world.owner, "r")
    assert len(seen) == 5
