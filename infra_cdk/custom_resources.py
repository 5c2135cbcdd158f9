"""cdk-nag suppressions for the helper functions CDK itself adds (bucket notifications, auto-delete of
objects, the web deployment). Their code and policies are CDK's, not ours; each reason says why the
finding is acceptable for that helper."""

from __future__ import annotations

from aws_cdk import Stack
from cdk_nag import NagPackSuppression, NagSuppressions

__all__ = ["suppress_cdk_managed_functions"]

_MANAGED_ROLE = NagPackSuppression(
    id="AwsSolutions-IAM4",
    reason="CDK's helper function uses AWSLambdaBasicExecutionRole only to write its own logs.",
    applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
)
_HELPER_RUNTIME = NagPackSuppression(
    id="AwsSolutions-L1",
    reason="The runtime of CDK's helper function is chosen and updated by aws-cdk-lib.",
)

_HELPERS: dict[str, list[NagPackSuppression]] = {
    # Turns on EventBridge delivery for the lake bucket; it must read and write the bucket's
    # notification configuration, an action with no resource-level scoping.
    "BucketNotificationsHandler": [
        _MANAGED_ROLE,
        NagPackSuppression(
            id="AwsSolutions-IAM5",
            reason="s3:PutBucketNotification is granted on '*' by CDK's notifications helper, which only "
            "configures the buckets of this stack.",
            applies_to=["Resource::*"],
        ),
    ],
    # Empties buckets on stack deletion (only where their removal policy is DESTROY).
    "Custom::S3AutoDeleteObjectsCustomResourceProvider": [_MANAGED_ROLE, _HELPER_RUNTIME],
    # Copies web/dist into the site bucket and invalidates CloudFront.
    "Custom::CDKBucketDeployment": [
        _MANAGED_ROLE,
        _HELPER_RUNTIME,
        NagPackSuppression(
            id="AwsSolutions-IAM5",
            reason="CDK's deployment helper reads its asset object and writes every key of the site bucket "
            "(s3:GetObject*/List*/DeleteObject* on the asset and site buckets) and invalidates the "
            "distribution, which has no resource-level scoping.",
        ),
    ],
}


def suppress_cdk_managed_functions(stack: Stack) -> None:
    for child in stack.node.children:
        for prefix, suppressions in _HELPERS.items():
            if child.node.id.startswith(prefix):
                NagSuppressions.add_resource_suppressions(child, suppressions, apply_to_children=True)
