"""Lambda entry point for identity: health, auth, keys, organizations, teams, projects, saved views, audit."""

from mangum import Mangum

from ..apps import create_app
from .identity_routers import IDENTITY_ROUTERS

app = create_app(IDENTITY_ROUTERS, title="wanLLMDB identity")
handler = Mangum(app, lifespan="off")
