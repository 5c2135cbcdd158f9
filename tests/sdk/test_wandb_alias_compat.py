"""wanllmdb.wandb_compat, what the opt-in `wandb` alias runs, in this process: where each ``wandb.<...>``
module resolves, how a real wandb is found, and wandb's variables under the alias (the alias itself:
integrations/test_wandb_alias.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wanllmdb import settings
from wanllmdb.settings import Settings
from wanllmdb.util import json_dumps_safer
from wanllmdb.wandb_compat import RealWandbInstalled, WandbFinder, find_real_wandb, stand_in


@pytest.mark.parametrize(
    ("wandb_module", "wanllmdb_module"),
    [
        ("wandb.sdk.lib", "wanllmdb.wandb_compat.lib"),
        ("wandb.sdk.lib.config_util", "wanllmdb.wandb_compat.lib"),
        ("wandb.sdk.data_types", "wanllmdb.data_types"),
        ("wandb.sdk.data_types.image", "wanllmdb.data_types.image"),
        ("wandb.sdk.data_types.base_types.wb_value", "wanllmdb.wandb_compat.lib"),
        ("wandb.wandb_run", "wanllmdb.run"),
        ("wandb.util", "wanllmdb.util"),
        ("wandb.integration.lightning", "wanllmdb.integration.lightning"),
        ("wandb.apis", "wanllmdb.apis"),
        ("wandb.apis.public", "wanllmdb.api"),
        ("wandb.apis.reports", "wanllmdb.apis.reports"),
        ("wandb.run", None),  # the active run's name: never a module
        ("wandbx.util", None),
        ("wandb", None),
    ],
)
def test_each_wandb_module_resolves_to_its_stand_in(wandb_module: str, wanllmdb_module: str | None) -> None:
    assert stand_in(wandb_module) == wanllmdb_module


def test_the_finder_answers_only_for_modules_that_exist() -> None:
    finder = WandbFinder()
    spec = finder.find_spec("wandb.sdk.lib")
    assert spec is not None and spec.name == "wandb.sdk.lib"
    assert finder.find_spec("wandb.sdk.data_types").submodule_search_locations is not None  # type: ignore[union-attr]
    assert finder.find_spec("wandb.wandb_run") is not None
    assert finder.find_spec("wandb.apis").submodule_search_locations is not None  # type: ignore[union-attr]
    assert finder.find_spec("wandb.apis.reports") is not None
    assert finder.find_spec("wandb.no_such_module") is None
    assert finder.find_spec("numpy") is None


def test_a_real_wandb_elsewhere_on_the_path_is_found(tmp_path: Path) -> None:
    alias = tmp_path / "alias" / "wandb"
    real = tmp_path / "site" / "wandb"
    for package in (alias, real):
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
    search = [str(tmp_path / "nothing"), str(alias.parent)]
    assert find_real_wandb(alias, search) is None
    assert find_real_wandb(alias, [*search, str(real.parent)]) == real
    message = str(RealWandbInstalled(real, alias))
    assert f"a real wandb is installed at {real}" in message and "pip uninstall wandb" in message


def test_wandb_variables_configure_wanllmdb_only_under_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_environments", [settings.ENVIRONMENT])
    monkeypatch.setenv("WANDB_PROJECT", "from-wandb")
    monkeypatch.setenv("WANDB_MODE", "dryrun")
    monkeypatch.setenv("WANDB_API_KEY", "w" * 40)
    monkeypatch.delenv("WANLLMDB_PROJECT", raising=False)
    monkeypatch.delenv("WANLLMDB_MODE", raising=False)
    # Without the alias a WANDB_API_KEY is W&B's: it must never be sent to a wanllmdb server.
    assert Settings.resolve().project != "from-wandb"
    settings.read_wandb_environment()
    settings.read_wandb_environment()  # once is enough
    assert settings._environments == [settings.ENVIRONMENT, settings.WANDB_ENVIRONMENT]
    resolved = Settings.resolve()
    assert (resolved.project, resolved.mode, resolved.api_key) == ("from-wandb", "offline", "w" * 40)
    monkeypatch.setenv("WANLLMDB_PROJECT", "ours")  # a WANLLMDB_ variable wins over its WANDB_ twin
    assert Settings.resolve().project == "ours"


def test_json_dumps_safer_writes_what_json_cannot() -> None:
    assert json_dumps_safer({"n": np.int64(3), "a": np.arange(2), "s": {2, 1}, "o": object}) == (
        '{"n": 3, "a": [0, 1], "s": [1, 2], "o": "<class \'object\'>"}'
    )
