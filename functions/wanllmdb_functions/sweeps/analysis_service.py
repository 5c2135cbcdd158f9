"""Reads what a sweep's analysis needs (its config and trials, and the best run's name) and hands them to
the pure `analysis.analyse`.

It imports neither the search engine nor numpy, so the query function serves it without carrying the
SDK: the sweep's items are read with records.py and the caller checked here, as SweepService does.
"""

from __future__ import annotations

from ..core.caller import Caller
from ..core.errors import NotFound
from ..core.policy import Permission, authorize
from ..core.request_scope import note_object
from ..ports import ItemStore
from ..projects.service import ProjectService
from ..runs.lookup import run_in_project
from .analysis import analyse
from .analysis_models import SweepAnalysis
from .records import missing_sweep, read_partition

__all__ = ["AnalysisService"]


class AnalysisService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self._projects = ProjectService(items)

    def analysis(self, caller: Caller, sweep_id: str) -> SweepAnalysis:
        """Importance, correlation and the best parameters, from every trial as stored now (run:read)."""
        missing = missing_sweep(sweep_id)
        part = read_partition(self._items, sweep_id)  # NotFound when there is no such sweep
        project_id = part.meta["project_id"]
        try:
            ref = self._projects.get_ref(project_id)
        except NotFound:
            raise missing from None
        authorize(caller, Permission.RUN_READ, ref, hidden=missing)
        note_object(sweep_id)
        # Hand-out order (prior runs first), so ties among equal values resolve the same way each time.
        trials = sorted(part.trials.values(), key=lambda t: (int(t.get("seq", 0)), t["run_id"]))
        result = analyse(sweep_id, part.meta["config"], trials)
        if result.best is not None:
            run = run_in_project(self._items, project_id, result.best.run_id)
            result.best.run_name = (run or {}).get("name")
        return result
