"""Printing a dashboard page to PDF: the port reports' export uses, so the service never knows which
browser prints (headless Chromium on the local server and in the export Lambda's container image)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["PagePrinter", "PrintFailed"]


class PrintFailed(Exception):
    """The page could not be printed: the browser would not start, or the page never became ready."""


class PagePrinter(Protocol):
    def print_pdf(self, url: str, *, ready_expression: str, timeout_s: float) -> bytes:
        """Open ``url``, wait until ``ready_expression`` (JavaScript) is true, and print it with its
        backgrounds; the PDF's bytes."""
        ...
