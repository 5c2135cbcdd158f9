"""Lambda entry point for runs: lifecycle, config, summary, heartbeat, listing and upload grants."""

from mangum import Mangum

from ..core.app import create_app
from ..runs.routes import router as runs_router

app = create_app([runs_router], title="wanLLMDB runs")
handler = Mangum(app, lifespan="off")
