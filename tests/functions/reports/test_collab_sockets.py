"""Collaboration over API Gateway's WebSocket API: the report_collab handler driven with the events AWS
delivers, on DynamoDB and the Management API of a moto server (what each socket was sent is read back
from moto). Who may connect, a viewer's update refused, an editor's update stored and heard by the other
socket, a REST POST heard by the sockets, a revoked key, presence leaving with the socket, and a gone
socket (410) forgotten."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
import pycrdt
import pytest
from botocore.stub import Stubber

from tests.conftest import aws_backend_env, created_aws_stores, unique_name
from tests.e2e.lambda_events import LambdaContext, http_event, websocket_event
from tests.functions.actors import Tenant, build_tenant
from wanllmdb_functions.adapters.apigw_connections import ApiGatewayConnections
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.handlers import report_collab, reports
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.models import ApiKeyCreate
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.reports import keys
from wanllmdb_functions.reports.collab_sockets import SocketFanOut, SocketRegistry, gated_collab_service
from wanllmdb_functions.reports.models import ReportCreate
from wanllmdb_functions.reports.service import ReportService

pytestmark = pytest.mark.slow

REGION = "us-east-1"
SITE = "https://d111111abcdef8.cloudfront.net"


@dataclass
class Aws:
    endpoint: str
    items: DynamoItemStore
    tenant: Tenant
    report: str  # published, in the organization's private project: member edits, viewer reads


@pytest.fixture(scope="module")
def aws(session_moto: str) -> Iterator[Aws]:
    table, bucket = unique_name("wl-sockets"), unique_name("wl-sockets-lake")
    items, _ = created_aws_stores(session_moto, table=table, bucket=bucket, region=REGION)
    tenant = build_tenant(items)
    svc, owner = ReportService(items), tenant.caller("owner")
    report, _ = svc.create(owner, tenant.projects["org-private"], ReportCreate(title="Live"))
    svc.publish(owner, report.id)
    env = aws_backend_env(
        session_moto,
        table=table,
        bucket=bucket,
        region=REGION,
        WANLLMDB_PUBLIC_URL=SITE,
        # A moto server answers the Management API at its root (a stage's URL is .../{stage}).
        WANLLMDB_COLLAB_CALLBACK_URL=session_moto,
    )
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        report_collab._state.reset()
        reports.app.state.wl.reset()
        try:
            yield Aws(session_moto, items, tenant, report.id)
        finally:
            report_collab._state.reset()
            reports.app.state.wl.reset()


_connections = iter(range(10**6))


def _new_id() -> str:
    return base64.b64encode(f"conn{next(_connections):06d}".encode()).decode()


def connect(aws: Aws, actor: str | None, **headers: str) -> tuple[str, int]:
    """(the connection id, the status $connect answered)."""
    connection_id = _new_id()
    if actor is not None:
        headers = {"Authorization": f"Bearer {aws.tenant.keys[actor]}", **headers}
    event = websocket_event("$connect", connection_id, query={"report": aws.report}, headers=headers)
    answer = report_collab.handler(event, LambdaContext("wanllmdb-report_collab"))
    return connection_id, int(answer["statusCode"])


def send(connection_id: str, message: Any) -> None:
    answer = report_collab.handler(websocket_event("$default", connection_id, body=message), None)
    assert answer == {"statusCode": 200}


def heard(connection_id: str) -> list[dict[str, Any]]:
    """Every message posted to the connection so far, through moto's Management API."""
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    connections = apigatewaymanagementapi_backends["123456789012"][REGION].connections
    # moto keys a connection by its id as it appears in the request path: '=' percent-encoded.
    found = [c for key, c in connections.items() if unquote(key) == connection_id]
    data = b"".join(c.data for c in found).decode()
    decoder, messages, at = json.JSONDecoder(), [], 0
    while at < len(data):
        message, at = decoder.raw_decode(data, at)
        messages.append(message)
    return messages


def of_type(connection_id: str, kind: str) -> list[dict[str, Any]]:
    return [m for m in heard(connection_id) if m["type"] == kind]


def yjs_update(text: str) -> str:
    doc: pycrdt.Doc = pycrdt.Doc()
    doc.get("text", type=pycrdt.Text).insert(0, text)
    return base64.b64encode(doc.get_update()).decode()


def test_a_socket_needs_a_reader_of_the_report(aws: Aws) -> None:
    assert connect(aws, "viewer")[1] == 200
    assert connect(aws, None)[1] == 401
    assert connect(aws, "outsider")[1] == 404  # the report's existence stays unsaid
    bad_report = websocket_event("$connect", _new_id(), query={"report": "../x"})
    bad_report["headers"]["Authorization"] = f"Bearer {aws.tenant.keys['viewer']}"
    assert report_collab.handler(bad_report, None)["statusCode"] == 400


def test_the_session_cookie_opens_a_socket_only_from_the_sites_own_pages(aws: Aws) -> None:
    user = UserService(aws.items).require_by_name("member")
    session = CredentialService(aws.items, session_ttl_s=3600).issue_session(user["id"], with_csrf=True)
    cookie = f"wl_csrf={session.csrf_token}; wl_session={session.token}"
    assert connect(aws, None, Cookie=cookie, Origin=SITE)[1] == 200
    assert connect(aws, None, Cookie=cookie, Origin="https://evil.example")[1] == 401


def test_a_viewers_update_is_refused_with_403_and_stored_nowhere(aws: Aws) -> None:
    viewer, _ = connect(aws, "viewer")
    head = gated_collab_service(aws.items).head(aws.report)
    send(viewer, {"type": "update", "client_id": "v1", "update": yjs_update("no"), "id": "viewer-1"})
    (error,) = of_type(viewer, "error")
    assert (error["status"], error["id"]) == (403, "viewer-1")
    assert gated_collab_service(aws.items).head(aws.report) == head


