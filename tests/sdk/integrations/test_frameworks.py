"""What every integration shares: a missing framework names the extra that installs it, an unsupported
version names the supported range, parameters always become config, and wandb's metric goals."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import numpy as np
import pytest

import wanllmdb
from tests.sdk.conftest import REPO
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported, UsageError
from wanllmdb.integration._framework import Supported, config_values, metric_goal, release

# integration: (the module it imports, the name in messages, the extra, a version it refuses)
FRAMEWORKS = {
    "sklearn": ("sklearn", "scikit-learn", ">=1.0,<2", "0.24.2"),
    "xgboost": ("xgboost", "xgboost", ">=2.0,<4", "1.7.6"),
    "lightgbm": ("lightgbm", "lightgbm", ">=4.0,<5", "3.3.5"),
    "catboost": ("catboost", "catboost", ">=1.0,<2", "2.0.0"),
    "gym": ("gymnasium", "gymnasium", ">=1.0,<2", "0.29.1"),
}


def fresh_import(monkeypatch: pytest.MonkeyPatch, integration: str) -> types.ModuleType:
    """Import the integration again, as a new process would (monkeypatch restores the old module)."""
    for name in [m for m in sys.modules if m.startswith(f"wanllmdb.integration.{integration}")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(f"wanllmdb.integration.{integration}")


@pytest.mark.parametrize("integration", FRAMEWORKS)
def test_without_its_framework_an_integration_names_the_extra_to_install(
    integration: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name, _, _ = FRAMEWORKS[integration]
    monkeypatch.setitem(sys.modules, module, None)  # `import <module>` raises ImportError
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, integration)
    assert str(caught.value) == (
        f"wanllmdb.integration.{integration} needs {name}, which is not installed: "
        f"pip install 'wanllmdb[{integration}]'"
    )
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, UsageError)


@pytest.mark.parametrize("integration", FRAMEWORKS)
def test_an_unsupported_framework_version_names_the_supported_range(
    integration: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name, supported, old = FRAMEWORKS[integration]
    importlib.import_module(module)  # installed: CI fails rather than skips without it
    monkeypatch.setattr(sys.modules[module], "__version__", old)
    with pytest.raises(FrameworkVersionUnsupported) as caught:
        fresh_import(monkeypatch, integration)
    assert str(caught.value) == (
        f"wanllmdb.integration.{integration} supports {name}{supported}, but {name} {old} is installed: "
        f"pip install '{name}{supported}' (or pip install 'wanllmdb[{integration}]')"
    )
    assert isinstance(caught.value, FrameworkMissing)


@pytest.mark.parametrize("integration", FRAMEWORKS)
def test_the_installed_framework_is_supported(integration: str) -> None:
    """CI installs every framework (the dev extra): a missing one fails here rather than skipping."""
    module = importlib.import_module(FRAMEWORKS[integration][0])
    assert getattr(wanllmdb, integration) is importlib.import_module(f"wanllmdb.integration.{integration}")
    assert release(module.__version__) in Supported(*_bounds(FRAMEWORKS[integration][2]))


def _bounds(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    low, below = text.removeprefix(">=").split(",<")
    return release(low), release(below)


def test_releases_parse_and_ranges_include_low_exclude_high() -> None:
    assert release("3.2.0rc1") == (3, 2, 0) and release("v1.2") == (1, 2) and release("dev") == ()
    supported = Supported((2, 0), (4,))
    assert (2, 0) in supported and (3, 99, 1) in supported
    assert (1, 7, 6) not in supported and (4, 0) not in supported and () not in supported
    assert str(supported) == ">=2.0,<4"


def test_framework_parameters_always_become_config_values() -> None:
    def objective() -> None: ...

    values = config_values({"lr": np.float32(0.5), "n": np.int64(3), "fobj": objective, "sets": ("a", 1)})
    assert values == {"lr": 0.5, "n": 3, "fobj": str(objective), "sets": ["a", 1]}
    assert type(values["n"]) is int


def test_wandbs_metric_goals() -> None:
    lower, higher = ["rmse", "error"], ["auc"]
    assert metric_goal("binary_logloss", lower, higher) == "min"  # anything with "loss"
    assert metric_goal("RMSE", lower, higher) == "min" and metric_goal("auc", lower, higher) == "max"
    assert metric_goal("MultiClass", lower, higher) is None


@pytest.mark.slow
def test_import_wanllmdb_loads_no_framework() -> None:
    code = (
        "import sys, wanllmdb; "
        "print(sorted(m for m in ('sklearn', 'xgboost', 'lightgbm', 'catboost') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"
