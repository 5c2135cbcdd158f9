"""The tenant's S3 buckets: the metric lake and the access-log bucket every other bucket logs into."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import NagSuppressions
from constructs import Construct

from infra_cdk.config import TenantConfig

__all__ = ["COMPACTED_TAG_KEY", "AccessLogBucket", "LakeBucket", "private_bucket"]

# Expires raw chunks tagged as compacted. Nothing tags them today (compaction deletes merged chunks and
# no role may tag), so the rule is inert; kept only until the lifecycle is reviewed with compaction.
COMPACTED_TAG_KEY = "wanllmdb-compacted"
COMPACTED_TAG_VALUE = "true"


def private_bucket(
    scope: Construct,
    id: str,
    *,
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption_key: kms.IKey | None = None,
    **props: Any,
) -> s3.Bucket:
    """A bucket with every public path closed, SSE-S3 encryption and TLS 1.2+ required by policy.

    With `encryption_key`, SSE-KMS with that key instead (the tenant's `-c kms_key`).
    """
    if encryption_key is not None:
        # The S3 Bucket Key cuts KMS requests (and their cost and throttling) to one per bucket and key
        # period instead of one per object.
        props = {
            **props,
            "encryption": s3.BucketEncryption.KMS,
            "encryption_key": encryption_key,
            "bucket_key_enabled": True,
        }
    else:
        # SSE-S3 rather than KMS: presigned PUTs then work for any client without kms:GenerateDataKey.
        props = {**props, "encryption": s3.BucketEncryption.S3_MANAGED}
    return s3.Bucket(
        scope,
        id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        # Adds a bucket policy denying requests without TLS (aws:SecureTransport=false) or below TLS 1.2.
        enforce_ssl=True,
        minimum_tls_version=1.2,
        object_ownership=object_ownership,
        **props,
    )


class AccessLogBucket(Construct):
    """Receives S3 server access logs from the lake, site and Athena buckets, and CloudFront's logs."""

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig) -> None:
        super().__init__(scope, id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            # CloudFront's standard logs are written with ACLs, so this one bucket keeps ACLs enabled.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.DESTROY if config.destroy_data else RemovalPolicy.RETAIN,
            auto_delete_objects=config.destroy_data,
        )
        NagSuppressions.add_resource_suppressions(
            self.bucket,
            [
                {
                    "id": "AwsSolutions-S1",
                    "reason": "This is the access-log destination; logging it into itself would loop.",
                }
            ],
        )


class LakeBucket(Construct):
    """Metric chunks, logs, files, media and exports, written by clients through presigned URLs.

    `-c lake_bucket=name` imports the team's existing bucket instead: the stack then neither creates
    nor configures it (CORS, lifecycle, EventBridge, access logs and its policy are the team's; see
    docs/deploy-aws.md). `-c kms_key=arn` is the lake's SSE-KMS key, as `key`: the functions' grants
    add kms:Decrypt / kms:GenerateDataKey on it (service_functions.py).
    """

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig, access_logs: s3.IBucket) -> None:
        super().__init__(scope, id)
        self.key: kms.IKey | None = (
            kms.Key.from_key_arn(self, "Key", config.kms_key) if config.kms_key is not None else None
        )
        self.bucket: s3.IBucket
        if config.lake_bucket is not None:
            self.bucket = s3.Bucket.from_bucket_attributes(
                self, "Bucket", bucket_name=config.lake_bucket, encryption_key=self.key
            )
            return
        origins = list(config.cors_origins)
        self.bucket = private_bucket(
            self,
            "Bucket",
            encryption_key=self.key,
            # Versioning keeps an overwritten or deleted object for a week: a safety net for a lake that
            # clients write to directly, without unbounded cost.
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="lake/",
            # Browsers upload and download through presigned URLs; multipart uploads need the ETag back.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                    allowed_origins=origins,
                    allowed_headers=["*"],
                    exposed_headers=["ETag"],
                    max_age=3600,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                *(
                    s3.LifecycleRule(
                        id=f"expire-compacted-{prefix.rstrip('/')}-chunks",
                        prefix=prefix,
                        tag_filters={COMPACTED_TAG_KEY: COMPACTED_TAG_VALUE},
                        expiration=Duration.days(config.compacted_chunk_expiry_days),
                    )
                    for prefix in ("metrics/", "logs/")
                ),
                s3.LifecycleRule(id="expire-exports", prefix="exports/", expiration=Duration.days(7)),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(7),
                    expired_object_delete_marker=True,
                ),
            ],
            # Compaction listens to chunk uploads through EventBridge, which can match the chunk file name.
            event_bridge_enabled=True,
            removal_policy=RemovalPolicy.DESTROY if config.destroy_data else RemovalPolicy.RETAIN,
            auto_delete_objects=config.destroy_data,
        )
