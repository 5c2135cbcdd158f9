"""Lambda entry point for read-only SQL over the metric lake (its role reads `metrics/` only)."""

from mangum import Mangum

from ..apps import create_app
from ..sql.routes import router as sql_router

app = create_app([sql_router], title="wanLLMDB SQL")
handler = Mangum(app, lifespan="off")
