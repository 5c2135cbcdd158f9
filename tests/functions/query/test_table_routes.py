"""The table viewer's route over real HTTP, on tables the real SDK logged: pages, server-side sort,
filters in the runs table's language, group-by, media cells with presigned GETs, and 1M rows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import polars as pl
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def logged(module_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key = admin_key(module_server.data_dir)
    settings = {"base_url": module_server.url, "api_key": key, "system_metrics": False}
    run = wanllmdb.init(project="tables", dir=tmp_path_factory.mktemp("run"), settings=settings)
    preds = wanllmdb.Table(columns=["id", "label", "score", "tags", "img"])
    for i in range(30):
        image = wanllmdb.Image(np.full((2, 2), i, dtype=np.uint8)) if i % 10 == 0 else None
        preds.add_data(i, ["cat", "dog", "owl"][i % 3], i / 10, ["even" if i % 2 == 0 else "odd"], image)
    run.log({"preds": preds, "loss": 1.0, "pic": wanllmdb.Image(np.zeros((2, 2), dtype=np.uint8))})
    rng = np.random.default_rng(0)
    big = pl.DataFrame({"i": np.arange(1_000_000), "x": rng.random(1_000_000),
                        "cls": rng.integers(0, 5, 1_000_000).astype(str)})  # fmt: skip
    run.log({"big": wanllmdb.Table(dataframe=big)})
    run.finish()
    headers = {"Authorization": f"Bearer {key}"}
    return {"url": f"{module_server.url}/api/runs/{run.id}", "headers": headers, "big": big}


def get(logged: dict[str, Any], **params: Any) -> httpx.Response:
    return httpx.get(f"{logged['url']}/table", params=params, headers=logged["headers"], timeout=60)


def test_a_page_has_typed_columns_and_media_cells_with_urls(logged: dict[str, Any]) -> None:
    page = get(logged, key="preds", step=0, limit=5).raise_for_status().json()
    assert [(c["name"], c["kind"]) for c in page["columns"]] == [
        ("id", "int"), ("label", "str"), ("score", "number"), ("tags", "list"), ("img", "media:image-file"),
    ]  # fmt: skip
    assert page["total_rows"] == page["matched_rows"] == 30 and len(page["rows"]) == 5
    first = page["rows"][0]
    assert first[:4] == [0, "cat", 0.0, ["even"]]
    assert (
        first[4]["_type"] == "image-file" and httpx.get(first[4]["url"], timeout=30).content[:4] == b"\x89PNG"
    )
    assert page["rows"][1][4] is None
    later = get(logged, key="preds", step=99).json()  # a later step shows the nearest earlier table
    assert later["step"] == 0 and later["exact"] is False


def test_sort_filter_and_group_run_on_the_server(logged: dict[str, Any]) -> None:
    top = get(logged, key="preds", step=0, sort="score", desc="true", limit=3).json()
    assert [r[0] for r in top["rows"]] == [29, 28, 27]
    filters = json.dumps({"label": "dog", "score": {"$gte": 1.5}, "tags": {"$contains": "EVEN"}})
    dogs = get(logged, key="preds", step=0, filters=filters).json()
    assert [r[0] for r in dogs["rows"]] == [16, 22, 28] and dogs["matched_rows"] == 3
    either = json.dumps(
        {"$or": [{"id": {"$in": [1, 2]}}, {"label": {"$ne": "cat", "$exists": True}, "id": {"$lt": 1}}]}
    )
    assert [r[0] for r in get(logged, key="preds", step=0, filters=either).json()["rows"]] == [1, 2]
    grouped = get(logged, key="preds", step=0, group_by="label").json()
    assert {g["value"]: g["count"] for g in grouped["groups"]} == {"cat": 10, "dog": 10, "owl": 10}
    names = [c["name"] for c in grouped["columns"]]
    assert names[:2] == ["label", "count"] and "mean(score)" in names


def test_bad_input_names_the_field(logged: dict[str, Any]) -> None:
    cases = {
        "sort": {"sort": "nope"},
        "filters": {"filters": '{"nope": 1}'},
        "group_by": {"group_by": "img"},
        "limit": {"limit": 5000},
    }
    for field, params in cases.items():
        response = get(logged, key="preds", step=0, **params)
        assert response.status_code in (400, 422), (field, response.text)
        assert field in response.text, (field, response.text)
    bad_json = get(logged, key="preds", step=0, filters="{oops")
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.text
    missing = get(logged, key="nothing", step=0)
    assert missing.status_code == 404
    not_a_table = httpx.get(
        f"{logged['url']}/table", params={"key": "preds", "step": -1}, headers=logged["headers"]
    )
    assert not_a_table.status_code == 404


def test_a_million_rows_page_sort_and_filter_on_the_server(logged: dict[str, Any]) -> None:
    big: pl.DataFrame = logged["big"]
    first = get(logged, key="big", step=1, limit=3).json()  # the first read decodes and caches the file
    assert first["total_rows"] == 1_000_000
    started = time.perf_counter()
    top = get(logged, key="big", step=1, sort="x", desc="true", limit=100, offset=0).json()
    filtered = get(logged, key="big", step=1, filters=json.dumps({"cls": "3", "x": {"$lt": 0.001}})).json()
    elapsed = time.perf_counter() - started
    expected = big.sort("x", descending=True).head(100)["i"].to_list()
    assert [r[0] for r in top["rows"]] == expected
    want = big.filter((pl.col("cls") == "3") & (pl.col("x") < 0.001))
    assert (
        filtered["matched_rows"] == want.height
        and [r[0] for r in filtered["rows"]] == want["i"].head(100).to_list()
    )
    print(f"1M-row table: sort + filter pages in {elapsed * 1000:.0f} ms")


def test_the_public_api_reads_a_logged_table_as_a_frame_or_wandbs_json(
    logged: dict[str, Any], module_server: LocalServer
) -> None:
    run_id = logged["url"].rsplit("/", 1)[-1]
    with wanllmdb.Api(
        overrides={"base_url": module_server.url, "api_key": admin_key(module_server.data_dir)}
    ) as api:
        run = api.run(f"tables/{run_id}")
        frame = run.table("big", format="polars")
        assert frame.shape == (1_000_000, 3) and frame["i"].to_list()[:3] == [0, 1, 2]
        exported = run.table("preds", format="json")
        assert exported["columns"] == ["id", "label", "score", "tags", "img"]
        assert exported["data"][1][:3] == [1, "dog", 0.1] and len(exported["data"]) == 30
        with pytest.raises(wanllmdb.UsageError, match="holds image-file, not a table"):
            run.table("pic")


def test_the_same_table_of_two_runs_joins_on_a_column(
    logged: dict[str, Any], module_server: LocalServer, tmp_path: Path
) -> None:
    key = admin_key(module_server.data_dir)
    settings = {"base_url": module_server.url, "api_key": key, "system_metrics": False}
    run = wanllmdb.init(project="tables", name="second", dir=tmp_path, settings=settings)
    preds = wanllmdb.Table(columns=["id", "label", "img"])
    for i in (1, 2, 40):
        preds.add_data(i, "second", wanllmdb.Image(np.full((2, 2), 200 + i, dtype=np.uint8)))
    run.log({"preds": preds})
    run.finish()
    first_id = logged["url"].rsplit("/", 1)[-1]
    project = httpx.get(f"{logged['url']}", headers=logged["headers"]).json()["project_id"]
    body = {"runs": [first_id, run.id], "key": "preds", "on": "id", "sort": "id", "limit": 100}
    url = f"{module_server.url}/api/projects/{project}/tables/join"
    page = httpx.post(url, json=body, headers=logged["headers"], timeout=60).raise_for_status().json()
    names = [c["name"] for c in page["columns"]]
    assert names[0] == "id" and "second/label" in names and "second/img" in names
    by_id = {r[0]: dict(zip(names, r, strict=True)) for r in page["rows"]}
    assert page["matched_rows"] == 31 and by_id[40]["second/label"] == "second"
    first_label = next(n for n in names if n.endswith("/label") and n != "second/label")
    assert (
        by_id[1][first_label] == "dog"
        and by_id[1]["second/label"] == "second"
        and by_id[40][first_label] is None
    )
    # Each media column is signed for the run that logged it.
    assert httpx.get(by_id[40]["second/img"]["url"], timeout=30).status_code == 200
    bad = httpx.post(url, json={**body, "on": "score"}, headers=logged["headers"], timeout=60)
    assert (
        bad.status_code == 400 and "on" in bad.json()["field"] if "field" in bad.json() else "on" in bad.text
    )
