"""RunService and RunTable on both backends: lifecycle, config versions, summary, reaper, listing, delete."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from wanllmdb_functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from wanllmdb_functions.ports import TransactOp, events
from wanllmdb_functions.runs.models import ConfigPatch, RunCreate, RunMetadata, RunPatch, SummaryPatch
from wanllmdb_functions.runs.versions import config_diff, config_history

from .conftest import World


def create(w: World, run_id: str = "r1", **kwargs: object) -> tuple[object, bool]:
    return w.runs.create(w.owner, w.project_id, RunCreate(id=run_id, **kwargs))  # type: ignore[arg-type]


def test_create_then_retried_create_returns_the_same_run(world: World) -> None:
    run, created = world.runs.create(
        world.owner, world.project_id, RunCreate(id="r1", name="first", tags=["a"])
    )
    assert created and run.state == "running" and run.attempt == 0
    assert (run.entity, run.project) == ("lab", "mnist")
    again, created_again = world.runs.create(world.owner, world.project_id, RunCreate(id="r1", name="other"))
    assert not created_again and again.name == "first" and again.created_at == run.created_at


def test_create_of_an_old_or_finished_run_without_resume_is_a_conflict(world: World) -> None:
    create(world)
    world.runs.patch(world.owner, "r1", RunPatch(state="finished"))
    with pytest.raises(Conflict) as err:
        create(world)
    assert err.value.field == "id"


def test_resume_increments_the_attempt_and_returns_to_running(world: World) -> None:
    create(world, config={"lr": 0.1})
    world.runs.patch(world.owner, "r1", RunPatch(state="crashed"))
    run, created = world.runs.create(
        world.owner, world.project_id, RunCreate(id="r1", resume="allow", config={"epochs": 3})
    )
    assert not created and run.state == "running" and run.attempt == 1 and run.finished_at is None
    assert run.config == {"lr": 0.1, "epochs": 3}
    run, _ = world.runs.create(world.owner, world.project_id, RunCreate(id="r1", resume="must"))
    assert run.attempt == 2


def test_a_retried_create_or_resume_with_its_token_changes_nothing(world: World) -> None:
    # The SDK repeats its resume token on every retry of one init(); only a new token resumes.
    first, created = create(world, resume="allow", resume_token="token-create-1")
    again, created_again = create(world, resume="allow", resume_token="token-create-1")
    assert created and not created_again
    assert (first.attempt, again.attempt, again.updated_at) == (0, 0, first.updated_at)  # type: ignore[attr-defined]
    world.runs.patch(world.owner, "r1", RunPatch(state="finished"))
    resumed, _ = create(world, resume="allow", resume_token="token-resume-2")
    retried, _ = create(world, resume="allow", resume_token="token-resume-2")
    assert (resumed.attempt, retried.attempt, retried.state) == (1, 1, "running")  # type: ignore[attr-defined]
    third, _ = create(world, resume="must", resume_token="token-resume-3")
    assert third.attempt == 2  # type: ignore[attr-defined]


def test_a_retried_never_create_is_recognised_by_its_token_after_the_retry_window(world: World) -> None:
    create(world, resume_token="token-never-1")
    _backdate_created(world, "r1", seconds=3600)
    run, created = create(world, resume_token="token-never-1")
    assert not created and run.attempt == 0  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as err:
        create(world, resume_token="token-never-2")  # another init() with the same id
    assert err.value.field == "id"


def _backdate_created(w: World, run_id: str, seconds: int) -> None:
    from wanllmdb_functions.core.values import now_iso
    from wanllmdb_functions.runs.keys import run_key

    at = now_iso(datetime.now(UTC) - timedelta(seconds=seconds))
    w.items.update(*run_key(w.project_id, run_id), set_attrs={"created_at": at})


def test_resume_must_of_a_missing_run_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        create(world, "nope", resume="must")


def test_run_ids_are_per_project_and_reserved_ids_are_refused(world: World) -> None:
    from wanllmdb_functions.projects.models import ProjectCreate
    from wanllmdb_functions.projects.service import ProjectService

    create(world, config={"lr": 1})
    other, _ = ProjectService(world.items).create(world.owner, ProjectCreate(name="cifar", entity="lab"))
    # The same id in another project is an ordinary create, as for a free id: no conflict, no leak.
    twin, created = world.runs.create(world.owner, other.id, RunCreate(id="r1", config={"lr": 2}))
    assert created and twin.project_id == other.id and twin.attempt == 0
    # Each is addressed through its project; without one the id is ambiguous to this caller.
    assert world.runs.get(world.owner, "r1", project_id=world.project_id).config == {"lr": 1}
    assert world.runs.get(world.owner, "r1", project_id=other.id).config == {"lr": 2}
    with pytest.raises(InvalidInput) as ambiguous:
        world.runs.get(world.owner, "r1")
    assert ambiguous.value.field == "project_id"
    world.runs.patch(world.owner, "r1", RunPatch(state="finished"), project_id=other.id)
    assert world.runs.get(world.owner, "r1", project_id=world.project_id).state == "running"
    with pytest.raises(InvalidInput):
        create(world, "config-diff")


def test_a_run_of_a_project_the_caller_cannot_read_neither_blocks_nor_shows(world: World) -> None:
    from wanllmdb_functions.projects.models import ProjectCreate
    from wanllmdb_functions.projects.service import ProjectService

    create(world, "shared-id")
    stranger_project, _ = ProjectService(world.items).create(world.stranger, ProjectCreate(name="mine"))
    run, created = world.runs.create(world.stranger, stranger_project.id, RunCreate(id="shared-id"))
    assert created and run.project_id == stranger_project.id
    # Each caller sees only its own run of that id, so neither needs a project hint.
    assert world.runs.get(world.stranger, "shared-id").project_id == stranger_project.id
    assert world.runs.get(world.owner, "shared-id").project_id == world.project_id
    with pytest.raises(NotFound):
        world.runs.get(world.stranger, "shared-id", project_id=world.project_id)


def test_runs_written_before_ids_were_scoped_keep_working(world: World) -> None:
    from wanllmdb_functions.runs.keys import legacy_run_key, run_key

    create(world, "old", config={"lr": 1})
    world.runs.patch_config(world.owner, "old", ConfigPatch(config={"bs": 8}))
    # Rewrite it in the shape wave 1 stored: sort keys RUN and CONFIG#v…
    scoped_pk, scoped_sk = run_key(world.project_id, "old")
    for item in world.items.query(scoped_pk).items:
        world.items.delete(item["pk"], item["sk"])
        sk = "RUN" if item["sk"] == scoped_sk else "CONFIG#v" + item["sk"].rsplit("#v", 1)[1]
        world.items.put({**item, "sk": sk})
    assert world.items.get(*legacy_run_key("old")) is not None
    assert world.runs.get(world.owner, "old").config == {"lr": 1, "bs": 8}
    assert [v.version for v in config_history(world.runs, world.owner, "old").items] == [1, 2]
    run, created = world.runs.create(world.owner, world.project_id, RunCreate(id="old", resume="allow"))
    assert not created and run.attempt == 1
    world.runs.patch_config(world.owner, "old", ConfigPatch(config={"wd": 0.1}))
    assert [v.version for v in config_history(world.runs, world.owner, "old").items] == [1, 2, 3]
    _delete_and_purge(world, "old")
    assert world.items.query("RUN#old").items == []


@pytest.mark.parametrize(
    ("path", "legal"),
    [
        (["finished"], True),
        (["paused", "running", "failed"], True),
        (["finished", "running"], False),
        (["crashed", "paused"], False),
        (["paused", "finished"], False),
        (["finished", "failed"], False),
    ],
)
def test_state_machine(world: World, path: list[str], legal: bool) -> None:
    create(world)
    *head, last = path
    for state in head:
        world.runs.patch(world.owner, "r1", RunPatch(state=state))  # type: ignore[arg-type]
    if legal:
        assert world.runs.patch(world.owner, "r1", RunPatch(state=last)).state == last  # type: ignore[arg-type]
    else:
        with pytest.raises(Conflict) as err:
            world.runs.patch(world.owner, "r1", RunPatch(state=last))  # type: ignore[arg-type]
        assert err.value.field == "state"
        assert world.runs.get(world.owner, "r1").state == head[-1]


def test_finishing_fires_the_hook_once_and_a_repeated_finish_is_a_no_op(world: World) -> None:
    seen: list[events.RunFinished] = []
    world.run_finished.subscribe(seen.append)
    create(world)
    run = world.runs.patch(world.owner, "r1", RunPatch(state="finished", exit_code=0))
    world.runs.patch(world.owner, "r1", RunPatch(state="finished"))
    assert [(e.run_id, e.state, e.attempt) for e in seen] == [("r1", "finished", 0)]
    assert run.finished_at is not None and run.exit_code == 0


def test_patch_sets_and_clears_fields(world: World) -> None:
    create(world, name="n", group="g", job_type="train", notes="hi")
    run = world.runs.patch(world.owner, "r1", RunPatch(name="renamed", tags=["x", "y"], group=None))
    assert (run.name, run.tags, run.group, run.job_type, run.notes) == (
        "renamed",
        ["x", "y"],
        None,
        "train",
        "hi",
    )


def test_config_changes_keep_every_version(world: World) -> None:
    create(world, config={"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}})
    world.runs.patch_config(
        world.owner, "r1", ConfigPatch(config={"opt": {"beta": 0.99}}, allow_val_change=True)
    )
    world.runs.patch_config(world.owner, "r1", ConfigPatch(config={"batch": 64}))
    world.runs.patch_config(world.owner, "r1", ConfigPatch(config={"batch": 64}))  # no change, no version
    history = config_history(world.runs, world.owner, "r1").items
    assert [v.version for v in history] == [1, 2, 3]
    assert history[0].config == {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}}
    assert history[2].config == {"lr": 0.1, "opt": {"name": "adam", "beta": 0.99}, "batch": 64}


def test_changing_a_config_value_needs_allow_val_change(world: World) -> None:
    create(world, config={"lr": 0.1})
    with pytest.raises(Conflict) as err:
        world.runs.patch_config(world.owner, "r1", ConfigPatch(config={"lr": 0.2}))
    assert err.value.field == "config.lr"


def test_large_configs_live_in_blobs_whole(world: World) -> None:
    big = {"layers": [{"w": i, "name": f"layer-{i}"} for i in range(2000)], "lr": 0.5}
    run, _ = create(world, config=big)
    assert run.config == big  # type: ignore[attr-defined]
    keys = [b.key for b in world.blobs.list(f"configs/project={world.project_id}/run=r1/")]
    assert keys == [f"configs/project={world.project_id}/run=r1/v000001.json"]
    world.runs.patch_config(world.owner, "r1", ConfigPatch(config={"epochs": 2}))
    assert world.runs.get(world.owner, "r1").config == {**big, "epochs": 2}
    assert config_history(world.runs, world.owner, "r1").items[0].config == big
    page = world.table.list(world.owner, world.project_id, filters=json.dumps({"config.lr": 0.5}))
    assert page.total == 1


def test_config_over_the_limit_is_refused_and_nothing_changes(world: World) -> None:
    create(world, config={"a": 1})
    with pytest.raises(TooLarge) as err:
        world.runs.patch_config(world.owner, "r1", ConfigPatch(config={"blob": "x" * (11 << 20)}))
    assert err.value.field == "config"
    assert world.runs.get(world.owner, "r1").config == {"a": 1}


def test_config_diff_of_two_runs(world: World) -> None:
    create(world, "a", config={"lr": 0.1, "opt": {"name": "adam"}, "seed": 1})
    create(world, "b", config={"lr": 0.2, "opt": {"name": "adam"}, "depth": 4})
    diff = config_diff(world.runs, world.owner, "a", "b")
    assert diff.changed == {"lr": [0.1, 0.2]}
    assert (diff.only_a, diff.only_b) == ({"seed": 1}, {"depth": 4})


def test_summary_merges_and_is_bounded(world: World) -> None:
    create(world)
    world.runs.patch_summary(world.owner, "r1", SummaryPatch(summary={"loss": 0.5, "val.acc": 0.7}))
    run = world.runs.patch_summary(world.owner, "r1", SummaryPatch(summary={"loss": float("nan")}))
    assert run.summary == {"loss": "NaN", "val.acc": 0.7}
    with pytest.raises(TooLarge):
        world.runs.patch_summary(world.owner, "r1", SummaryPatch(summary={"big": "x" * 200_000}))


def test_metadata_git_remote_loses_its_credentials(world: World) -> None:
    meta = RunMetadata.model_validate(
        {"host": "gpu1", "python": "3.12.1", "gpu_names": ["H100"], "command": "python train.py",
         "git": {"commit": "abc", "branch": "main", "dirty": True,
                 "remote": "https://user:ghp_secret@github.com/org/repo.git"}}
    )  # fmt: skip
    run, _ = create(world, metadata=meta)
    git = run.metadata["git"]  # type: ignore[attr-defined]
    assert git["remote"] == "https://github.com/org/repo.git" and git["dirty"] is True
    assert run.metadata["gpu_names"] == ["H100"]  # type: ignore[attr-defined]


def test_viewers_read_but_cannot_write_and_strangers_see_nothing(world: World) -> None:
    create(world)
    assert world.runs.get(world.viewer, "r1").id == "r1"
    with pytest.raises(Forbidden):
        world.runs.patch(world.viewer, "r1", RunPatch(name="x"))
    with pytest.raises(Forbidden):
        world.runs.create(world.viewer, world.project_id, RunCreate(id="r2"))
    with pytest.raises(NotFound):
        world.runs.get(world.stranger, "r1")
    with pytest.raises(NotFound):
        world.table.list(world.stranger, world.project_id)


def _backdate(w: World, run_id: str, seconds: int) -> None:
    from wanllmdb_functions.core.values import now_iso
    from wanllmdb_functions.runs.keys import live_sort_key, run_key

    at = now_iso(datetime.now(UTC) - timedelta(seconds=seconds))
    w.items.update(
        *run_key(w.project_id, run_id), set_attrs={"heartbeat_at": at, "gsi1sk": live_sort_key(at, run_id)}
    )


def test_heartbeat_and_the_reaper_crash_silent_runs_only(world: World) -> None:
    seen: list[str] = []
    world.run_finished.subscribe(lambda e: seen.append(e.run_id))
    timeout = world.settings.heartbeat_timeout_s
    for run_id in ("alive", "silent", "paused", "late"):
        create(world, run_id)
        _backdate(world, run_id, timeout + 10)
    world.runs.patch(world.owner, "paused", RunPatch(state="paused"))
    assert world.runs.heartbeat(world.owner, "alive") == ("running", 0)
    crashed = world.runs.reap_stale()
    # A beat that lands after the reaper read its index: the re-check must spare the run.
    later = datetime.now(UTC) + timedelta(seconds=timeout + 1)
    world.items.update(*_run_key(world, "alive"), set_attrs={"heartbeat_at": "9999"})
    crashed_later = world.runs.reap_stale(now=later)
    assert sorted(crashed) == ["late", "silent"]
    assert crashed_later == []
    assert world.runs.get(world.owner, "alive").state == "running"
    assert world.runs.get(world.owner, "silent").state == "crashed"
    assert world.runs.get(world.owner, "paused").state == "paused"
    assert sorted(seen) == ["late", "silent"]
    assert world.runs.heartbeat(world.owner, "silent") == ("crashed", 0)


def _run_key(w: World, run_id: str) -> tuple[str, str]:
    from wanllmdb_functions.runs.keys import run_key

    return run_key(w.project_id, run_id)


def test_listing_filters_sorts_and_pages(world: World) -> None:
    for i in range(12):
        create(world, f"r{i:02d}", config={"lr": 0.01 * (i + 1), "opt": "adam" if i % 2 else "sgd"},
               tags=["even"] if i % 2 == 0 else [], group="g" if i < 6 else None)  # fmt: skip
        world.runs.patch_summary(world.owner, f"r{i:02d}", SummaryPatch(summary={"loss": (i * 7) % 12}))
    world.runs.patch(world.owner, "r03", RunPatch(state="finished"))
    filters = json.dumps({"config.opt": "adam", "summary.loss": {"$lt": 9}})
    page = world.table.list(world.owner, world.project_id, filters=filters, order="-summary.loss", per_page=2)
    expected = sorted((i for i in range(12) if i % 2 and (i * 7) % 12 < 9), key=lambda i: -((i * 7) % 12))
    assert page.total == len(expected)
    ids = [r.id for r in page.items]
    while page.next_cursor:
        page = world.table.list(world.owner, world.project_id, filters=filters, order="-summary.loss",
                                per_page=2, cursor=page.next_cursor)  # fmt: skip
        ids += [r.id for r in page.items]
    assert ids == [f"r{i:02d}" for i in expected]
    assert world.table.list(world.owner, world.project_id, state="finished").total == 1
    assert world.table.list(world.owner, world.project_id, tag="even").total == 6
    assert world.table.list(world.owner, world.project_id, group="g").total == 6
    by_lr = world.table.list(world.owner, world.project_id, order="config.lr", per_page=3)
    assert [r.id for r in by_lr.items] == ["r00", "r01", "r02"]


def _delete_and_purge(world: World, run_id: str) -> None:
    """A delete, then its purge at once, as if the grace period were over (tests/functions/deletes)."""
    from wanllmdb_functions.deletes.purge import Purger
    from wanllmdb_functions.deletes.service import DeletionService
    from wanllmdb_functions.runs.keys import deleted_run_key

    DeletionService(world.items, world.blobs, world.settings).delete_run(world.owner, run_id)
    tombstone = world.items.get(*deleted_run_key(world.project_id, run_id))
    assert tombstone is not None
    assert Purger(world.items, world.blobs, world.settings, owned=()).purge(tombstone)["state"] == "purged"


def test_delete_removes_items_and_every_lake_object_of_the_run(world: World) -> None:
    create(world, config={"blob": "x" * 10_000})
    create(world, "keep")
    p = world.project_id
    keys = [
        f"metrics/project={p}/run=r1/stream=history/chunk-a0000-000000000.parquet",
        f"logs/project={p}/run=r1/chunk-a0000-000000000.parquet",
        f"files/project={p}/run=r1/model.pt",
        f"media/project={p}/run=r1/img/0.png",
        f"metrics/project={p}/run=keep/stream=history/chunk-a0000-000000000.parquet",
    ]
    for key in keys:
        world.blobs.put(key, b"data")
    _delete_and_purge(world, "r1")
    with pytest.raises(NotFound):
        world.runs.get(world.owner, "r1")
    left = [
        b.key
        for prefix in ("metrics/", "logs/", "files/", "media/", "configs/")
        for b in world.blobs.list(prefix)
    ]
    assert left == [keys[-1]]
    assert world.table.list(world.owner, world.project_id).total == 1
    # The id is free again.
    assert create(world)[1] is True


def test_a_run_created_without_a_name_gets_a_memorable_one_unique_in_its_project(world: World) -> None:
    names = [create(world, f"n{i}")[0].name for i in range(30)]  # type: ignore[attr-defined]
    assert all(re.fullmatch(r"[a-z]+-[a-z]+-\d+", n) for n in names), names
    assert len(set(names)) == 30
    assert [int(n.rsplit("-", 1)[1]) for n in names] == list(range(1, 31))
    # A retried create answers with the stored name; a named run keeps its own and takes no number.
    assert create(world, "n0")[0].name == names[0]  # type: ignore[attr-defined]
    assert create(world, "named", name="baseline")[0].name == "baseline"  # type: ignore[attr-defined]
    assert create(world, "n30")[0].name.endswith("-31")  # type: ignore[attr-defined]


def test_project_run_counters_keep_crashed_apart_from_failed(world: World) -> None:
    from wanllmdb_functions.projects.service import ProjectService

    def counts() -> tuple[int, int, int, int]:
        c = ProjectService(world.items).get(world.owner, world.project_id).run_counts
        return c.running, c.finished, c.failed, c.crashed

    for run_id in ("r1", "r2", "r3"):
        create(world, run_id)
    world.runs.patch(world.owner, "r1", RunPatch(state="crashed"))
    world.runs.patch(world.owner, "r2", RunPatch(state="failed"))
    assert counts() == (1, 0, 1, 1)
    create(world, "r1", resume="allow")  # a resumed crash is running again
    assert counts() == (2, 0, 1, 0)


def _recorded_transactions(world: World, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each transaction from now on, as "action key-kind" per op (e.g. "add PROJECT")."""
    transactions: list[list[str]] = []
    real = world.items.transact_write

    def recorded(ops: list[TransactOp]) -> None:
        transactions.append([f"{op.action} {op.item['pk'].split('#')[0]}" for op in ops])
        real(ops)

    monkeypatch.setattr(world.items, "transact_write", recorded)
    return transactions


