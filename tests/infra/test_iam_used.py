"""Least privilege derived from the code: each role grants exactly what its function's code uses.

A tour drives every Lambda handler on moto (a real moto server, as in tests/e2e): each HTTP function
answers every permission-matrix row it mounts (tests/functions/matrix_rows: every /api route, so a
new route joins the tour by itself) plus the data paths those rows leave out (configs past the
inline bound, each upload kind, a finished run, a deleted run with objects under every prefix,
exports, logs); compaction consumes the SQS events AWS delivers, the reaper a schedule, and notify
the webhook and email messages the runs and reaper functions queued (a webhook that fails once, so
it re-queues). Every AWS call made meanwhile is recorded as (IAM action, resource) per function
(tests/infra/aws_calls.py).

Then, against the synthesized template: every recorded use is granted, and every grant was used,
except the few below that AWS exercises and moto cannot show, each with its reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType, SimpleNamespace
from typing import Any

import boto3
import pytest
from test_iam import role_statements

from infra_cdk.services import SERVICES, service
from tests.conftest import aws_backend_env, created_aws_stores, moto_server
from tests.e2e.lambda_events import LambdaContext, http_event, object_created, scheduled_event, sqs_event
from tests.functions.actors import USERNAMES, Tenant, build_tenant
from tests.functions.matrix_rows import Ctx, Row
from tests.functions.matrix_rows.artifacts import _version
from tests.functions.notifications.receiver import Receiver
from tests.functions.routes_of_app import mounted_api_routes
from tests.functions.test_permission_matrix import ROWS
from tests.infra.aws_calls import AwsCallRecorder, Use, granted
from tests.infra.conftest import EMAIL_FROM
from tests.infra.tour_reports import export_and_socket_paths
from tests.lake_chunks import log_chunk_bytes, put_chunk
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.identity import keys as identity_keys
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.lake.keys import project_prefixes
from wanllmdb_functions.notifications.models import RegistrySubscriptionSet, SubscriptionSet, WebhookCreate
from wanllmdb_functions.notifications.service import NotificationService
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.query import lod as query_lod
from wanllmdb_functions.runs.keys import live_sort_key, run_key

TABLE, BUCKET, REGION = "wl-iam-tour", "wl-iam-tour-lake", "us-east-1"
# Logs and X-Ray are the Lambda platform's: CDK grants them with the log group and active tracing.
# The tour (the module fixture) drives every function's routes and background jobs once, which takes
# minutes on a loaded 2-core machine: more than the suite's 300 s per test, which its setup counts in.
pytestmark = pytest.mark.timeout(1200)

PLATFORM = ("logs", "xray")
BIG_CONFIG = {"lr": 0.1, "vocab": ["token"] * 12_000}  # past the 64 KiB inline bound: a configs/ blob

# Granted, used in AWS, and out of the tour's sight, each with the reason.
UNSEEN_ON_MOTO: dict[tuple[str, Use], str] = {
    **{
        ("compaction", (action, "queue")): "the Lambda service polls the queue with the function's role "
        "(SqsEventSource); the code only receives the batch"
        for action in (
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        )
    },
    ("sql", ("s3:GetObject", "metrics/")): "Polars scans metric objects through its own S3 client "
    "(object_store), which botocore never sees",
    ("identity", ("dynamodb:ConditionCheckItem", "table")): "accepting an invitation checks it in the "
    "sign-up transaction (identity/invitations.py); the tour's register row signs up without one",
    **{
        ("notify", (action, "notify-queue")): "the Lambda service polls the queue with the function's role "
        "(SqsEventSource); the code only receives the batch"
        for action in (
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        )
    },
}


@dataclass
class Tour:
    uses: dict[str, set[Use]]


def _handler(name: str) -> ModuleType:
    import importlib

    return importlib.import_module(f"wanllmdb_functions.handlers.{name}")


def _fresh_state(module: ModuleType) -> None:
    state = module.app.state.wl if hasattr(module, "app") else module._state
    state.reset()


class Driver:
    """Sends API Gateway events to one HTTP function's handler while the recorder tags its calls."""

    def __init__(self, recorder: AwsCallRecorder, name: str, tenant: Tenant) -> None:
        self.recorder, self.name = recorder, name
        self.module = _handler(name)
        # Fresh keys, never used: the first call of each stamps the key's last use, as in AWS hourly.
        users, credentials = UserService(tenant.items), CredentialService(tenant.items, session_ttl_s=3600)
        self.keys = {
            actor: credentials.create_key(users.require_by_name(USERNAMES[actor])["id"], name).key
            for actor in tenant.keys
        }

    def __call__(
        self,
        method: str,
        path: str,
        *,
        actor: str | None = "owner",
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        key = self.keys[actor] if actor else None
        event = http_event(method, path, api_key=key, query=query, body=body)
        event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
        with self.recorder.active(self.name):
            response: dict[str, Any] = self.module.handler(event, LambdaContext(f"wanllmdb-{self.name}"))
        assert response["statusCode"] < 400, f"{self.name} {method} {path}: {response}"
        json_body = "json" in response.get("headers", {}).get("content-type", "")
        return json.loads(response["body"]) if json_body and response.get("body") else {}


def _allowed_actor(row: Row, case: str) -> str | None:
    for actor in ("owner", "admin", "org_admin", "member", "viewer", "outsider", None):
        if row.expect(actor, case) < 400:
            return actor
    raise AssertionError(f"no actor may call {row.method} {row.path} ({case})")


def _matrix_rows(drive: Driver, ctx: Ctx) -> None:
    mounted = mounted_api_routes(drive.module.app)
    for row in ROWS:
        if (row.method, row.path) not in mounted or not row.on_aws:
            continue
        for case in row.cases:
            actor = _allowed_actor(row, case)
            call = row.prepare(ctx, actor, case)
            assert call.content is None, "the tour sends JSON bodies only"
            drive(row.method, call.path, actor=actor, body=call.json, query=call.params, headers=call.headers)


def _upload_items() -> list[dict[str, Any]]:
    sha = hashlib.sha256(b"abc").hexdigest()
    chunks = [
        {"kind": k, "size": 3, "sha256": sha, "seq": 0, "attempt": 0} for k in ("history", "system", "logs")
    ]
    paths = [{"kind": k, "size": 3, "sha256": sha, "path": "a.txt"} for k in ("file", "media")]
    return chunks + paths


def _runs_data_paths(drive: Driver, blobs: S3BlobStore, project: str) -> None:
    drive("POST", f"/api/projects/{project}/runs", body={"id": "big", "config": BIG_CONFIG})
    drive("PATCH", "/api/runs/big/config", body={"config": {**BIG_CONFIG, "epochs": 3}})
    drive("GET", "/api/runs/big")
    drive("GET", "/api/runs/big/config/history")
    drive("GET", f"/api/projects/{project}/runs", query={"order": "-config.lr"})
    drive("POST", "/api/runs/big/uploads", body={"items": _upload_items()})
    drive("PATCH", "/api/runs/big", body={"state": "finished"})  # queues a compaction notice
    # A doomed run with an object under every prefix a run owns, an export included.
    drive("POST", f"/api/projects/{project}/runs", body={"id": "doomed", "config": BIG_CONFIG})
    for key in (
        f"metrics/project={project}/run=doomed/stream=history/chunk-a0000-000000000.parquet",
        f"logs/project={project}/run=doomed/chunk-a0000-000000000.parquet",
        f"files/project={project}/run=doomed/a.txt",
        f"media/project={project}/run=doomed/a.png",
        f"exports/project={project}/run=doomed/history-x.parquet",
    ):
        blobs.put(key, b"x")
    drive("DELETE", "/api/runs/doomed")


def _doomed_project(drive: Driver, blobs: S3BlobStore, tenant: Tenant) -> None:
    """A deleted project with an object under every prefix a project owns, for the reaper's purge."""
    body = ProjectCreate(name="doomed", entity=USERNAMES["owner"])
    doomed, _ = ProjectService(tenant.items).create(tenant.caller("owner"), body)
    for prefix in project_prefixes(doomed.id):
        blobs.put(f"{prefix}tour.bin", b"x")
    drive("DELETE", f"/api/projects/{doomed.id}")


def _query_data_paths(drive: Driver, blobs: S3BlobStore, project: str) -> None:
    put_chunk(blobs, project, "big", seq=0, steps=[0, 1], values={"loss": [1.0, 0.5]})
    blobs.put(f"logs/project={project}/run=big/chunk-a0000-000000000.parquet", log_chunk_bytes(0, ["hi"]))
    blobs.put(f"files/project={project}/run=big/a.txt", b"abc")
    for path in ("metrics", "metric-keys", "history", "logs", "files", "export"):
        drive("GET", f"/api/runs/big/{path}", query={"keys": "loss"} if path == "metrics" else None)
    body = {"runs": ["big"], "keys": ["loss"], "group_by": "config.lr"}
    drive("POST", f"/api/projects/{project}/metrics/query", body=body)
    drive("POST", f"/api/projects/{project}/export", body={"runs": ["big"]})


def _sql_data_paths(drive: Driver, project: str) -> None:
    query = (
        'SELECT r.run, r."config.lr", count(*) AS n FROM runs r JOIN metrics m ON r.run = m.run GROUP BY 1, 2'
    )
    drive("POST", "/api/sql", body={"query": query, "projects": [project]})
    drive("POST", "/api/sql", body={"query": query})  # every project the caller may query: a listing


def _background(recorder: AwsCallRecorder, blobs: S3BlobStore, items: DynamoItemStore, project: str) -> None:
    compaction, reaper = _handler("compaction"), _handler("reaper")
    put_chunk(blobs, project, "big", seq=1, steps=[2], values={"loss": [0.25]})
    notice = json.dumps({"type": "run_finished", "project_id": project, "run_id": "big", "state": "finished"})
    chunk = f"metrics/project={project}/run=big/stream=history/chunk-a0000-000000001.parquet"
    with recorder.active("compaction"):
        result = compaction.handler(sqs_event([object_created(BUCKET, chunk), notice]), LambdaContext("c"))
    assert result["batchItemFailures"] == [] and result["compacted"] >= 1, result
    # A silent run: its last heartbeat an hour ago.
    item = items.get(*run_key(project, "silent"))
    assert item is not None
    stale = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    items.put({**item, "heartbeat_at": stale, "gsi1sk": live_sort_key(stale, "silent")})
    with recorder.active("reaper"):
        reaped = reaper.handler(scheduled_event(), LambdaContext("r"))
    assert reaped["crashed"] == ["silent"]
    assert len(reaped["purged"]) >= 2, reaped  # the doomed run and project, and the matrix's deletions


def _pyramid_paths(
    recorder: AwsCallRecorder, drive: Driver, blobs: S3BlobStore, project: str, mp: pytest.MonkeyPatch
) -> None:
    """Compaction replaces the big run's file and pyramid (the old pyramid goes); charts read the new one
    and compare lists the project's pyramids."""
    put_chunk(blobs, project, "big", seq=2, steps=[3], values={"loss": [0.125]})
    notice = json.dumps({"type": "run_finished", "project_id": project, "run_id": "big", "state": "finished"})
    with recorder.active("compaction"):
        result = _handler("compaction").handler(sqs_event([notice]), LambdaContext("c"))
    assert result["batchItemFailures"] == [] and result["compacted"] >= 1, result
    mp.setattr(query_lod, "PYRAMID_MIN_BYTES", 0)  # the tour's files are tiny: read their pyramids anyway
    drive("GET", "/api/runs/big/metrics", query={"keys": "loss", "buckets": "1"})
    drive("POST", f"/api/projects/{project}/metrics/query", body={"runs": ["big"], "keys": ["loss"]})


def _subscribe_owner(items: DynamoItemStore, tenant: Tenant, project: str, receiver_url: str) -> None:
    """The owner hears of finished and crashed runs by email and through a webhook that fails once."""
    owner = tenant.caller("owner")
    items.update(*identity_keys.user(owner.user_id), set_attrs={"email": "owner@example.com"})
    notifications = NotificationService(items, queue=None, mailer=None, allow_private_webhooks=True)
    hook = notifications.create_webhook(owner, WebhookCreate(url=receiver_url))
    events = SubscriptionSet(events=["run_finished", "run_crashed"], email=True, webhook_ids=[hook.id])
    notifications.subscribe(owner, project, events)


def _registry_events(drive: Driver, items: DynamoItemStore, tenant: Tenant, receiver_url: str) -> None:
    """The artifacts function queues a registry event for a subscriber's webhook: a version linked."""
    owner = tenant.caller("owner")
    registry = drive("POST", "/api/registries", body={"entity": owner.username, "name": "tour"})
    notifications = NotificationService(items, queue=None, mailer=None, allow_private_webhooks=True)
    hook = notifications.create_webhook(owner, WebhookCreate(url=receiver_url))
    events = RegistrySubscriptionSet(events=["registry.version.created"], webhook_ids=[hook.id])
    notifications.save_subscription(owner, registry["id"], events)
    project = tenant.projects["personal-private"]
    artifact = _version(Ctx(tenant, SimpleNamespace(app=drive.module.app)), "personal-private")  # type: ignore[arg-type]
    link = {"project_id": project, "artifact": f"{artifact}:v0", "force": True}
    drive("POST", f"/api/registries/{registry['id']}/models/tour-model/versions", body=link)


def _deliveries(recorder: AwsCallRecorder, sqs: Any, queue_url: str, receiver: Receiver) -> None:
    """The notify function delivers what runs and the reaper queued: emails through SES, webhooks
    that fail (and go back on the queue), then succeed."""
    notify = _handler("notify")
    for status in (500, 200):
        receiver.status = status
        found = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=3)
        bodies = [m["Body"] for m in found.get("Messages", [])]
        assert bodies, "runs and the reaper queued no notification"
        with recorder.active("notify"):
            result = notify.handler(sqs_event(bodies, queue="wl-iam-tour-notify"), LambdaContext("n"))
        assert result["batchItemFailures"] == [], result
        for message in found["Messages"]:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert receiver.got


