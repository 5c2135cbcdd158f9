"""PDF export: the report's read-only page, printed by a headless browser once every panel has drawn.

The browser opens the report through a view link made for this export alone (a reader may print what
they may read), lasting as long as one print may take and deleted when it is done. The page sets
``window.__reportReady`` once its panels have drawn (web/src/pages/reports/ReportView.tsx), and the
printer waits for it, so no chart is printed blank.
"""

from __future__ import annotations

from ..core.caller import Caller
from ..core.errors import UpstreamFailed
from ..core.policy import Permission
from ..ports import ItemStore
from ..ports.page_printer import PagePrinter, PrintFailed
from .service import ReportService, report_filename
from .sharing import print_link

__all__ = ["READY", "PdfExport"]

READY = "window.__reportReady === true"


class PdfExport:
    def __init__(
        self, items: ItemStore, printer: PagePrinter, dashboard_url: str, *, timeout_s: float = 60.0
    ) -> None:
        self._items = items
        self._printer = printer
        self._dashboard_url = dashboard_url.rstrip("/")
        self._timeout_s = timeout_s

    def export(self, caller: Caller, report_id: str) -> tuple[bytes, str]:
        """(the report as a PDF, a file name for it)."""
        head, _ = ReportService(self._items).access.open(caller, report_id, Permission.REPORT_READ)
        token, key = print_link(self._items, report_id, caller.username, ttl_s=int(self._timeout_s) + 60)
        try:
            # frozen: the page shows the runs as they are now, without polling while it prints.
            url = f"{self._dashboard_url}/shared/reports/{token}?frozen=1"
            pdf = self._printer.print_pdf(url, ready_expression=READY, timeout_s=self._timeout_s)
        except PrintFailed as exc:
            raise UpstreamFailed(f"the report could not be printed: {exc}") from exc
        finally:
            self._items.delete(*key)
        return pdf, report_filename(str(head["title"]), "pdf")
