"""The Chromium printer (adapters/chromium_printer.py) on a real headless Chromium: it waits for the
page's ready flag, so panels that draw late are in the PDF (read back with pdftoppm), and the page
cannot reach past loopback."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wanllmdb_functions.adapters.chromium_printer import ChromiumPrinter
from wanllmdb_functions.ports.page_printer import PrintFailed

pytestmark = pytest.mark.slow

COLORS = [(200, 30, 30), (30, 160, 30), (30, 60, 200), (220, 150, 0), (140, 0, 160),
          (0, 150, 150), (120, 80, 20), (230, 60, 150), (90, 90, 90), (0, 0, 0)]  # fmt: skip

# Ten "panels" that draw 400 ms after load (as charts do once their data arrives), then the ready
# flag; and a request to an outside host whose fate the page records.
PAGE = """<!doctype html><html><head><style>@page { size: A4; margin: 0 }
body { margin: 0 } canvas { width: 300px; height: 120px; margin: 8px; border: 0 }</style></head><body>
<div id="grid"></div><script>
const colors = %s;
const grid = document.getElementById("grid");
const canvases = colors.map(() => { const c = document.createElement("canvas"); c.width = 300;
  c.height = 120; grid.appendChild(c); return c; });
window.outside = "pending";
fetch("http://example.com/").then(() => { window.outside = "reached"; },
                                   () => { window.outside = "blocked"; });
setTimeout(() => {
  canvases.forEach((c, i) => { const g = c.getContext("2d"); const [r, gr, b] = colors[i];
    g.fillStyle = `rgb(${r},${gr},${b})`; g.fillRect(0, 0, 300, 120); });
  requestAnimationFrame(() => { window.__reportReady = true; });
}, 400);
</script></body></html>""" % [list(c) for c in COLORS]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report"
    finally:
        server.shutdown()


def colors_in(pdf: bytes, folder: Path) -> dict[tuple[int, int, int], int]:
    """Pixels of each panel colour on the PDF's pages, rendered by pdftoppm at 50 dpi."""
    from PIL import Image

    (folder / "out.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(folder / "out.pdf"), str(folder / "page")], check=True
    )
    counts = dict.fromkeys(COLORS, 0)
    for page in sorted(folder.glob("page*.png")):
        for count, color in Image.open(page).convert("RGB").getcolors(maxcolors=1 << 20) or []:
            if color in counts:
                counts[color] += count
    return counts


def test_it_prints_once_the_page_is_ready_so_no_panel_is_blank(site: str, tmp_path: Path) -> None:
    started = time.monotonic()
    pdf = ChromiumPrinter().print_pdf(site, ready_expression="window.__reportReady === true", timeout_s=20)
    assert time.monotonic() - started < 10
    assert pdf.startswith(b"%PDF-")
    counts = colors_in(pdf, tmp_path)
    # A drawn 300x120 CSS px panel is about 200x80 pixels at 50 dpi; a blank one has none of its colour.
    assert all(n > 5000 for n in counts.values()), counts


def test_requests_past_loopback_go_to_the_outside_proxy_never_to_the_network(site: str) -> None:
    """The printer's default proxy is a closed port; here a listener stands in for it, to see that the
    page's request to an outside host reaches it, not the network."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    asked: list[bytes] = []

    def answer() -> None:
        while True:  # Chromium retries a proxy that hangs up
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            asked.append(connection.recv(4096))
            connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            connection.close()

    threading.Thread(target=answer, daemon=True).start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    ChromiumPrinter(outside_proxy=proxy).print_pdf(
        site, ready_expression="window.outside !== 'pending'", timeout_s=20
    )
    listener.close()
    # Chromium's own background calls (clients2.google.com) go there too.
    assert any(b"GET http://example.com/" in request for request in asked), asked


def test_a_page_that_never_gets_ready_fails_in_time(site: str) -> None:
    started = time.monotonic()
    with pytest.raises(PrintFailed, match="was not ready"):
        ChromiumPrinter().print_pdf(site, ready_expression="window.never === true", timeout_s=3)
    assert time.monotonic() - started < 8


def test_without_chromium_it_says_so() -> None:
    with pytest.raises(PrintFailed, match="no Chromium"):
        ChromiumPrinter("no-such-chromium").print_pdf(
            "http://127.0.0.1:1/", ready_expression="1", timeout_s=1
        )
