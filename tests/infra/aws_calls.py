"""Which AWS actions each Lambda's code really uses, and what its synthesized role really grants.

`AwsCallRecorder` wraps botocore's `BaseClient._emit_api_params`, the one step every API call and
every presigned URL goes through (boto3 and pynamodb clients alike), and records the operation as
the IAM action it needs on the resource it names, tagged with the function being driven.
`granted` reads the same pairs out of a role's policy statements, so the two compare directly.

Resources are coarse on purpose, at the grain the policy is written in: a lake object by its
top-level prefix (`metrics/`), a listing by the top-level prefix it lists, the table or one index,
the compaction queue (`queue`) or the notification queue (`notify-queue`), the SES sender (`identity`),
the collaboration socket's connections (`connections`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AwsCallRecorder", "Use", "granted", "iam_uses"]

# (IAM action, resource): ("s3:GetObject", "metrics/"), ("dynamodb:Query", "index/gsi1"), ...
Use = tuple[str, str]

_S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "DeleteObject": "s3:DeleteObject",
    "PutObjectTagging": "s3:PutObjectTagging",
}
# IAM authorizes each item of a transaction by its own action; a transaction has none of its own.
_TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


def _top(key: str) -> str:
    # A key or prefix without a folder would need a grant on the whole bucket: say so in the report.
    return key.split("/", 1)[0] + "/" if "/" in key else f"<whole bucket: {key!r}>"


def iam_uses(service: str, operation: str, params: dict[str, Any]) -> list[Use]:
    """The IAM (action, resource) pairs one API call (or presigned URL) needs."""
    if service == "s3":
        if operation in ("ListObjectsV2", "ListObjects"):
            return [("s3:ListBucket", _top(params.get("Prefix", "")))]
        if operation == "CopyObject":
            source = params["CopySource"]
            source_key = source["Key"] if isinstance(source, dict) else source.split("/", 1)[1]
            return [("s3:GetObject", _top(source_key)), ("s3:PutObject", _top(params["Key"]))]
        if operation == "DeleteObjects":
            return [("s3:DeleteObject", _top(o["Key"])) for o in params["Delete"]["Objects"]]
        action = _S3_OBJECT_ACTIONS.get(operation, f"s3:{operation}")
        return [(action, _top(params.get("Key", "")))]
    if service == "dynamodb":
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [
                (_TRANSACT_ITEM_ACTIONS[kind], "table") for item in params["TransactItems"] for kind in item
            ]
        if operation in ("Query", "Scan") and params.get("IndexName"):
            return [(f"dynamodb:{operation}", f"index/{params['IndexName']}")]
        return [(f"dynamodb:{operation}", "table")]
    if service == "sqs":
        # The tour names its notification queue so that it says so (tests/infra/test_iam_used.py).
        return [(f"sqs:{operation}", "notify-queue" if "notify" in params.get("QueueUrl", "") else "queue")]
    if service == "ses":
        return [(f"ses:{operation}", "identity")]
    if service == "apigatewaymanagementapi":
        # IAM names one action for the Management API; the tour's socket is the one stage's.
        return [("execute-api:ManageConnections", "connections")]
    return [(f"{service}:{operation}", "?")]


@dataclass
class AwsCallRecorder:
    """Records the IAM uses of every AWS call made while a function is `active`."""

    uses: dict[str, set[Use]] = field(default_factory=lambda: defaultdict(set))
    _active: str | None = None

    @contextmanager
    def active(self, function: str) -> Iterator[None]:
        # A plain attribute, not a contextvar: the query service reads runs on a thread pool.
        self._active = function
        try:
            yield
        finally:
            self._active = None

    @contextmanager
    def installed(self) -> Iterator[AwsCallRecorder]:
        from botocore.client import BaseClient

        original = BaseClient._emit_api_params  # type: ignore[attr-defined]
        recorder = self

        def recording(client: Any, api_params: Any, operation_model: Any, context: Any) -> Any:
            if recorder._active is not None:
                service = client.meta.service_model.service_name
                uses = iam_uses(service, operation_model.name, dict(api_params))
                recorder.uses[recorder._active].update(uses)
            return original(client, api_params, operation_model, context)

        BaseClient._emit_api_params = recording  # type: ignore[attr-defined]
        try:
            yield self
        finally:
            BaseClient._emit_api_params = original  # type: ignore[attr-defined]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resource(resource: Any, statement: dict[str, Any]) -> list[str]:
    """The resource names of one policy resource, in `iam_uses` terms."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        logical_id = resource["Fn::GetAtt"][0]
        if logical_id.startswith("LakeBucket"):  # s3:ListBucket, scoped by its s3:prefix condition
            prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix", [])
            return [p.removesuffix("*") for p in _as_list(prefixes)] or ["<whole bucket>"]
        if logical_id.startswith("MetadataTable"):
            return ["table"]
        if logical_id.startswith("CompactionQueue"):
            return ["queue"]
        if logical_id.startswith("Notifications"):
            return ["notify-queue"]
    if isinstance(resource, dict) and "Fn::Join" in resource:
        parts = resource["Fn::Join"][1]
        if any(isinstance(p, str) and p.startswith(":ses:") for p in parts):
            return ["identity"]
        if ":execute-api:" in parts:
            return ["connections"]
        head, tail = resource["Fn::Join"][1]
        logical_id = head.get("Fn::GetAtt", [""])[0]
        if logical_id.startswith("LakeBucket"):
            return [tail.removeprefix("/").removesuffix("*")]
        if logical_id.startswith("MetadataTable"):
            return [tail.removeprefix("/")]
    return [f"<unrecognized {resource!r}>"]


def granted(statements: list[dict[str, Any]], *, platform: tuple[str, ...]) -> set[Use]:
    """Every (action, resource) the statements allow, leaving out actions of the `platform` services."""
    found: set[Use] = set()
    for statement in statements:
        assert statement.get("Effect", "Allow") == "Allow", statement
        for action in _as_list(statement["Action"]):
            if action.split(":", 1)[0] in platform:
                continue
            for resource in _as_list(statement["Resource"]):
                found.update((action, name) for name in _resource(resource, statement))
    return found
