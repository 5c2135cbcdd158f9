"""The tenant's single DynamoDB table. Key and index names are fixed: the ItemStore adapter uses them."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra_cdk.config import TenantConfig

__all__ = ["GSI_NAMES", "TTL_ATTRIBUTE", "MetadataTable"]

GSI_NAMES = ("gsi1", "gsi2")
TTL_ATTRIBUTE = "ttl"


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class MetadataTable(Construct):
    """Runs, projects, users, keys, grants and audit entries, single-table style."""

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig) -> None:
        super().__init__(scope, id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key("pk"),
            sort_key=_string_key("sk"),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.DESTROY if config.destroy_data else RemovalPolicy.RETAIN,
            # A retained table must not be deletable by a stray console click either.
            deletion_protection=not config.destroy_data,
        )
        for name in GSI_NAMES:
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=_string_key(f"{name}pk"),
                sort_key=_string_key(f"{name}sk"),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.index_arns = [f"{self.table.table_arn}/index/{name}" for name in GSI_NAMES]
