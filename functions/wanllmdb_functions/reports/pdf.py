"""Exports a browser makes: the report's read-only page printed to PDF, or its markdown with a picture
of each panel, taken once every panel has drawn.

The browser opens the report through a view link made for this export alone (a reader may export what
they may read), lasting as long as one export may take and deleted when it is done. The page sets
``window.__reportReady`` once its panels have drawn (web/src/pages/reports/ReportView.tsx), and the
browser waits for it, so no chart is exported blank.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.caller import Caller
from ..core.errors import UpstreamFailed
from ..core.policy import Permission
from ..ports import ItemStore
from ..ports.page_printer import PagePrinter, PrintFailed
from .markdown import spec_to_markdown
from .service import ReportService, report_filename
from .sharing import print_link

__all__ = ["PANEL_ATTRIBUTE", "READY", "PdfExport"]

READY = "window.__reportReady === true"
# The attribute each panel of a report's grid carries, holding its id (reports/panels/PanelGrid.tsx).
PANEL_ATTRIBUTE = "data-panel"
_T = TypeVar("_T")


class PdfExport:
    def __init__(
        self, items: ItemStore, printer: PagePrinter, dashboard_url: str, *, timeout_s: float = 60.0
    ) -> None:
        self._items = items
        self._reports = ReportService(items)
        self._printer = printer
        self._dashboard_url = dashboard_url.rstrip("/")
        self._timeout_s = timeout_s

    def export(self, caller: Caller, report_id: str) -> tuple[bytes, str]:
        """(the report as a PDF, a file name for it)."""
        head = self._open(caller, report_id)
        pdf = self._in_browser(
            caller,
            report_id,
            lambda url: self._printer.print_pdf(url, ready_expression=READY, timeout_s=self._timeout_s),
        )
        return pdf, report_filename(str(head["title"]), "pdf")

    def markdown_with_pictures(self, caller: Caller, report_id: str) -> tuple[bytes, str]:
        """(a zip of the report's markdown with its panel grids as pictures, ``panels/<id>.png`` beside
        it; a file name for the zip). The plain markdown export is the one that imports back."""
        head = self._open(caller, report_id)
        spec = self._reports.spec_for_export(head, report_id)
        pictures = self._in_browser(
            caller,
            report_id,
            lambda url: self._printer.capture_elements(
                url, ready_expression=READY, id_attribute=PANEL_ATTRIBUTE, timeout_s=self._timeout_s
            ),
        )
        paths = {panel_id: f"panels/{panel_id}.png" for panel_id in pictures}
        markdown_name = report_filename(str(head["title"]), "md")
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr(markdown_name, spec_to_markdown(spec, panel_images=paths))
            for panel_id, png in pictures.items():
                # PNGs are compressed already.
                zipped.writestr(zipfile.ZipInfo(paths[panel_id]), png, compress_type=zipfile.ZIP_STORED)
        return archive.getvalue(), report_filename(str(head["title"]), "zip")

    def _open(self, caller: Caller, report_id: str) -> dict[str, Any]:
        head, _ = self._reports.access.open(caller, report_id, Permission.REPORT_READ)
        return dict(head)

    def _in_browser(self, caller: Caller, report_id: str, use: Callable[[str], _T]) -> _T:
        token, key = print_link(self._items, report_id, caller.username, ttl_s=int(self._timeout_s) + 60)
        try:
            # frozen: the page shows the runs as they are now, without polling while it is exported.
            return use(f"{self._dashboard_url}/shared/reports/{token}?frozen=1")
        except PrintFailed as exc:
            raise UpstreamFailed(f"the report could not be exported: {exc}") from exc
        finally:
            self._items.delete(*key)
