"""The webhook URL guard (SSRF) and the signature a receiver verifies."""

from __future__ import annotations

from typing import Any

import pytest

from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.notifications.signing import sign, verify
from wanllmdb_functions.notifications.ssrf import check_webhook_url


def resolver(addresses: list[str]):
    return lambda host, port: addresses


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "0.0.0.0",
     "::ffff:127.0.0.1", "100.64.0.1", "224.0.0.1", "fd00::1"],
)  # fmt: skip
def test_a_host_resolving_to_a_private_address_is_refused_naming_url(address: str) -> None:
    with pytest.raises(InvalidInput, match=rf"resolves to {address}.*WANLLMDB_WEBHOOK_ALLOW_PRIVATE") as err:
        check_webhook_url("https://hooks.example.com/x", resolver=resolver(["93.184.216.34", address]))
    assert err.value.field == "url"


def test_a_public_https_url_passes_and_an_operator_may_allow_private_hosts() -> None:
    url = "https://hooks.example.com/wanllmdb?team=ml"
    assert check_webhook_url(url, resolver=resolver(["93.184.216.34"])) == url
    assert check_webhook_url("http://127.0.0.1:9000/hook", allow_private=True) == "http://127.0.0.1:9000/hook"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/x", "https://host/path"),
        ("https:///nohost", "https://host/path"),
        ("http://example.com/x", "over https://"),
        ("https://user:pw@example.com/x", "credentials"),
        ("https://example.com:99999/x", "not a valid URL"),
        ("javascript:alert(1)", "https://host/path"),
    ],
)
def test_malformed_urls_are_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        check_webhook_url(url, resolver=resolver(["93.184.216.34"]))


def test_the_signature_verifies_and_a_changed_body_or_old_stamp_does_not() -> None:
    header = sign("whsec_x", b'{"a":1}', 1_700_000_000)
    assert verify("whsec_x", b'{"a":1}', header, now=1_700_000_010)
    assert not verify("whsec_x", b'{"a":2}', header, now=1_700_000_010)
    assert not verify("whsec_y", b'{"a":1}', header, now=1_700_000_010)
    assert not verify("whsec_x", b'{"a":1}', header, now=1_700_001_000)  # replayed later
    assert not verify("whsec_x", b'{"a":1}', "garbage", now=1_700_000_010)


def test_the_aws_backend_without_a_queue_or_sender_refuses_webhooks_and_email_naming_the_setting() -> None:
    from types import SimpleNamespace

    from wanllmdb_functions.notifications.wiring import require_delivery

    def state(**settings: object) -> Any:
        base = {"backend": "aws", "notification_queue_url": None, "email_from": None}
        return SimpleNamespace(settings=SimpleNamespace(**{**base, **settings}))

    with pytest.raises(InvalidInput, match="WANLLMDB_NOTIFICATION_QUEUE_URL") as err:
        require_delivery(state(), "url")
    assert err.value.field == "url"
    queued = state(notification_queue_url="https://sqs.example/q")
    require_delivery(queued, "url")  # webhooks go through the queue
    with pytest.raises(InvalidInput, match="WANLLMDB_EMAIL_FROM"):
        require_delivery(queued, "email", email=True)
    require_delivery(
        state(notification_queue_url="https://sqs.example/q", email_from="a@b.c"), "email", email=True
    )
    require_delivery(state(backend="local"), "email", email=True)
