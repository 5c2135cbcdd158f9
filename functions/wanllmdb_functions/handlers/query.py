"""Lambda entry point for queries on the metric lake: charts, compare, history, export and SQL."""

from mangum import Mangum

from ..core.app import create_app
from ..query.routes import router as query_router

app = create_app([query_router], title="wanLLMDB query")
handler = Mangum(app, lifespan="off")
