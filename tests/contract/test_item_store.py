"""The ItemStore contract: every adapter must pass every test here."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from wanllmdb_functions.core.errors import ConditionFailed, InvalidInput, TooLarge
from wanllmdb_functions.ports import Condition, ItemStore, TransactOp
from wanllmdb_functions.ports.item_store import MAX_ITEM_BYTES


def test_put_then_get_round_trips_every_value_type(item_store: ItemStore) -> None:
    item = {
        "pk": "P#1",
        "sk": "RUN#a",
        "name": "exp",
        "n": 3,
        "lr": 0.001,
        "ok": True,
        "none": None,
        "nested": {"a": {"b": [1, 2.5, "x", None, {"c": False}]}},
        "tags": ["x", "y"],
        "nan": float("nan"),
        "inf": float("-inf"),
        "big": 2**53,
        "huge": [2**70],
        "empty": "",
    }
    item_store.put(item)
    got = item_store.get("P#1", "RUN#a")
    assert got is not None
    assert math.isnan(got.pop("nan"))
    expected = {k: v for k, v in item.items() if k != "nan"}
    assert got == expected


def test_get_of_missing_item_is_none(item_store: ItemStore) -> None:
    assert item_store.get("P#none", "x") is None


def test_put_must_not_exist_condition_refuses_second_writer(item_store: ItemStore) -> None:
    item_store.put({"pk": "A", "sk": "1", "v": 1}, condition=Condition.not_exists())
    with pytest.raises(ConditionFailed):
        item_store.put({"pk": "A", "sk": "1", "v": 2}, condition=Condition.not_exists())
    assert item_store.get("A", "1") == {"pk": "A", "sk": "1", "v": 1}


def test_put_attribute_equals_condition(item_store: ItemStore) -> None:
    item_store.put({"pk": "A", "sk": "1", "state": "running"})
    item_store.put(
        {"pk": "A", "sk": "1", "state": "finished"}, condition=Condition.equals("state", "running")
    )
    with pytest.raises(ConditionFailed):
        item_store.put(
            {"pk": "A", "sk": "1", "state": "crashed"}, condition=Condition.equals("state", "running")
        )
    assert item_store.get("A", "1")["state"] == "finished"  # type: ignore[index]


def test_delete_is_idempotent_and_honours_conditions(item_store: ItemStore) -> None:
    item_store.put({"pk": "A", "sk": "1", "state": "x"})
    with pytest.raises(ConditionFailed):
        item_store.delete("A", "1", condition=Condition.equals("state", "y"))
    item_store.delete("A", "1")
    item_store.delete("A", "1")
    assert item_store.get("A", "1") is None


def test_update_sets_removes_and_counts_atomically(item_store: ItemStore) -> None:
    item_store.put({"pk": "A", "sk": "1", "a": 1, "b": "x", "count": 0})
    new = item_store.update("A", "1", set_attrs={"c": {"deep": [1]}}, remove=["b"], add={"count": 2})
    assert new == {"pk": "A", "sk": "1", "a": 1, "c": {"deep": [1]}, "count": 2}
    assert item_store.get("A", "1") == new


def test_update_creates_missing_item_and_counter_starts_at_zero(item_store: ItemStore) -> None:
    new = item_store.update("C", "seq", add={"n": 1})
    assert new["n"] == 1
    assert item_store.update("C", "seq", add={"n": 1})["n"] == 2


def test_update_condition_failure_changes_nothing(item_store: ItemStore) -> None:
    item_store.put({"pk": "A", "sk": "1", "state": "finished"})
    with pytest.raises(ConditionFailed):
        item_store.update(
            "A", "1", set_attrs={"state": "running"}, condition=Condition.equals("state", "paused")
        )
    assert item_store.get("A", "1") == {"pk": "A", "sk": "1", "state": "finished"}


def test_update_must_exist_condition_does_not_create(item_store: ItemStore) -> None:
    with pytest.raises(ConditionFailed):
        item_store.update("A", "missing", set_attrs={"x": 1}, condition=Condition.exists())
    assert item_store.get("A", "missing") is None


def _skip_races_on_moto(item_store: ItemStore) -> None:
    # moto applies concurrent requests without isolation, so races there test moto, not us. On
    # DynamoDB each call below is one conditional PutItem / UpdateItem, which the service applies
    # atomically; SQLite gets the real race.
    from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore

    if isinstance(item_store, DynamoItemStore):
        pytest.skip("moto does not isolate concurrent writes; DynamoDB itself guarantees this")


def test_parallel_counter_increments_are_not_lost(item_store: ItemStore) -> None:
    _skip_races_on_moto(item_store)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: item_store.update("C", "n", add={"n": 1}), range(40)))
    assert item_store.get("C", "n")["n"] == 40  # type: ignore[index]


def test_parallel_conditional_creates_yield_exactly_one_winner(item_store: ItemStore) -> None:
    _skip_races_on_moto(item_store)

    def create(i: int) -> bool:
        try:
            item_store.put({"pk": "RUN", "sk": "same-id", "writer": i}, condition=Condition.not_exists())
            return True
        except ConditionFailed:
            return False

    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(create, range(24)))
    assert sum(wins) == 1


def test_parallel_mixed_writes_fail_only_themselves(item_store: ItemStore) -> None:
    # Transactions whose check fails, conditional creates that lose, and counters all at once: a
    # failed write must take back only its own changes, never a neighbour's (SQLite commits
    # concurrent writers together, so this is the case that could leak).
    _skip_races_on_moto(item_store)
    item_store.put({"pk": "T", "sk": "gate", "open": False})

    def write(i: int) -> str:
        try:
            if i % 3 == 0:
                item_store.transact_write(
                    [
                        TransactOp("check", {"pk": "T", "sk": "gate"}, Condition.equals("open", True)),
                        TransactOp("put", {"pk": "T", "sk": f"leak-{i}"}),
                    ]
                )
                return "written"
            if i % 3 == 1:
                item_store.put({"pk": "T", "sk": "once", "by": i}, condition=Condition.not_exists())
                return "created"
            item_store.update("T", "count", add={"n": 1})
            return "counted"
        except ConditionFailed:
            return "refused"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(write, range(60)))
    assert outcomes.count("written") == 0 and outcomes.count("created") == 1
    assert outcomes.count("counted") == 20 and outcomes.count("refused") == 39
    assert item_store.get("T", "count") == {"pk": "T", "sk": "count", "n": 20}
    assert [i["sk"] for i in item_store.query("T").items] == ["count", "gate", "once"]


def test_query_by_partition_with_prefix_range_order_and_paging(item_store: ItemStore) -> None:
    for i in range(7):
        item_store.put({"pk": "P", "sk": f"RUN#{i:02d}", "i": i})
    item_store.put({"pk": "P", "sk": "META", "i": -1})
    item_store.put({"pk": "Q", "sk": "RUN#00", "i": 99})
    assert [i["i"] for i in item_store.query("P", sk_prefix="RUN#").items] == list(range(7))
    assert [i["i"] for i in item_store.query("P", sk_between=("RUN#02", "RUN#04")).items] == [2, 3, 4]
    assert [i["i"] for i in item_store.query("P", sk_prefix="RUN#", descending=True).items] == list(
        range(6, -1, -1)
    )
    seen, cursor = [], None
    while True:
        page = item_store.query("P", sk_prefix="RUN#", limit=3, cursor=cursor)
        seen += [i["i"] for i in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == list(range(7))


def test_query_all_yields_every_item_across_pages_in_order(item_store: ItemStore) -> None:
    for i in range(25):
        item_store.put({"pk": "P", "sk": f"RUN#{i:02d}", "i": i})
    item_store.put({"pk": "P", "sk": "META", "i": -1})
    assert [i["i"] for i in item_store.query_all("P", sk_prefix="RUN#", page_size=4)] == list(range(25))
    backwards = item_store.query_all("P", sk_prefix="RUN#", page_size=4, descending=True)
    assert [i["i"] for i in backwards] == list(range(24, -1, -1))
    between = item_store.query_all("P", sk_between=("RUN#05", "RUN#13"), page_size=2)
    assert [i["i"] for i in between] == list(range(5, 14))
    assert list(item_store.query_all("absent", page_size=3)) == []


def test_query_all_on_an_index_pages_through_equal_sort_keys(item_store: ItemStore) -> None:
    for i in range(9):
        item_store.put({"pk": f"RUN#{i}", "sk": "RUN", "gsi1pk": "LIVE", "gsi1sk": "same"})
    found = [i["pk"] for i in item_store.query_all("LIVE", index="gsi1", page_size=2)]
    assert sorted(found) == [f"RUN#{i}" for i in range(9)] and len(set(found)) == 9


def test_query_all_lets_the_caller_delete_what_it_was_given(item_store: ItemStore) -> None:
    for i in range(10):
        item_store.put({"pk": "F", "sk": f"MEMBER#{i}"})
    seen = []
    for item in item_store.query_all("F", sk_prefix="MEMBER#", page_size=3):
        seen.append(item["sk"])
        item_store.delete(item["pk"], item["sk"])
    assert seen == [f"MEMBER#{i}" for i in range(10)]
    assert item_store.query("F").items == []


def test_query_on_secondary_index(item_store: ItemStore) -> None:
    for i, state in enumerate(["running", "finished", "running"]):
        item_store.put({"pk": f"RUN#{i}", "sk": "RUN", "gsi1pk": f"STATE#{state}", "gsi1sk": f"T{i}"})
    item_store.put({"pk": "RUN#9", "sk": "RUN"})  # not in the index
    running = item_store.query("STATE#running", index="gsi1")
    assert [i["pk"] for i in running.items] == ["RUN#0", "RUN#2"]
    first = item_store.query("STATE#running", index="gsi1", limit=1)
    rest = item_store.query("STATE#running", index="gsi1", limit=1, cursor=first.cursor)
    assert [i["pk"] for i in first.items + rest.items] == ["RUN#0", "RUN#2"]


def test_update_can_move_an_item_out_of_an_index(item_store: ItemStore) -> None:
    item_store.put({"pk": "R", "sk": "1", "gsi1pk": "LIVE", "gsi1sk": "a"})
    item_store.update("R", "1", set_attrs={"gsi1pk": None, "gsi1sk": None})
    assert item_store.query("LIVE", index="gsi1").items == []


def test_update_can_move_an_item_within_an_index(item_store: ItemStore) -> None:
    item_store.put({"pk": "R", "sk": "1", "gsi1pk": "LIVE", "gsi1sk": "b"})
    item_store.update("R", "1", set_attrs={"gsi1sk": "a", "beat": 1})
    assert item_store.get("R", "1")["gsi1sk"] == "a"  # type: ignore[index]
    assert [i["gsi1sk"] for i in item_store.query("LIVE", index="gsi1", sk_between=("0", "a")).items] == ["a"]


def test_unknown_index_is_invalid_input(item_store: ItemStore) -> None:
    with pytest.raises(InvalidInput):
        item_store.query("x", index="gsi9")


def test_transaction_is_all_or_nothing(item_store: ItemStore) -> None:
    item_store.put({"pk": "ART", "sk": "v0"})
    with pytest.raises(ConditionFailed):
        item_store.transact_write(
            [
                TransactOp("put", {"pk": "ART", "sk": "latest", "v": 1}),
                TransactOp("put", {"pk": "ART", "sk": "v0", "v": 1}, Condition.not_exists()),
            ]
        )
    assert item_store.get("ART", "latest") is None
    item_store.transact_write(
        [
            TransactOp("put", {"pk": "ART", "sk": "v1"}, Condition.not_exists()),
            TransactOp("delete", {"pk": "ART", "sk": "v0"}),
            TransactOp("check", {"pk": "ART", "sk": "v1x"}, Condition.not_exists()),
        ]
    )
    assert item_store.get("ART", "v1") is not None
    assert item_store.get("ART", "v0") is None


def test_a_transaction_adds_to_counters_with_its_other_writes(item_store: ItemStore) -> None:
    item_store.put({"pk": "PROJ", "sk": "p1", "runs_running": 2, "name": "kept"})
    item_store.transact_write(
        [
            TransactOp("put", {"pk": "RUN", "sk": "r1", "state": "running"}, Condition.not_exists()),
            TransactOp("add", {"pk": "PROJ", "sk": "p1", "runs_running": 1, "rev": 1}, Condition.exists()),
        ]
    )
    assert item_store.get("PROJ", "p1") == {
        "pk": "PROJ", "sk": "p1", "runs_running": 3, "rev": 1, "name": "kept"
    }  # fmt: skip
    # A failed condition anywhere: neither the put nor the addition happens.
    with pytest.raises(ConditionFailed):
        item_store.transact_write(
            [
                TransactOp("put", {"pk": "RUN", "sk": "r1", "state": "running"}, Condition.not_exists()),
                TransactOp("add", {"pk": "PROJ", "sk": "p1", "runs_running": 1}, Condition.exists()),
            ]
        )
    with pytest.raises(ConditionFailed):
        item_store.transact_write([TransactOp("add", {"pk": "PROJ", "sk": "no", "n": 1}, Condition.exists())])
    assert item_store.get("PROJ", "p1")["runs_running"] == 3  # type: ignore[index]
    assert item_store.get("PROJ", "no") is None
    # Without a condition a missing item starts at 0, as update(add=...) does.
    item_store.transact_write([TransactOp("add", {"pk": "PROJ", "sk": "new", "n": -1, "f": 0.5})])
    assert item_store.get("PROJ", "new") == {"pk": "PROJ", "sk": "new", "n": -1, "f": 0.5}


@pytest.mark.parametrize(
    "increments",
    [{}, {"n": "1"}, {"n": True}, {"n": float("nan")}, {"n": float("inf")}],
    ids=["nothing", "text", "bool", "nan", "inf"],
)
def test_a_bad_addition_is_refused_before_anything_is_written(
    item_store: ItemStore, increments: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput):
        item_store.transact_write(
            [
                TransactOp("put", {"pk": "RUN", "sk": "r9"}),
                TransactOp("add", {"pk": "PROJ", "sk": "p9", **increments}),
            ]
        )
    assert item_store.get("RUN", "r9") is None and item_store.get("PROJ", "p9") is None


def test_expired_items_are_invisible(item_store: ItemStore) -> None:
    past, future = int(time.time()) - 10, int(time.time()) + 3600
    item_store.put({"pk": "S", "sk": "old", "ttl": past})
    item_store.put({"pk": "S", "sk": "new", "ttl": future})
    assert item_store.get("S", "old") is None
    assert [i["sk"] for i in item_store.query("S").items] == ["new"]


def test_oversized_item_is_refused(item_store: ItemStore) -> None:
    with pytest.raises(TooLarge):
        item_store.put({"pk": "A", "sk": "big", "blob": "x" * (MAX_ITEM_BYTES + 1)})
    assert item_store.get("A", "big") is None


@pytest.mark.parametrize(
    "bad", [{"pk": "", "sk": "1"}, {"pk": "a"}, {"pk": 1, "sk": "1"}, {"pk": "a", "sk": "1", "gsi1pk": 5}]
)
def test_malformed_keys_are_invalid_input(item_store: ItemStore, bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        item_store.put(bad)


def test_update_cannot_change_keys(item_store: ItemStore) -> None:
    with pytest.raises(InvalidInput):
        item_store.update("A", "1", set_attrs={"pk": "B"})


@pytest.mark.parametrize(
    "query",
    [
        {"pk": ""},
        {"pk": "A", "sk_prefix": ""},
        {"pk": "A", "sk_between": ("", "z")},
        {"pk": "A", "sk_between": ("a", "")},
    ],
)
def test_a_query_with_an_empty_key_value_is_refused_as_dynamodb_refuses_it(
    item_store: ItemStore, query: dict[str, object]
) -> None:
    rest = {k: v for k, v in query.items() if k != "pk"}
    with pytest.raises(InvalidInput, match="non-empty string"):
        item_store.query(str(query["pk"]), **rest)  # type: ignore[arg-type]


def test_partition_changes_name_every_key_written_since_a_stamp_and_no_other(
    item_store: ItemStore,
) -> None:
    first = item_store.partition_changes("stamped")
    if first is None:
        return  # this store cannot tell cheaply: callers read afresh, which is always right
    assert first.written is None  # no stamp given: read it all
    stamp = first.stamp

    def written() -> frozenset[str] | None:
        nonlocal stamp
        changes = item_store.partition_changes("stamped", stamp)
        assert changes is not None
        stamp = changes.stamp
        return changes.written

    assert written() == frozenset()
    item_store.put({"pk": "stamped", "sk": "a", "v": 1})
    item_store.put({"pk": "elsewhere", "sk": "z", "v": 1})
    assert written() == {"a"}
    item_store.put({"pk": "stamped", "sk": "a", "v": 2})  # a replace
    item_store.update("stamped", "b", add={"v": 1})
    assert written() == {"a", "b"}
    with pytest.raises(ConditionFailed):
        item_store.put({"pk": "stamped", "sk": "a"}, condition=Condition.not_exists())
    assert written() == frozenset()  # a refused write wrote nothing
    item_store.transact_write([TransactOp("put", {"pk": "stamped", "sk": "c"})])
    item_store.delete("stamped", "b")
    assert written() == {"b", "c"}
    assert written() == frozenset()


def test_batch_get_answers_in_the_order_asked_with_none_for_missing_and_expired(
    item_store: ItemStore,
) -> None:
    items = [{"pk": f"P#{i % 3}", "sk": f"RUN#{i}", "n": i} for i in range(450)]  # more than one statement
    for item in items:
        item_store.put(item)
    item_store.put({"pk": "P#0", "sk": "gone", "ttl": int(time.time()) - 10})
    keys = [("P#1", "RUN#missing"), ("P#0", "gone")] + [(i["pk"], i["sk"]) for i in reversed(items)]
    got = item_store.batch_get(keys)
    assert got[:2] == [None, None]
    assert got[2:] == list(reversed(items))
    assert item_store.batch_get([]) == []
