"""How a stage or alias move changes a model: pure planning over the stored items, so the rules live in
one place and the catalog only commits the plan. A move is committed as one transaction: the model item
(conditional on the `rev` it was read at, so concurrent moves of one model have one winner), every
version whose stage changes (conditional on the stage it was read in), and the audit and timeline
lines (events.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.errors import InvalidInput
from ..ports import Item
from .events import Change
from .models import STAGES

__all__ = [
    "HELD_STAGES",
    "Plan",
    "next_rev",
    "parse_stage",
    "plan_alias",
    "plan_alias_removal",
    "plan_stage",
    "rev_of",
]

# The stages the model item lists its versions in, for one-read registry pages and single-holder checks.
HELD_STAGES = ("Staging", "Production")
_BY_NAME = {stage.casefold(): stage for stage in STAGES}


def parse_stage(value: str, *, field: str = "stage") -> str:
    """`production`, `Production` → Production; anything else is refused, naming the stages."""
    stage = _BY_NAME.get(value.strip().casefold())
    if stage is None:
        raise InvalidInput(f"{field}: {value!r} is not a stage; use one of {', '.join(STAGES)}", field=field)
    return stage


@dataclass
class Plan:
    model: Item  # the model item to write, `rev` already moved on
    versions: list[tuple[Item, int]] = field(default_factory=list)  # (new item, the rev it was read at)
    changes: list[Change] = field(default_factory=list)


def next_rev(item: Item, **changes: object) -> Item:
    """`item` one revision on: every write of a model or version is conditional on the rev it read."""
    out = {**copy.deepcopy(item), **changes}
    out["rev"] = int(item.get("rev", 0)) + 1
    return out


def rev_of(item: Item) -> int:
    return int(item.get("rev", 0))


def plan_stage(
    model: Item,
    version: Item,
    stage: str,
    *,
    single_production: bool,
    load: Callable[[int], Item],
    comment: str = "",
    request_id: str | None = None,
) -> Plan | None:
    """Move `version` to `stage`; None when it is there already. Entering Production of a model that
    holds one version there archives the one it displaces, in the same plan."""
    before = str(version["stage"])
    if before == stage:
        return None
    name, index = str(model["name"]), int(version["index"])
    new = next_rev(model)
    holders: dict[str, list[int]] = {s: list(new.get("holders", {}).get(s, [])) for s in HELD_STAGES}
    if before in holders and index in holders[before]:
        holders[before].remove(index)
    plan = Plan(model=new)
    plan.versions.append((next_rev(version, stage=stage), rev_of(version)))
    plan.changes.append(
        Change("registry.stage.changed", name, index, "stage", before, stage, comment, request_id)
    )
    if stage == "Production" and single_production:
        for other in holders["Production"]:
            displaced = load(other)
            plan.versions.append((next_rev(displaced, stage="Archived"), rev_of(displaced)))
            plan.changes.append(
                Change(
                    "registry.stage.changed",
                    name,
                    other,
                    "stage",
                    "Production",
                    "Archived",
                    f"displaced by v{index}",
                    request_id,
                )
            )
        holders["Production"] = []
    if stage in holders:
        holders[stage] = sorted({*holders[stage], index})
    new["holders"] = holders
    return plan


def plan_alias(
    model: Item, index: int, alias: str, *, comment: str = "", request_id: str | None = None
) -> Plan | None:
    """Point `alias` at version `index` (taking it off any other); None when it points there already."""
    aliases: dict[str, int] = dict(model.get("aliases", {}))
    before = aliases.get(alias)
    if before == index:
        return None
    new = next_rev(model)
    new["aliases"] = {**aliases, alias: index}
    change = Change(
        "registry.alias.set",
        str(model["name"]),
        index,
        "alias",
        None if before is None else f"v{before}",
        alias,
        comment,
        request_id,
    )
    return Plan(model=new, changes=[change])


def plan_alias_removal(model: Item, index: int, alias: str) -> Plan | None:
    """Take `alias` off version `index`; None when it does not point there (never off another one)."""
    aliases: dict[str, int] = dict(model.get("aliases", {}))
    if aliases.get(alias) != index:
        return None
    new = next_rev(model)
    del aliases[alias]
    new["aliases"] = aliases
    change = Change(
        "registry.alias.set", str(model["name"]), index, "alias", f"v{index}", alias, status="removed"
    )
    return Plan(model=new, changes=[change])
