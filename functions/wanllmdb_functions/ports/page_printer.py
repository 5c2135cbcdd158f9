"""Printing a dashboard page to PDF, or taking pictures of its parts: the port reports' exports use, so
the service never knows which browser prints (headless Chromium on the local server and in the export
Lambda's container image)."""

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

    def capture_elements(
        self, url: str, *, ready_expression: str, id_attribute: str, timeout_s: float
    ) -> dict[str, bytes]:
        """Open ``url``, wait until ``ready_expression`` is true, and take a PNG of every element that
        carries ``id_attribute``: the attribute's value -> the picture's bytes."""
        ...
