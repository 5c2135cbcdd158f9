"""CloudWatch log groups with the tenant's retention, created explicitly so none is kept forever."""

from __future__ import annotations

import jsii
from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra_cdk.config import TenantConfig

__all__ = ["AccessLogSettings", "retained_log_group"]

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
}


def retained_log_group(scope: Construct, id: str, *, config: TenantConfig) -> logs.LogGroup:
    # Operational logs, not tenant data: they go with the stack. Audit entries live in the table.
    return logs.LogGroup(
        scope,
        id,
        retention=_RETENTION[config.log_retention_days],
        removal_policy=RemovalPolicy.DESTROY,
    )


@jsii.implements(apigwv2.IAccessLogSettings)
class AccessLogSettings:
    """An API Gateway v2 stage's access log: where it goes, and its JSON line format."""

    def __init__(self, destination: apigwv2.IAccessLogDestination, format_json: str) -> None:
        self._destination = destination
        self._format = format_json

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(self._format)
