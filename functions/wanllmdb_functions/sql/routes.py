"""HTTP route of read-only SQL over the lake. Its own router, so it runs in its own function whose
role reads only the metric lake (infra_cdk/services.py)."""

from __future__ import annotations

from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep
from .deps import SqlDep
from .models import SqlRequest, SqlResponse

__all__ = ["router"]

router = ServiceRouter(tags=["query"])


@router.post("/sql")
def sql(body: SqlRequest, caller: CallerDep, service: SqlDep) -> SqlResponse:
    """Read-only SQL over the `metrics` and `runs` tables of the projects you are a member of."""
    return service.sql(caller, body)
