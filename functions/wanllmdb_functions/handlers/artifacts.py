"""Lambda entry point for artifacts and the model registry: upload grants, packs, manifests, versions,
aliases, files, lineage, gc, and registered models with their approvals."""

from mangum import Mangum

from ..apps import create_app
from ..artifacts.routes import router as artifacts_router
from ..registry.routes import router as registry_router

app = create_app([artifacts_router, registry_router], title="wanLLMDB artifacts")
handler = Mangum(app, lifespan="off")