def test_an_editors_update_is_stored_and_heard_by_the_other_socket(aws: Aws) -> None:
    member, _ = connect(aws, "member")
    viewer, _ = connect(aws, "viewer")
    update = yjs_update("hello")
    send(member, {"type": "update", "client_id": "m1", "update": update, "id": "edit-1"})
    (ack,) = of_type(member, "ack")
    assert ack["id"] == "edit-1"
    (told,) = [m for m in of_type(viewer, "update") if m["seq"] == ack["seq"]]
    assert (told["update"], told["client_id"]) == (update, "m1")
    assert not [m for m in of_type(member, "update") if m["seq"] == ack["seq"]]  # not echoed back
    # Stored, and once: the same id again is answered with the same seq.
    svc = gated_collab_service(aws.items)
    assert update in svc.batch_since(aws.report, ack["seq"] - 1).encoded()
    send(member, {"type": "update", "client_id": "m1", "update": update, "id": "edit-1"})
    assert [a["seq"] for a in of_type(member, "ack")] == [ack["seq"], ack["seq"]]
    # A sync answers the state since a seq, presence included.
    send(viewer, {"type": "sync", "since": ack["seq"] - 1})
    (state,) = of_type(viewer, "state")
    assert state["seq"] >= ack["seq"] and update in state["updates"]


def test_an_update_posted_over_rest_reaches_the_sockets(aws: Aws) -> None:
    viewer, _ = connect(aws, "viewer")
    update = yjs_update("from REST")
    body = {"client_id": "r1", "update": update, "id": "rest-1"}
    event = http_event(
        "POST", f"/api/reports/{aws.report}/collab/updates", api_key=aws.tenant.keys["member"], body=body
    )
    answer: dict[str, Any] = reports.handler(event, LambdaContext("wanllmdb-reports"))  # type: ignore[arg-type]
    assert answer["statusCode"] == 200, answer
    seq = json.loads(answer["body"])["seq"]
    assert [m["update"] for m in of_type(viewer, "update") if m["seq"] == seq] == [update]


def test_presence_goes_to_the_others_and_leaves_with_the_socket(aws: Aws) -> None:
    member, _ = connect(aws, "member")
    viewer, _ = connect(aws, "viewer")
    send(member, {"type": "presence", "client_id": "tab-m", "block_id": "b1"})
    present = of_type(viewer, "presence")[-1]["presence"]
    assert ("member", "tab-m", "b1") in [(p["user"], p["client_id"], p["block_id"]) for p in present]
    report_collab.handler(websocket_event("$disconnect", member), None)
    after = of_type(viewer, "presence")[-1]["presence"]
    assert "tab-m" not in [p["client_id"] for p in after]
    assert aws.items.get(*keys.socket(member)) is None
    assert aws.items.get(*keys.socket_of_report(aws.report, member)) is None
    # A message on a forgotten socket is told so, and nothing else happens.
    send(member, {"type": "sync", "since": 0})
    assert of_type(member, "error")[-1]["status"] == 401


def test_a_revoked_key_stops_the_open_socket_and_a_read_only_key_may_not_write(aws: Aws) -> None:
    credentials = CredentialService(aws.items, session_ttl_s=3600)
    user = UserService(aws.items).require_by_name("member")
    created = credentials.create_key(user["id"], ApiKeyCreate(name="reader", scope="read"))
    reader, status = connect(aws, None, Authorization=f"Bearer {created.key}")
    assert status == 200
    send(reader, {"type": "update", "client_id": "k1", "update": yjs_update("x"), "id": "ro-1"})
    (refused,) = of_type(reader, "error")
    assert (refused["status"], refused["error"]["field"]) == (403, "scope")
    credentials.revoke_key(user["id"], created.id)
    send(reader, {"type": "sync", "since": 0, "id": "after"})
    assert of_type(reader, "error")[-1]["status"] == 401
    assert not of_type(reader, "state")


def test_a_gone_socket_is_forgotten_when_a_message_cannot_reach_it(aws: Aws) -> None:
    live, _ = connect(aws, "viewer")
    stale, _ = connect(aws, "viewer")
    client = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"https://x.execute-api.{REGION}.amazonaws.com/s",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    stubber = Stubber(client)
    others = SocketRegistry(aws.items).of_report(aws.report)
    for connection_id in others:
        if connection_id == stale:
            stubber.add_client_error("post_to_connection", "GoneException", http_status_code=410)
        else:
            stubber.add_response("post_to_connection", {})
    with stubber:
        registry = SocketRegistry(aws.items)
        told = SocketFanOut(
            registry, ApiGatewayConnections("https://x", region=REGION, client=client)
        ).broadcast(aws.report, {"type": "presence", "presence": [], "presence_tag": "t"})
    assert told == len(others) - 1
    remaining = SocketRegistry(aws.items).of_report(aws.report)
    assert stale not in remaining and live in remaining
    assert aws.items.get(*keys.socket(stale)) is None


def test_noting_a_tab_on_a_socket_that_just_closed_leaves_no_record_behind(aws: Aws) -> None:
    connection_id, _ = connect(aws, "viewer")
    registry = SocketRegistry(aws.items)
    record = registry.get(connection_id)
    assert record is not None
    registry.remove(connection_id, aws.report)  # $disconnect ran between the message's read and write
    registry.note_client(record, "late-tab")
    assert aws.items.get(*keys.socket(connection_id)) is None  # not recreated without its TTL