@pytest.fixture(scope="module")
def tour() -> Iterator[Tour]:
    http = ("identity", "runs", "artifacts", "query", "sql", "reports", "report_export")
    names = (*http, "compaction", "reaper", "notify", "report_collab")
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as mp:
        fake = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
        sqs = boto3.client("sqs", endpoint_url=endpoint, **fake)
        queue_url = sqs.create_queue(QueueName="wl-iam-tour")["QueueUrl"]
        notify_url = sqs.create_queue(QueueName="wl-iam-tour-notify")["QueueUrl"]
        boto3.client("ses", endpoint_url=endpoint, **fake).verify_email_identity(EmailAddress=EMAIL_FROM)
        receiver = Receiver()
        env = aws_backend_env(
            endpoint,
            table=TABLE,
            bucket=BUCKET,
            region=REGION,
            WANLLMDB_SQS_ENDPOINT_URL=endpoint,
            WANLLMDB_COMPACTION_QUEUE_URL=queue_url,
            WANLLMDB_COMPACTION_EVERY_CHUNKS="2",
            WANLLMDB_DELETE_GRACE_S="0",  # every deletion is due at once: the reaper purges them
            WANLLMDB_NOTIFICATION_QUEUE_URL=notify_url,
            WANLLMDB_EMAIL_FROM=EMAIL_FROM,
            WANLLMDB_SES_ENDPOINT_URL=endpoint,
            WANLLMDB_WEBHOOK_ALLOW_PRIVATE="true",  # the receiver listens on 127.0.0.1
            # Only the run whose heartbeat the tour backdates an hour is silent, however long the tour takes
            # on a loaded machine (the default 5 minutes would crash the matrix rows' runs too).
            WANLLMDB_HEARTBEAT_TIMEOUT_S="1800",
            # A moto server answers the WebSocket API's Management API at its root.
            WANLLMDB_COLLAB_CALLBACK_URL=endpoint,
        )
        for name, value in env.items():
            mp.setenv(name, value)
        items, blobs = created_aws_stores(endpoint, table=TABLE, bucket=BUCKET, region=REGION)
        for name in names:
            _fresh_state(_handler(name))
        tenant = build_tenant(items)
        orgs = OrgService(items)
        orgs.create_team(tenant.caller("owner"), "acme", "ml")
        orgs.set_member(tenant.caller("owner"), "ml", "member", "member")
        orgs.set_member(tenant.caller("owner"), "ml", "viewer", "viewer")
        project = tenant.projects["personal-private"]
        recorder = AwsCallRecorder()
        try:
            with recorder.installed():
                drivers = {name: Driver(recorder, name, tenant) for name in http}
                for drive in drivers.values():
                    # Rows set up their data through `ctx.client.app.state`: this function's own app.
                    client = SimpleNamespace(app=drive.module.app)
                    _matrix_rows(drive, Ctx(tenant, client))  # type: ignore[arg-type]
                # After the matrix rows: their PUT of this project's subscription would replace it.
                _subscribe_owner(items, tenant, project, receiver.url)
                _registry_events(drivers["artifacts"], items, tenant, receiver.url)
                _runs_data_paths(drivers["runs"], blobs, project)
                _query_data_paths(drivers["query"], blobs, project)
                _sql_data_paths(drivers["sql"], project)
                _doomed_project(drivers["identity"], blobs, tenant)
                drivers["runs"]("POST", f"/api/projects/{project}/runs", body={"id": "silent"})
                _background(recorder, blobs, items, project)
                _pyramid_paths(recorder, drivers["query"], blobs, project, mp)
                _deliveries(recorder, sqs, notify_url, receiver)
                export_and_socket_paths(
                    recorder,
                    drivers,  # type: ignore[arg-type]
                    lambda name: drivers[name].module.app,
                    items,
                    tenant,
                    _handler("report_collab").handler,
                )
            yield Tour(recorder.uses)
        finally:
            for name in names:
                _fresh_state(_handler(name))


