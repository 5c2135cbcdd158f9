"""One Lambda per service, each with its own role holding only what `services.SERVICES` says it needs."""

from __future__ import annotations

from aws_cdk import Duration, Size, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra_cdk.config import TenantConfig
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
    return "".join(part.capitalize() for part in name.split("-"))


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
        login_environment: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._config = config
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
            "WANLLMDB_PUBLIC_URL": public_url,
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
        function = lambda_.Function(
            self,
            name,
            description=f"wanllmdb {spec.name}: {spec.description}",
            runtime=lambda_.Runtime.PYTHON_3_12,
            # x86_64 matches the manylinux2014_x86_64 wheels the bundler installs.
            architecture=lambda_.Architecture.X86_64,
            handler=spec.handler,
            code=service_code(spec, bundle=self._config.bundle),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            ephemeral_storage_size=Size.mebibytes(spec.ephemeral_mb),
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **self._environment,
                **(self._login_environment if spec.name == "identity" else {}),
                "POWERTOOLS_SERVICE_NAME": f"wanllmdb-{spec.name}",
            },
        )
        self._grant(spec, role)
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
        NagSuppressions.add_resource_suppressions(role, suppressions, apply_to_children=True)

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
