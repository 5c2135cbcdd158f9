"""Lambda entry point for identity: health, auth, keys, organizations, teams, projects, audit."""

from mangum import Mangum

from ..core.app import create_app
from ..health.routes import router as health_router

app = create_app([health_router], title="wanLLMDB identity")
handler = Mangum(app, lifespan="off")
