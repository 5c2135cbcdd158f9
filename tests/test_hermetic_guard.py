"""The suite-wide network guard (tests/conftest.py, loopback_only) refuses what leaves the machine."""

from __future__ import annotations

import socket

import httpx
import pytest


@pytest.mark.parametrize("host", ["169.254.169.254", "8.8.8.8", "storage.googleapis.com"])
def test_a_connect_outside_loopback_fails(host: str) -> None:
    with socket.socket() as sock, pytest.raises(AssertionError, match=r"only 127\.0\.0\.0/8"):
        sock.connect((host, 80))


def test_metadata_server_requests_fail_before_any_packet() -> None:
    with pytest.raises(AssertionError, match=r"169\.254\.169\.254"):
        httpx.get("http://169.254.169.254/computeMetadata/v1/", timeout=1)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())
