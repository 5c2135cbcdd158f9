"""Alarms that page on what users would notice: API 5xx, failing or throttled functions, stuck compaction."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.config import TenantConfig

__all__ = ["Alarms"]

_PERIOD = Duration.minutes(5)


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: TenantConfig,
        api: apigwv2.HttpApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letters: sqs.IQueue,
        notification_dead_letters: sqs.IQueue | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(
            self, "Topic", display_name=f"wanLLMDB {config.tenant} alarms", enforce_ssl=True
        )
        NagSuppressions.add_resource_suppressions(
            self.topic,
            [
                NagPackSuppression(
                    id="AwsSolutions-SNS2",
                    reason="Alarm notifications carry only alarm names and states, and CloudWatch cannot "
                    "publish to a topic encrypted with the AWS-managed SNS key.",
                )
            ],
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        # The API promises never to answer 500, so a single one is worth a look.
        self._alarm(
            "Api5xx", api.metric_server_error(period=_PERIOD, statistic="Sum"), "The API answered 5xx"
        )
        for name, function in functions.items():
            self._alarm(
                f"{name.capitalize()}Errors",
                function.metric_errors(period=_PERIOD, statistic="Sum"),
                f"The {name} function raised",
            )
            self._alarm(
                f"{name.capitalize()}Throttles",
                function.metric_throttles(period=_PERIOD, statistic="Sum"),
                f"The {name} function was throttled",
            )
        self._alarm(
            "CompactionDeadLetters",
            dead_letters.metric_approximate_number_of_messages_visible(period=_PERIOD, statistic="Maximum"),
            "Compaction messages failed repeatedly and sit in the dead-letter queue",
        )
        if notification_dead_letters is not None:
            self._alarm(
                "NotificationDeadLetters",
                notification_dead_letters.metric_approximate_number_of_messages_visible(
                    period=_PERIOD, statistic="Maximum"
                ),
                "Notification messages the notify function could not handle sit in the dead-letter queue",
            )

    def _alarm(self, id: str, metric: cloudwatch.IMetric, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
