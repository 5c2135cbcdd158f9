"""The IAM tour's legs for the reports' AWS-only functions (tests/infra/test_iam_used.py).

- report_export: a PDF export through the handler, which writes the view link it prints through and
  deletes it after. The tour has no browser: the printer is a stand-in that returns a PDF's bytes, so
  the function's own AWS calls are all that runs.
- report_collab: two sockets on a report through API Gateway's event shapes ($connect, presence, an
  update told to the other, a sync, a leave, $disconnect), posting to moto's Management API.
- reports: an update POSTed over REST, told to a socket still open (the REST fan-out's post).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pycrdt

from tests.e2e.lambda_events import LambdaContext, websocket_event
from tests.functions.actors import Tenant
from tests.infra.aws_calls import AwsCallRecorder
from wanllmdb_functions.ports import ItemStore
from wanllmdb_functions.reports.models import ReportCreate
from wanllmdb_functions.reports.pdf import PdfExport
from wanllmdb_functions.reports.routes import pdf_export
from wanllmdb_functions.reports.service import ReportService

__all__ = ["export_and_socket_paths"]

Drive = Callable[..., dict[str, Any]]


class _PrintsBlank:
    """Stands in for Chromium: the function's AWS calls happen around the print, not in it."""

    def print_pdf(self, url: str, *, ready_expression: str, timeout_s: float) -> bytes:
        return b"%PDF-1.7 tour"

    def capture_elements(
        self, url: str, *, ready_expression: str, id_attribute: str, timeout_s: float
    ) -> dict[str, bytes]:
        return {}


def _update(text: str) -> str:
    doc: pycrdt.Doc = pycrdt.Doc()
    doc.get("text", type=pycrdt.Text).insert(0, text)
    return base64.b64encode(doc.get_update()).decode()


def export_and_socket_paths(
    recorder: AwsCallRecorder,
    drivers: dict[str, Drive],
    app_of: Callable[[str], Any],
    items: ItemStore,
    tenant: Tenant,
    collab_handler: Callable[[dict[str, Any], Any], dict[str, Any]],
) -> None:
    owner = tenant.caller("owner")
    reports = ReportService(items)
    report, _ = reports.create(owner, tenant.projects["org-private"], ReportCreate(title="Tour"))
    reports.publish(owner, report.id)

    app = app_of("report_export")
    app.dependency_overrides[pdf_export] = lambda: PdfExport(items, _PrintsBlank(), "https://site.example")
    try:
        drivers["report_export"]("GET", f"/api/reports/{report.id}/export", query={"format": "pdf"})
    finally:
        app.dependency_overrides.pop(pdf_export, None)

    def socket(route: str, connection_id: str, **event: Any) -> None:
        with recorder.active("report_collab"):
            answer = collab_handler(websocket_event(route, connection_id, **event), LambdaContext("collab"))
        assert answer == {"statusCode": 200}, (route, answer)

    for connection_id, actor in (("tour-member=", "member"), ("tour-viewer=", "viewer")):
        auth = {"Authorization": f"Bearer {tenant.keys[actor]}"}
        socket("$connect", connection_id, query={"report": report.id}, headers=auth)
    socket("$default", "tour-viewer=", body={"type": "presence", "client_id": "v1", "block_id": "b"})
    socket("$default", "tour-member=", body={"type": "update", "client_id": "m1", "update": _update("a")})
    socket("$default", "tour-viewer=", body={"type": "sync", "since": 0})
    socket("$default", "tour-viewer=", body={"type": "leave", "client_id": "v1"})
    socket("$disconnect", "tour-member=")
    body = {"client_id": "r1", "update": _update("b")}
    drivers["reports"]("POST", f"/api/reports/{report.id}/collab/updates", actor="member", body=body)
    socket("$disconnect", "tour-viewer=")