def _table_level(uses: set[Use]) -> set[Use]:
    # The table statement covers the table and both index ARNs alike: compare DynamoDB per action.
    return {(a, "table") if a.startswith("dynamodb:") else (a, r) for a, r in uses}


def _grants(synth: Any, name: str) -> set[Use]:
    return _table_level(granted(role_statements(synth, service(name)), platform=PLATFORM))


@pytest.mark.parametrize("name", [s.name for s in SERVICES])
def test_every_aws_call_of_the_function_is_granted_to_its_role(synth: Any, tour: Tour, name: str) -> None:
    missing = sorted(_table_level(tour.uses[name]) - _grants(synth, name))
    assert not missing, f"{name} uses, but its role does not grant: {missing}"


@pytest.mark.parametrize("name", [s.name for s in SERVICES])
def test_the_role_grants_nothing_the_function_never_uses(synth: Any, tour: Tour, name: str) -> None:
    unused = _grants(synth, name) - _table_level(tour.uses[name])
    never = sorted(use for use in unused if (name, use) not in UNSEEN_ON_MOTO)
    assert not never, f"{name}'s role grants, but the code never uses: {never}"


def test_every_exception_is_still_granted(synth: Any) -> None:
    # An exception for a grant that is gone would hide a future regression: drop it with the grant.
    stale = [(name, use) for name, use in UNSEEN_ON_MOTO if use not in _grants(synth, name)]
    assert stale == []