def test_the_counters_move_in_the_transaction_that_moves_the_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, they moved in a write of their own after the run's: a process killed between the two
    left the project counting a run that was never running, or never finished."""
    from wanllmdb_functions.projects.service import ProjectService

    create(world, "r1")
    transactions = _recorded_transactions(world, monkeypatch)
    monkeypatch.setattr(world.items, "update", lambda *a, **k: pytest.fail("a write outside the transaction"))
    world.runs.patch(world.owner, "r1", RunPatch(state="finished"))
    assert len(transactions) == 1 and "add PROJECT" in transactions[0], transactions
    counts = ProjectService(world.items).get(world.owner, world.project_id).run_counts
    assert (counts.running, counts.finished) == (0, 1)


def test_a_listing_counts_as_large_until_its_project_is_known_small(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside a local store a bounded listing runs on the event loop; a large one (or one whose size is
    not known yet) in the thread pool, so that it does not hold up every other request."""
    from wanllmdb_functions.runs import listing
    from wanllmdb_functions.runs.listing import RunTable
    from wanllmdb_functions.runs.row_cache import RowCache

    monkeypatch.setattr(listing, "BOUNDED_LISTING_ROWS", 2)
    table = RunTable(world.items, world.blobs, RowCache())
    assert RunTable(world.items, world.blobs).is_large(world.project_id)  # no cache: never known
    for run_id in ("r1", "r2"):
        create(world, run_id)
    assert table.is_large(world.project_id)  # not listed yet
    table.list(world.owner, world.project_id)
    # DynamoDB cannot tell what changed in a partition, so its rows are never kept nor counted.
    assert table.is_large(world.project_id) is not world.items.fast_calls
    create(world, "r3")
    table.list(world.owner, world.project_id)
    assert table.is_large(world.project_id)


def test_deleting_a_run_moves_the_counters_in_the_deletion_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wanllmdb_functions.deletes.service import DeletionService
    from wanllmdb_functions.projects.service import ProjectService

    create(world, "r1")
    transactions = _recorded_transactions(world, monkeypatch)
    DeletionService(world.items, world.blobs, world.settings).delete_run(world.owner, "r1")
    assert len(transactions) == 1 and "add PROJECT" in transactions[0], transactions
    assert ProjectService(world.items).get(world.owner, world.project_id).run_counts.running == 0
