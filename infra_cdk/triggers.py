"""What starts the background functions: chunk uploads feed compaction, a schedule runs the reaper."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.services import service

__all__ = [
    "CHUNK_KEY_PATTERNS",
    "REAPER_RATE_MINUTES",
    "CompactionQueue",
    "NotificationQueue",
    "ReaperSchedule",
]

# Raw chunks only (schemas/lake_schema.json layout.metric_chunk and layout.log_chunk, in each of its
# chunk_formats, with its name_prefix). Compaction's own output is named differently, so writing it never
# re-triggers compaction.
CHUNK_KEY_PATTERNS = (
    "metrics/*/chunk-*.parquet",
    "logs/*/chunk-*.parquet",
    "metrics/*/_chunk-*.jsonl.gz",
    "logs/*/_chunk-*.jsonl.gz",
)

# How often the reaper runs in AWS: the one place this is stated (the handler's docstring points here).
# A run is crashed between heartbeat_timeout_s and heartbeat_timeout_s + this after its last heartbeat.
REAPER_RATE_MINUTES = 5


def _queue_for(scope: Construct, consumer: str, *, max_receive_count: int) -> tuple[sqs.Queue, sqs.Queue]:
    """An encrypted, TLS-only queue for one Lambda consumer, and its dead-letter queue (kept 14 days)."""
    dead_letters = sqs.Queue(
        scope,
        "DeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    NagSuppressions.add_resource_suppressions(
        dead_letters,
        [NagPackSuppression(id="AwsSolutions-SQS3", reason="This queue is the dead-letter queue.")],
    )
    queue = sqs.Queue(
        scope,
        "Queue",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        # AWS's guidance for Lambda consumers: at least six times the function timeout.
        visibility_timeout=Duration.seconds(6 * service(consumer).timeout_s),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=max_receive_count),
    )
    return queue, dead_letters


class CompactionQueue(Construct):
    """S3 ObjectCreated events for metric chunks → SQS (with a DLQ) → the compaction function.

    The runs and reaper functions also enqueue a message when a run ends, so a finished run is
    compacted without waiting for another chunk.
    """

    def __init__(self, scope: Construct, id: str, *, lake: s3.IBucket) -> None:
        super().__init__(scope, id)
        self.queue, self.dead_letters = _queue_for(self, "compaction", max_receive_count=5)
        # EventBridge rather than a bucket notification: its wildcard matches the chunk file name, which an
        # S3 prefix/suffix filter cannot, so compacted files never feed back into the queue.
        events.Rule(
            self,
            "ChunkCreated",
            description="Metric chunk uploaded to the lake: consider compacting its run",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [lake.bucket_name]},
                    "object": {
                        "key": events.Match.any_of(*(events.Match.wildcard(p) for p in CHUNK_KEY_PATTERNS))
                    },
                },
            ),
            targets=[targets.SqsQueue(self.queue, dead_letter_queue=self.dead_letters, retry_attempts=8)],
        )

    def attach_consumer(self, function: lambda_.IFunction) -> None:
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=10,
                max_batching_window=Duration.seconds(30),
                # A failed run is retried alone; the rest of the batch is not reprocessed.
                report_batch_item_failures=True,
                max_concurrency=10,
            )
        )


class NotificationQueue(Construct):
    """Webhook and email deliveries → SQS (with a DLQ) → the notify function.

    The request that causes a notification only enqueues it, so a slow receiver or SES never slows
    it; the notify function re-enqueues a failed webhook with its backoff as DelaySeconds.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        # Only a message the function cannot handle at all fails; retries of a failing webhook are new
        # messages, so three receives are plenty before the DLQ.
        self.queue, self.dead_letters = _queue_for(self, "notify", max_receive_count=3)

    def attach_consumer(self, function: lambda_.IFunction) -> None:
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=10,
                report_batch_item_failures=True,
                max_concurrency=5,
            )
        )


class ReaperSchedule(Construct):
    """Runs the reaper every `REAPER_RATE_MINUTES` to mark runs without recent heartbeats as crashed
    and to purge deletions past their grace period (a purge cut short resumes on the next run)."""

    def __init__(self, scope: Construct, id: str, *, reaper: lambda_.IFunction) -> None:
        super().__init__(scope, id)
        events.Rule(
            self,
            "Schedule",
            description="Mark stale running runs as crashed",
            schedule=events.Schedule.rate(Duration.minutes(REAPER_RATE_MINUTES)),
            targets=[
                targets.LambdaFunction(
                    # A delivery later than the next run is pointless: that run does the same work.
                    reaper,
                    retry_attempts=2,
                    max_event_age=Duration.minutes(REAPER_RATE_MINUTES),
                )
            ],
        )
