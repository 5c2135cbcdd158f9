"""Lambda entry point for runs and sweeps: lifecycle, config, summary, heartbeat, listing, upload grants,
alerts, and sweeps with their controller (each agent heartbeat is one controller step). Artifacts and the
registry are their own function (handlers/artifacts.py): they need Polars, this one the sweep engine."""

from mangum import Mangum

from ..apps import create_app
from ..compaction.notices import register_compaction_notices
from ..deletes.run_routes import router as run_deletes_router
from ..notifications.alert_routes import router as alert_router
from ..notifications.wiring import notify_run_finished
from ..runs.routes import router as runs_router
from ..sweeps.routes import router as sweeps_router

app = create_app(
    [runs_router, run_deletes_router, sweeps_router, alert_router],
    title="wanLLMDB runs",
)
handler = Mangum(app, lifespan="off")

# The compaction Lambda compacts a finished run and rebuilds the run index of a changed one: tell it
# through its queue.
register_compaction_notices(
    app.state.wl.run_finished, lambda: app.state.wl.settings, app.state.wl.run_changed
)
# Subscribers hear that a run finished, failed or crashed (in-app on AWS).
notify_run_finished(app.state.wl)
