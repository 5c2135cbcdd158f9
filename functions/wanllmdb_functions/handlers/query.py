"""Lambda entry point for queries on the metric lake: charts, compare, history, logs, files and export."""

from mangum import Mangum

from ..apps import create_app
from ..query.log_routes import router as logs_router
from ..query.routes import router as query_router

app = create_app([query_router, logs_router], title="wanLLMDB query")
handler = Mangum(app, lifespan="off")
