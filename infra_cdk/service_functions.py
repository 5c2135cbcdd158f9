"""One Lambda per service, each with its own role holding only what `services.SERVICES` says it needs."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra_cdk.collab_socket import CollabSocketApi
from infra_cdk.config import TenantConfig
from infra_cdk.export_image import image_code
from infra_cdk.lambda_code import service_code
from infra_cdk.log_groups import retained_log_group
from infra_cdk.services import SERVICES, ServiceSpec
from infra_cdk.table import MetadataTable

__all__ = ["ServiceFunctions"]


_PINNED_RUNTIME = (
    "Pinned to python3.12: the bundler installs cp312 manylinux wheels and the functions are tested on "
    "3.12; moving the runtime is a deliberate upgrade, not drift."
)
_PREFIX_SCOPED = (
    "Object actions are scoped to the lake prefixes this function owns (e.g. metrics/*); run and project "
    "ids are data, so the objects under a prefix cannot be enumerated in IAM."
)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


class ServiceFunctions(Construct):
    """The identity, runs, query, compaction and reaper functions, keyed by service name."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: TenantConfig,
        table: MetadataTable,
        lake: s3.IBucket,
        compaction_queue: sqs.IQueue,
        notification_queue: sqs.IQueue,
        public_url: str,
        site_url: str,
        collab_socket: CollabSocketApi,
        login_environment: dict[str, str] | None = None,
        lake_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._config = config
        self._lake_key = lake_key
        self._public_urls = {"api": public_url, "site": site_url}
        self._socket = collab_socket
        self._table = table
        self._lake = lake
        self._queue = compaction_queue
        self._notifications = notification_queue
        self._environment = {
            "WANLLMDB_BACKEND": "aws",
            "WANLLMDB_TABLE": table.table.table_name,
            "WANLLMDB_BUCKET": lake.bucket_name,
            "WANLLMDB_REGION": Stack.of(self).region,
            "WANLLMDB_COMPACTION_QUEUE_URL": compaction_queue.queue_url,
            "WANLLMDB_NOTIFICATION_QUEUE_URL": notification_queue.queue_url,
            **({"WANLLMDB_EMAIL_FROM": config.email_from} if config.email_from else {}),
            "POWERTOOLS_METRICS_NAMESPACE": "wanllmdb",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # Requests carry bearer tokens and responses carry API keys and presigned URLs: keep both out
            # of logs and traces.
            "POWERTOOLS_LOGGER_LOG_EVENT": "false",
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        }
        # Only the identity function serves /api/auth, so only it is told the OIDC settings.
        self._login_environment = login_environment or {}
        self.functions: dict[str, lambda_.Function] = {spec.name: self._function(spec) for spec in SERVICES}

    def _function(self, spec: ServiceSpec) -> lambda_.Function:
        name = _pascal(spec.name)
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"wanllmdb {self._config.tenant} {spec.name} function",
        )
        log_group = retained_log_group(self, f"{name}Logs", config=self._config)
        log_group.grant_write(role)
        options: dict[str, Any] = {
            "description": f"wanllmdb {spec.name}: {spec.description}",
            # x86_64 matches the manylinux2014_x86_64 wheels the bundler installs (and the image's).
            "architecture": lambda_.Architecture.X86_64,
            "memory_size": spec.memory_mb,
            "timeout": Duration.seconds(spec.timeout_s),
            "ephemeral_storage_size": Size.mebibytes(spec.ephemeral_mb),
            "role": role,
            "log_group": log_group,
            "tracing": lambda_.Tracing.ACTIVE,
            "environment": {
                **self._environment,
                "WANLLMDB_PUBLIC_URL": self._public_urls[spec.public_url],
                **(
                    {"WANLLMDB_COLLAB_CALLBACK_URL": self._socket.callback_url}
                    if spec.posts_to_sockets
                    else {}
                ),
                **(self._login_environment if spec.name == "identity" else {}),
                "POWERTOOLS_SERVICE_NAME": f"wanllmdb-{spec.name}",
            },
        }
        function: lambda_.Function
        if spec.package == "image":
            function = lambda_.DockerImageFunction(self, name, code=image_code(spec), **options)
        else:
            function = lambda_.Function(
                self,
                name,
                runtime=lambda_.Runtime.PYTHON_3_12,
                handler=spec.handler,
                code=service_code(spec, bundle=self._config.bundle),
                **options,
            )
        self._grant(spec, role)
        if spec.package == "zip":
            NagSuppressions.add_resource_suppressions(
                function,
                [
                    NagPackSuppression(
                        id="AwsSolutions-L1",
                        reason=_PINNED_RUNTIME,
                    )
                ],
            )
        return function

    def _grant(self, spec: ServiceSpec, role: iam.Role) -> None:
        # Table actions on the exact table and index ARNs only.
        if spec.table is not None:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="MetadataTable",
                    actions=list(spec.table.actions),
                    resources=[self._table.table.table_arn, *self._table.index_arns],
                )
            )
        # No multipart and no tagging: no function calls them (tests/infra/test_iam_used.py).
        object_grants = (
            ("LakeRead", ("s3:GetObject",), spec.read_prefixes),
            ("LakeWrite", ("s3:PutObject",), spec.write_prefixes),
            ("LakeDelete", ("s3:DeleteObject",), spec.delete_prefixes),
        )
        for sid, actions, prefixes in object_grants:
            if prefixes:
                role.add_to_policy(
                    iam.PolicyStatement(
                        sid=sid,
                        actions=list(actions),
                        resources=[self._lake.arn_for_objects(f"{prefix}*") for prefix in prefixes],
                    )
                )
        if self._lake_key is not None:
            self._grant_lake_key(spec, role, self._lake_key)
        if spec.list_prefixes:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="LakeList",
                    actions=["s3:ListBucket"],
                    resources=[self._lake.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in spec.list_prefixes]}},
                )
            )
        if spec.enqueues_compaction:
            # SendMessage alone: grant_send_messages adds GetQueueAttributes and GetQueueUrl, which the
            # notifier never calls (it is given the queue URL).
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="CompactionNotices", actions=["sqs:SendMessage"], resources=[self._queue.queue_arn]
                )
            )
        if spec.enqueues_notifications:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="NotificationDeliveries",
                    actions=["sqs:SendMessage"],
                    resources=[self._notifications.queue_arn],
                )
            )
        if spec.posts_to_sockets:
            self._socket.grant_post_to_connections(role)
        if spec.sends_email and self._config.email_from:
            self._grant_email(role, self._config.email_from)
        suppressions = [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions. No "
                "data action is granted on '*' (tests/infra asserts it).",
                applies_to=["Resource::*"],
            )
        ]
        if spec.read_prefixes or spec.write_prefixes or spec.delete_prefixes:
            suppressions.append(
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason=_PREFIX_SCOPED,
                    applies_to=[RegexAppliesTo(regex=r"/^Resource::<.*LakeBucket.*\.Arn>\/[a-z]+\/\*$/")],
                )
            )
            if self._config.lake_bucket is not None:
                # An imported bucket's ARN is a literal, not a reference to this stack's bucket.
                suppressions.append(
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason=_PREFIX_SCOPED,
                        applies_to=[
                            RegexAppliesTo(
                                regex=rf"/^Resource::arn:<AWS::Partition>:s3:::{self._config.lake_bucket}"
                                r"\/[a-z]+\/\*$/"
                            )
                        ],
                    )
                )
        if spec.posts_to_sockets:
            suppressions.append(
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="Posting to the collaboration socket's connections: API Gateway makes a "
                    "connection's id when it opens, so the grant names this API, its one stage and POST, "
                    "and leaves only the connection id open.",
                    applies_to=[
                        RegexAppliesTo(regex=r"/^Resource::arn:.*:execute-api:.*\/POST\/@connections\/\*$/")
                    ],
                )
            )
        NagSuppressions.add_resource_suppressions(role, suppressions, apply_to_children=True)

    def _grant_lake_key(self, spec: ServiceSpec, role: iam.Role, key: kms.IKey) -> None:
        """The SSE-KMS lake's key, for what the function's object grants need, and only through S3.

        Reading an object decrypts its data key. Writing one (a PutObject, or an upload URL the function
        signs, whose request S3 authorizes as this role) generates a data key, and multipart uploads
        also decrypt it to complete. `kms:ViaService` keeps the key usable only by S3 in this region.
        """
        actions: list[str] = []
        if spec.read_prefixes or spec.write_prefixes:
            actions.append("kms:Decrypt")
        if spec.write_prefixes:
            actions.append("kms:GenerateDataKey")
        if not actions:
            return
        role.add_to_policy(
            iam.PolicyStatement(
                sid="LakeKey",
                actions=actions,
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}},
            )
        )

    def _grant_email(self, role: iam.Role, sender: str) -> None:
        """ses:SendEmail as the one sender only: on its address or its domain identity (SES checks
        whichever is verified), and only with that From address."""
        stack = Stack.of(self)
        identities = [sender, sender.rsplit("@", 1)[1]]
        role.add_to_policy(
            iam.PolicyStatement(
                sid="NotificationEmail",
                actions=["ses:SendEmail"],
                resources=[
                    stack.format_arn(service="ses", resource="identity", resource_name=identity)
                    for identity in identities
                ],
                conditions={"StringEquals": {"ses:FromAddress": sender}},
            )
        )
