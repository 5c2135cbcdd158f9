"""POST /runs/{run_id}/alerts: wandb.alert, served by the runs function beside the run it is about."""

from __future__ import annotations

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import CallerDep
from .models import AlertRequest, AlertResult
from .wiring import notification_service

__all__ = ["router"]

router = ServiceRouter(tags=["notifications"])


@router.post("/runs/{run_id}/alerts")
def send_alert(run_id: RunId, body: AlertRequest, caller: CallerDep, state: AppStateDep) -> AlertResult:
    """Tell the project's `alert` subscribers; one alert per title and run within `wait_duration_s`."""
    return notification_service(state).alert(caller, run_id, body)
