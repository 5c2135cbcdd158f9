"""Config history of one run and the leaf-level config diff of two runs."""

from __future__ import annotations

from ..core.caller import Caller
from ..core.errors import NotFound
from ..core.policy import Permission
from .keys import config_prefix
from .models import ConfigDiff, ConfigHistory, ConfigVersion
from .records import json_safe, load_config
from .service import RunService
from .tree import diff_leaves

__all__ = ["config_diff", "config_history"]


def config_history(
    runs: RunService, caller: Caller, run_id: str, *, project_id: str | None = None
) -> ConfigHistory:
    """Every version, oldest first; version 1 is the config the run was created with."""
    run = runs.authorized_item(caller, run_id, Permission.RUN_READ, project_id=project_id)
    versions = [
        ConfigVersion(
            version=int(item["version"]),
            config=json_safe(load_config(runs.blobs, item)),
            changed_at=item["changed_at"],
        )
        for item in runs.items.query_all(run["pk"], sk_prefix=config_prefix(run))
    ]
    return ConfigHistory(items=versions)


def config_diff(
    runs: RunService, caller: Caller, a: str, b: str, *, project_id: str | None = None
) -> ConfigDiff:
    configs = []
    for name, run_id in (("a", a), ("b", b)):
        try:
            item = runs.authorized_item(caller, run_id, Permission.RUN_READ, project_id=project_id)
        except NotFound as exc:
            raise NotFound(exc.message, field=name) from None
        configs.append(load_config(runs.blobs, item))
    return ConfigDiff(**json_safe(diff_leaves(configs[0], configs[1])))
