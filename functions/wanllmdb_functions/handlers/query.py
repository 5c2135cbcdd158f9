"""Lambda entry point for lake queries: charts, compare, history, logs, files, media and export; and the
analysis of a sweep (parameter importance, correlation, best parameters), which reads no lake."""

from mangum import Mangum

from ..apps import create_app
from ..query.log_routes import router as logs_router
from ..query.media_routes import router as media_router
from ..query.routes import router as query_router
from ..sweeps.analysis_routes import router as sweep_analysis_router

app = create_app([query_router, logs_router, media_router, sweep_analysis_router], title="wanLLMDB query")
handler = Mangum(app, lifespan="off")
