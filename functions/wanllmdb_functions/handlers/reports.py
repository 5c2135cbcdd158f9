"""Lambda entry point for reports: specs with history, publishing, visibility, stars, comments with
@mentions (in-app notifications), share links and markdown export."""

from mangum import Mangum

from ..apps import create_app
from .report_routers import REPORT_ROUTERS

app = create_app(REPORT_ROUTERS, title="wanLLMDB reports")
handler = Mangum(app, lifespan="off")
