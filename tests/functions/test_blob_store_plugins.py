"""The `wanllmdb.blob_stores` entry-point group: examples/custom_blob_store registers mem://, found as an
installed package would be (a dist-info on sys.path, which is what pip writes), picked by
WANLLMDB_BLOB_URL and held to the BlobStore contract."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.contract import test_blob_store as contract
from wanllmdb_functions.app.blob_url import ENTRY_POINT_GROUP, blob_store_from_url, supported_schemes
from wanllmdb_functions.core.settings import SettingsError, load_settings
from wanllmdb_functions.ports import BlobStore

EXAMPLE = REPO / "examples" / "custom_blob_store"

CONTRACT_SLICE: list[Callable[[BlobStore], None]] = [
    contract.test_put_get_head_round_trip,
    contract.test_put_overwrites_whole_object,
    contract.test_missing_object_is_not_found_and_head_is_none,
    contract.test_list_by_prefix_in_key_order,
    contract.test_delete_is_idempotent,
    contract.test_copy,
    contract.test_copy_replaces_the_destination_and_a_missing_source_is_not_found,
    contract.test_presigned_put_names_the_key_method_and_expiry,
    contract.test_complete_with_unknown_part_is_invalid_and_abort_is_idempotent,
    contract.test_multipart_refuses_bad_part_numbers_and_empty_part_lists,
    contract.test_location_points_readers_at_the_prefix,
]


@pytest.fixture
def installed_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example as pip would leave it: its package importable and a dist-info whose entry_points.txt
    is generated from the example's own pyproject.toml (so the test follows what it declares)."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    group = project["entry-points"][ENTRY_POINT_GROUP]
    dist = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir()
    dist.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in group.items())
    dist.joinpath("entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))


def _mem_store(tmp_path: Path, url: str) -> Any:
    return blob_store_from_url(load_settings(data_dir=tmp_path, blob_url=url), {})


@pytest.mark.usefixtures("installed_example")
@pytest.mark.parametrize("case", CONTRACT_SLICE, ids=lambda case: case.__name__)
def test_the_plugin_store_passes_the_contract(case: Callable[[BlobStore], None], tmp_path: Path) -> None:
    case(_mem_store(tmp_path, f"mem://{tmp_path.name}"))


@pytest.mark.usefixtures("installed_example")
def test_the_plugin_assembles_multipart_uploads(tmp_path: Path) -> None:
    store = _mem_store(tmp_path, "mem://parts")
    upload_id = store.create_multipart("big/obj", content_type="application/octet-stream")
    parts = [(n, store.write_part(upload_id, n, body)) for n, body in ((1, b"a" * 10), (2, b"tail"))]
    store.complete_multipart("big/obj", upload_id, parts)
    assert store.get("big/obj") == b"a" * 10 + b"tail"


@pytest.mark.usefixtures("installed_example")
def test_plugin_schemes_are_listed_and_their_errors_reach_the_caller(tmp_path: Path) -> None:
    assert "mem" in supported_schemes()
    with pytest.raises(SettingsError, match="mem://scratch"):
        _mem_store(tmp_path, "mem://")
    with pytest.raises(SettingsError, match="mem://"):  # the unknown-scheme message lists the plug-in
        _mem_store(tmp_path, "nope://x")


def test_without_the_plugin_mem_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown scheme mem://"):
        _mem_store(tmp_path, "mem://x")
