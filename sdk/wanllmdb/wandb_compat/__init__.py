"""The opt-in ``wandb`` alias: ``import wandb`` gives the ``wanllmdb`` module itself.

The alias distribution (``packaging/wandb-alias``, a package named ``wandb``) calls ``alias_module`` from
its ``__init__``. Code we cannot change (Lightning's ``WandbLogger``, Hugging Face's
``report_to="wandb"``, Ray's ``setup_wandb``) then runs against wanllmdb:

- ``sys.modules["wandb"]`` *is* ``wanllmdb``, not a copy, so ``wandb.run``, ``wandb.config`` and
  ``wandb.summary`` rebind on ``init()``/``finish()`` exactly as the real ones do;
- the submodules third-party code imports (``wandb.sdk.lib``, ``wandb.wandb_run``,
  ``wandb.sdk.data_types.image``, ``wandb.util``, ``wandb.env``, ...) resolve through ``WandbFinder``
  to wanllmdb's modules or to the small stand-ins in this package;
- wandb's ``WANDB_*`` variables configure wanllmdb (``settings.read_wandb_environment``); a
  ``WANLLMDB_*`` variable still wins over its twin.

A real wandb anywhere on ``sys.path`` makes the alias refuse to load (``RealWandbInstalled``): shadowing
it would silently send one tool's runs to the other.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from wanllmdb.errors import UsageError

__all__ = ["MODULES", "RealWandbInstalled", "WandbFinder", "alias_module", "find_real_wandb", "stand_in"]

# wandb's module -> the wanllmdb module that stands in for it. Any other ``wandb.X`` is ``wanllmdb.X``
# (``wandb.util``, ``wandb.plot``, ``wandb.integration.lightning``, ...), and any other
# ``wandb.sdk.data_types.X`` is ``wanllmdb.data_types.X``.
MODULES = {
    "wandb.sdk": "wanllmdb.wandb_compat.sdk",
    "wandb.sdk.lib": "wanllmdb.wandb_compat.lib",
    "wandb.sdk.lib.config_util": "wanllmdb.wandb_compat.lib",
    "wandb.sdk.lib.disabled": "wanllmdb.wandb_compat.lib",
    "wandb.sdk.data_types": "wanllmdb.data_types",
    "wandb.sdk.data_types.base_types": "wanllmdb.wandb_compat.lib",
    "wandb.sdk.data_types.base_types.wb_value": "wanllmdb.wandb_compat.lib",
    "wandb.wandb_run": "wanllmdb.run",
    "wandb.sdk.wandb_run": "wanllmdb.run",
    "wandb.env": "wanllmdb.wandb_compat.env",
    # wandb.apis.reports is wanllmdb.apis.reports by the prefix rule below.
    "wandb.apis": "wanllmdb.apis",
    "wandb.apis.public": "wanllmdb.api",
}
_PREFIXES = (("wandb.sdk.data_types.", "wanllmdb.data_types."), ("wandb.", "wanllmdb."))
# wanllmdb's modules under the names wandb rebinds to the active run: importing one as ``wandb.run``
# would replace ``wandb.run`` with a module (wandb has no such modules either).
_NOT_MODULES = frozenset({"wandb.run", "wandb.config", "wandb.summary"})


class RealWandbInstalled(UsageError, ImportError):
    """The alias was imported while a real wandb is installed too."""

    def __init__(self, real: Path, alias: Path) -> None:
        super().__init__(
            f"this `wandb` ({alias}) is wanllmdb's opt-in alias, but a real wandb is installed at {real}: "
            "the alias would shadow it, sending code meant for W&B to wanllmdb. Keep one: uninstall the "
            "real one (pip uninstall wandb) to run unmodified wandb code on wanllmdb, or remove the alias "
            f"({alias.parent}) and `import wanllmdb as wandb` in your own code"
        )
        self.real = real
        self.alias = alias


def stand_in(name: str) -> str | None:
    """The wanllmdb module that ``wandb.<...>`` resolves to; None for names outside ``wandb``."""
    if name in _NOT_MODULES:
        return None
    if name in MODULES:
        return MODULES[name]
    for prefix, target in _PREFIXES:
        if name.startswith(prefix):
            return target + name[len(prefix) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Loads ``wandb.X`` as the already-imported module it stands for: one module object, two names."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """The module ran when it was imported under its own name."""


class WandbFinder(importlib.abc.MetaPathFinder):
    """Finds ``wandb.<...>`` submodules among wanllmdb's (first on ``sys.meta_path``)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        module = stand_in(fullname)
        if module is None:
            return None
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:  # its parent package is missing
            return None
        if found is None:
            return None
        # A package (one with __path__) lets Python look for its submodules, which this finder serves.
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(module), is_package=found.submodule_search_locations is not None
        )


def find_real_wandb(alias: Path, search: Sequence[str]) -> Path | None:
    """A ``wandb`` package on ``search`` (``sys.path``) other than the alias at ``alias``."""
    mine = alias.resolve()
    for entry in search:
        candidate = Path(entry or ".") / "wandb"
        try:
            if (candidate / "__init__.py").is_file() and candidate.resolve() != mine:
                return candidate
        except OSError:  # an unreadable sys.path entry cannot hold a wandb we would shadow
            continue
    return None


def alias_module(name: str, alias: Path) -> None:
    """Make ``import <name>`` (``wandb``, from the alias package at ``alias``) give wanllmdb."""
    real = find_real_wandb(alias, sys.path)
    if real is not None:
        raise RealWandbInstalled(real, alias)
    import wanllmdb
    from wanllmdb import settings

    settings.read_wandb_environment()
    if not any(isinstance(finder, WandbFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, WandbFinder())
    sys.modules[name] = wanllmdb
