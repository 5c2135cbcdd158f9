"""`GET /sweeps/{sweep_id}/analysis` (docs/sweeps.md, "Analysis"), served by the query function.

Mounted by handlers/query.py and services.py; in AWS the route is the query function's, more specific
than the runs function's `/api/sweeps/{proxy+}` (infra_cdk/services.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import StorageDep
from ..app.routing import ServiceRouter
from ..identity.authn import ReaderDep
from .analysis_models import SweepAnalysis
from .analysis_service import AnalysisService
from .paths import SweepIdPath

__all__ = ["router"]

router = ServiceRouter(tags=["sweeps"])


async def analysis_service(storage: StorageDep) -> AnalysisService:
    return AnalysisService(storage.items)


AnalysisDep = Annotated[AnalysisService, Depends(analysis_service)]


@router.get("/sweeps/{sweep_id}/analysis")
def sweep_analysis(sweep_id: SweepIdPath, caller: ReaderDep, analysis: AnalysisDep) -> SweepAnalysis:
    """Parameter importance (PED-ANOVA) and Spearman correlation with the metric, and the best
    parameters with where the top trials lie; computed from the trials as they are now."""
    return analysis.analysis(caller, sweep_id)
