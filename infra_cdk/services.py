"""What each Lambda serves and what it may touch: the one table the IAM grants, the routes and the
bundles are built from, so a reviewer reads least privilege here rather than across the constructs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from wanllmdb_functions.lake.keys import top_level_prefixes

__all__ = [
    "LAKE_PREFIXES",
    "SERVICES",
    "ServiceSpec",
    "TableAccess",
    "route_key",
    "service",
]

# Every top-level prefix of the lake bucket, from schemas/lake_schema.json `layout` (lake/keys.py).
LAKE_PREFIXES = top_level_prefixes()


# Only what the code calls (tests/infra/test_iam_used.py derives it from a tour of every handler):
# no Batch* and no DescribeTable (the adapter is given the table's schema), no Scan anywhere.
# Transactions need no actions of their own: IAM checks each item's Put/Update/Delete/ConditionCheck.
# Every HTTP function writes: an API key's last use (at most hourly) and the audit entry of a POST.
_READ_UPDATE = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem")


class TableAccess(Enum):
    """DynamoDB actions, always on the exact table ARN and its two index ARNs, never on `*`."""

    # Compaction only lists a project's runs (for the run index); it never reads or writes one item.
    QUERY = ("dynamodb:Query",)
    READ_UPDATE = _READ_UPDATE
    READ_WRITE = (*_READ_UPDATE, "dynamodb:DeleteItem")
    # Notification delivery reads the webhook and writes the delivery log, nothing else.
    GET_PUT = ("dynamodb:GetItem", "dynamodb:PutItem")
    # Accepting an invitation checks, in its transaction, that the invitation still exists.
    READ_WRITE_CHECK = (*_READ_UPDATE, "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")

    @property
    def actions(self) -> tuple[str, ...]:
        return self.value


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    # HTTP API routes to this function: a path (method ANY; the app answers 405 for unknown methods),
    # or "METHOD path" where only one method of a path runs here.
    routes: tuple[str, ...]
    table: TableAccess | None
    # Lake prefixes per kind of S3 access. Presigning needs the same permission as the request it signs,
    # so a function that grants uploads holds s3:PutObject on the prefixes it grants (and a presigned
    # GET, s3:GetObject). A HEAD needs s3:GetObject too.
    read_prefixes: tuple[str, ...] = ()
    write_prefixes: tuple[str, ...] = ()
    delete_prefixes: tuple[str, ...] = ()
    list_prefixes: tuple[str, ...] = ()
    enqueues_compaction: bool = False
    # Queues webhook and email deliveries (run fan-out, alerts, automations; the delivery function's
    # own retries) on the notification queue.
    enqueues_notifications: bool = False
    # Sends email through SES from the tenant's `email_from` identity (only when one is configured).
    sends_email: bool = False
    # Only lake readers and writers carry Polars (~181 MB unzipped); the others stay small and start fast.
    needs_polars: bool = False
    # The sweep controller calls the SDK's search engine (wanllmdb.sweeps): the bundle carries that
    # package alone, with numpy and scipy for bayes (~120 MB unzipped), so only its function pays for them.
    needs_sweep_engine: bool = False
    # "image": a container image built from functions/pdf_image (Chromium), not a zip of the bundle.
    package: Literal["zip", "image"] = "zip"
    # Serves the reports' WebSocket API ($connect, $disconnect, $default: infra_cdk/collab_socket.py).
    websocket: bool = False
    # Posts collaboration messages to that API's open connections (execute-api:ManageConnections).
    posts_to_sockets: bool = False
    # What WANLLMDB_PUBLIC_URL names: the API, or the site (CloudFront), for the functions whose callers
    # come through it: the socket checks a cookie's Origin against it, the printer opens the dashboard.
    public_url: Literal["api", "site"] = "api"
    memory_mb: int = 1024
    timeout_s: int = 29  # API Gateway HTTP APIs give up on an integration after 30 s.
    ephemeral_mb: int = 512

    @property
    def handler(self) -> str:
        return f"wanllmdb_functions.handlers.{self.name}.handler"


_RUN_DATA = ("metrics/", "logs/", "files/", "media/")

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        name="identity",
        description="Auth, API keys, organizations, teams, projects, saved views, audit and health",
        routes=(
            "/api/health",
            "/api/auth/{proxy+}",
            "/api/keys",
            "/api/keys/{proxy+}",
            "/api/orgs",
            "/api/orgs/{proxy+}",
            "/api/teams",
            "/api/teams/{proxy+}",
            "/api/projects",
            "/api/projects/{id}",
            "/api/projects/by-name/{proxy+}",
            "/api/projects/{id}/views",
            "/api/projects/{id}/views/{proxy+}",
            "/api/audit",
            "/api/notifications",
            "/api/notifications/{proxy+}",
            "/api/webhooks",
            "/api/webhooks/{proxy+}",
            "/api/projects/{id}/subscription",
            "/api/projects/{id}/activity",
            "/api/projects/{id}/grants",
            "/api/projects/{id}/automations",
            "/api/projects/{id}/automations/{proxy+}",
            "/api/outbox",
        ),
        table=TableAccess.READ_WRITE_CHECK,
    ),
    ServiceSpec(
        name="runs",
        description="Run lifecycle, config, summary, heartbeats, upload grants, alerts, and sweeps with "
        "their controller",
        routes=(
            "/api/projects/{id}/runs",
            "/api/projects/{id}/runs/groups",
            "/api/runs/{proxy+}",
            "/api/projects/{id}/sweeps",
            "/api/sweeps/{proxy+}",
        ),
        table=TableAccess.READ_WRITE,
        # configs/ holds config versions too large for an item; the runs service owns them.
        # It reads only config versions; it presigns PUTs (never GETs) for the run data. A deleted run's
        # objects are not its to remove: the reaper purges them after the grace period (deletes/).
        read_prefixes=("configs/",),
        write_prefixes=(*_RUN_DATA, "configs/"),
        enqueues_compaction=True,
        enqueues_notifications=True,
        needs_sweep_engine=True,
    ),
    # Apart from runs: manifests are Parquet read with Polars (~181 MB), and the sweep engine's numpy and
    # scipy would not fit beside it in one function.
    ServiceSpec(
        name="artifacts",
        description="Artifact versions, blobs, manifests, lineage and gc, and the model registry",
        routes=(
            "/api/projects/{id}/artifacts",
            "/api/projects/{id}/artifacts/{proxy+}",
            "/api/runs/{id}/artifacts",
            "/api/runs/{id}/artifacts/{proxy+}",
            "/api/registries",
            "/api/registries/{proxy+}",
            "/api/registry-requests",
        ),
        table=TableAccess.READ_WRITE,
        # It reads manifests and packs back and checks blobs before it commits a version, presigns their
        # PUTs and GETs, and gc lists and deletes the blobs and manifests no live version names.
        read_prefixes=("artifacts/",),
        write_prefixes=("artifacts/",),
        delete_prefixes=("artifacts/",),
        list_prefixes=("artifacts/",),
        enqueues_notifications=True,  # registry events to subscribers' webhooks and email
        needs_polars=True,
        memory_mb=2048,
    ),
    ServiceSpec(
        name="query",
        description="Metric envelopes, logs, files, media and exports over the lake (Polars); sweep analysis",
        routes=(
            "/api/runs/{id}/metrics",
            "/api/runs/{id}/metric-keys",
            "/api/runs/{id}/history",
            "/api/runs/{id}/logs",
            "/api/runs/{id}/file",
            "/api/runs/{id}/files",
            "/api/runs/{id}/media",
            "/api/runs/{id}/media/{proxy+}",
            "/api/runs/{id}/table",
            "/api/runs/{id}/export",
            "/api/projects/{id}/metrics/query",
            "/api/projects/{id}/metrics/batch",
            # The metric and media keys of many runs at once (a workspace selection), from the lake.
            "/api/projects/{id}/keys",
            "/api/projects/{id}/tables/join",
            "/api/projects/{id}/export",
            # A sweep's analysis reads its trials from the table, not the lake; more specific than the
            # runs function's /api/sweeps/{proxy+}, so API Gateway sends it here.
            "/api/sweeps/{id}/analysis",
        ),
        table=TableAccess.READ_UPDATE,
        # configs/: compare grouped by config.<path> and project exports read configs past 64 KiB.
        # media/: read only to sign the GETs of media objects (the bytes never pass through).
        # lod/: charts read the pyramids compaction writes (lake/lod.py); compare lists a project's.
        read_prefixes=("metrics/", "logs/", "files/", "media/", "exports/", "configs/", "lod/"),
        write_prefixes=("exports/",),
        list_prefixes=("metrics/", "logs/", "files/", "lod/"),
        needs_polars=True,
        memory_mb=2048,
    ),
    # Caller-written SQL runs apart from every other route, in a role that can read metric objects and
    # the run metadata the `runs` table is built from, and nothing else: were a query ever to reach
    # past the parse check in sql/guard.py, S3 itself would refuse logs, files, media, exports
    # and every write.
    ServiceSpec(
        name="sql",
        description="Read-only SQL over the metric lake and the run index (sqlglot-checked, Polars)",
        routes=("/api/sql",),
        table=TableAccess.READ_UPDATE,
        # configs/ holds the run configs too large for an item, which the `runs` table shows.
        read_prefixes=("metrics/", "configs/"),
        list_prefixes=("metrics/",),
        needs_polars=True,
        memory_mb=2048,
    ),
    # Reports read and write the table only: specs, history and comments are items (reports/store.py),
    # mentions are in-app notifications, and nothing is queued or read from the lake.
    ServiceSpec(
        name="reports",
        description="Reports: specs with history, publishing, visibility, stars, comments with @mentions, "
        "share links, markdown export, and the editors' Yjs updates and presence (REST long-poll)",
        routes=(
            "/api/projects/{id}/reports",
            "/api/reports",
            "/api/reports/{proxy+}",
            "/api/shared/reports/{proxy+}",
        ),
        table=TableAccess.READ_WRITE,
        # An update or presence POSTed over REST is told to the report's websockets at once.
        posts_to_sockets=True,
        memory_mb=512,
    ),
    # The export prints with headless Chromium, so it runs from a container image; every other report
    # route stays on the small zip function. It reads the table and writes the view link it prints
    # through (deleted after), as the reports function does; the browser fetches the page from the site.
    ServiceSpec(
        name="report_export",
        description="Report exports: markdown, and the PDF and panel pictures headless Chromium makes",
        routes=("GET /api/reports/{id}/export",),
        table=TableAccess.READ_WRITE,
        package="image",
        public_url="site",
        # Chromium's renderer with a report's charts; memory is also Lambda's share of CPU.
        memory_mb=2048,
        ephemeral_mb=1024,
    ),
    # The editors' websockets (API Gateway WebSocket API): each message appends through the same
    # collaboration service as the REST routes, and is posted to the report's other connections.
    ServiceSpec(
        name="report_collab",
        description="Report collaboration over websockets: Yjs updates and presence, told to the other "
        "editors through API Gateway",
        routes=(),
        table=TableAccess.READ_WRITE,
        websocket=True,
        posts_to_sockets=True,
        public_url="site",
        memory_mb=512,
    ),
    ServiceSpec(
        name="compaction",
        description="Merges a run's chunks into one sorted file per stream, and rebuilds each project's "
        "run index (SQS consumer)",
        routes=(),
        table=TableAccess.QUERY,
        # runs/: the project run index (compaction/run_index.py), rebuilt from the runs table.
        # lod/: each compacted metric file's pyramid, written beside it; a replaced file's goes with it.
        read_prefixes=("metrics/", "logs/", "runs/"),
        write_prefixes=("metrics/", "logs/", "runs/", "lod/"),
        # Merged chunks are deleted once the merged file is in place (compaction/compactor.py); readers
        # that listed them retry on a missing object. Nothing tags them.
        delete_prefixes=("metrics/", "logs/", "lod/"),
        list_prefixes=("metrics/", "logs/", "lod/"),
        needs_polars=True,
        memory_mb=2048,
        timeout_s=300,
        ephemeral_mb=2048,
    ),
    ServiceSpec(
        name="reaper",
        description="Marks runs without heartbeats as crashed, purges deleted runs, projects and "
        "teams past their grace period, and expires artifact versions past their TTL (on the schedule "
        "in triggers.py)",
        routes=(),
        # The purge (deletes/purge.py) removes a deletion's items and every lake object under its
        # prefixes, in whichever top-level folder: a project's run data, exports, run index, artifacts.
        table=TableAccess.READ_WRITE,
        delete_prefixes=LAKE_PREFIXES,
        list_prefixes=LAKE_PREFIXES,
        enqueues_compaction=True,
        enqueues_notifications=True,
        # Artifact expiry soft-deletes through ArtifactService, whose manifests are Polars frames.
        needs_polars=True,
        memory_mb=1024,
        timeout_s=120,
    ),
    ServiceSpec(
        name="notify",
        description="Delivers queued notifications: signed webhooks with retries and a delivery log, "
        "email through SES (SQS consumer)",
        routes=(),
        table=TableAccess.GET_PUT,
        enqueues_notifications=True,  # a failed attempt goes back on the queue with its backoff delay
        sends_email=True,
        memory_mb=256,
        # Up to 10 messages a batch, each webhook attempt bounded by 10 s (notifications/delivery.py).
        timeout_s=120,
    ),
)


def route_key(route: str) -> str:
    """The HTTP API route key of one of a ServiceSpec's routes: "ANY path" or "METHOD path"."""
    return route if " " in route else f"ANY {route}"


def service(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(f"no service named {name!r}; known: {', '.join(s.name for s in SERVICES)}")
