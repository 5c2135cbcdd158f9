"""Lambda entry point for report exports (GET /api/reports/{id}/export): markdown, and the PDF and
panel pictures headless Chromium makes. It runs from a container image with Chromium in it
(functions/pdf_image/Dockerfile), its WANLLMDB_PUBLIC_URL the site the printed page is served from."""

from mangum import Mangum

from ..apps import create_app
from .report_routers import REPORT_EXPORT_ROUTERS

app = create_app(REPORT_EXPORT_ROUTERS, title="wanLLMDB report export")
handler = Mangum(app, lifespan="off")
