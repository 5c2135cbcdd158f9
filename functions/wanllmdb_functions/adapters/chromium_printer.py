"""Headless Chromium as the ``PagePrinter``, driven over the DevTools protocol (CDP).

The command-line ``--print-to-pdf`` prints at the load event, before a report's panels have fetched
and drawn; CDP lets the printer wait on the page's own ready flag, then call ``Page.printToPDF``.

The page is user content, so the browser is boxed in: a fresh profile in a temporary folder, every
request to a host other than loopback sent to a proxy that does not exist (Chromium never proxies
loopback), downloads refused, and the process killed when printing ends or times out.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..ports.page_printer import PrintFailed

__all__ = ["ChromiumPrinter"]

# A closed port: requests that leave loopback fail fast instead of reaching the network.
_NOWHERE = "http://127.0.0.1:9"
# The window a page lays out in: a desktop width, so panels keep the size they have on screen.
_WIDTH, _HEIGHT = 1280, 900
_T = TypeVar("_T")
# Every element with the attribute: its value and its box in page coordinates.
_BOXES = """((attr) => [...document.querySelectorAll(`[${attr}]`)].map((e) => {
  const r = e.getBoundingClientRect();
  return {id: e.getAttribute(attr), x: r.left + window.scrollX, y: r.top + window.scrollY,
          width: r.width, height: r.height};
}))(%s)"""


class _Cdp:
    """One DevTools websocket: numbered calls, their answers matched by id, events skipped."""

    def __init__(self, ws: Any, deadline: float) -> None:
        self._ws = ws
        self._deadline = deadline
        self._ids = itertools.count(1)

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise PrintFailed("timed out talking to Chromium")
        return left

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        call_id = next(self._ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        while True:
            answer = json.loads(self._ws.recv(timeout=self._left()))
            if answer.get("id") != call_id:
                continue  # an event, or an answer to nobody
            if "error" in answer:
                raise PrintFailed(f"Chromium refused {method}: {answer['error'].get('message')}")
            return answer.get("result", {})


class ChromiumPrinter:
    """``outside_proxy``: where requests to hosts other than loopback go (by default nowhere)."""

    def __init__(self, executable: str = "chromium", *, outside_proxy: str = _NOWHERE) -> None:
        self.executable = executable
        self.outside_proxy = outside_proxy

    def print_pdf(self, url: str, *, ready_expression: str, timeout_s: float) -> bytes:
        def print_page(cdp: _Cdp, session: str) -> bytes:
            pdf = cdp.call(
                "Page.printToPDF",
                {"printBackground": True, "preferCSSPageSize": True, "transferMode": "ReturnAsBase64"},
                session=session,
            )
            return base64.b64decode(pdf["data"])

        return self._on_ready_page(url, ready_expression, timeout_s, print_page)

    def capture_elements(
        self, url: str, *, ready_expression: str, id_attribute: str, timeout_s: float
    ) -> dict[str, bytes]:
        def capture(cdp: _Cdp, session: str) -> dict[str, bytes]:
            # Page coordinates (scroll included), so a clip beyond the viewport still finds its element.
            boxes = (
                cdp.call(
                    "Runtime.evaluate",
                    {"expression": _BOXES % json.dumps(id_attribute), "returnByValue": True},
                    session=session,
                )["result"].get("value")
                or []
            )
            pictures: dict[str, bytes] = {}
            for box in boxes:
                if box["width"] < 1 or box["height"] < 1 or box["id"] in pictures:
                    continue
                shot = cdp.call(
                    "Page.captureScreenshot",
                    {
                        "format": "png",
                        "captureBeyondViewport": True,
                        "clip": {k: box[k] for k in ("x", "y", "width", "height")} | {"scale": 1},
                    },
                    session=session,
                )
                pictures[box["id"]] = base64.b64decode(shot["data"])
            return pictures

        return self._on_ready_page(url, ready_expression, timeout_s, capture)

    def _on_ready_page(
        self, url: str, ready_expression: str, timeout_s: float, then: Callable[[_Cdp, str], _T]
    ) -> _T:
        """Start a boxed-in Chromium, open ``url``, wait for ``ready_expression``, and run ``then``."""
        deadline = time.monotonic() + timeout_s
        binary = shutil.which(self.executable)
        if binary is None:
            raise PrintFailed(f"no Chromium to print with: {self.executable!r} is not on PATH")
        profile = Path(tempfile.mkdtemp(prefix="wanllmdb-print-"))
        process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
                "--hide-scrollbars",
                "--mute-audio",
                f"--proxy-server={self.outside_proxy}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            from websockets.sync.client import connect

            socket_url = self._browser_socket(profile, process, deadline)
            with connect(socket_url, max_size=None, open_timeout=max(deadline - time.monotonic(), 0.1)) as ws:
                cdp = _Cdp(ws, deadline)
                return then(cdp, self._open_when_ready(cdp, url, ready_expression, deadline))
        finally:
            process.kill()
            process.wait()
            shutil.rmtree(profile, ignore_errors=True)

    @staticmethod
    def _browser_socket(profile: Path, process: subprocess.Popen[bytes], deadline: float) -> str:
        """Chromium writes its DevTools port and path to the profile once it listens."""
        marker = profile / "DevToolsActivePort"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PrintFailed(f"Chromium exited at start (status {process.returncode})")
            lines = marker.read_text().split("\n") if marker.is_file() else []
            if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].strip():
                return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
            time.sleep(0.05)
        raise PrintFailed("Chromium did not open its DevTools port in time")

    @staticmethod
    def _open_when_ready(cdp: _Cdp, url: str, ready_expression: str, deadline: float) -> str:
        """The DevTools session of a new tab at ``url``, once ``ready_expression`` holds there."""
        target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        cdp.call("Browser.setDownloadBehavior", {"behavior": "deny"})
        cdp.call("Page.enable", session=session)
        navigated = cdp.call("Page.navigate", {"url": url}, session=session)
        if navigated.get("errorText"):
            raise PrintFailed(f"could not open {url}: {navigated['errorText']}")
        while True:
            result = cdp.call(
                "Runtime.evaluate", {"expression": ready_expression, "returnByValue": True}, session=session
            )
            if result.get("result", {}).get("value") is True:
                return str(session)
            if time.monotonic() + 0.1 >= deadline:
                raise PrintFailed(f"the page was not ready ({ready_expression}) in time")
            time.sleep(0.1)
