"""The AWS adapters ride out throttling (issue 22, part 1): every S3 and DynamoDB call is retried by
botocore's standard mode up to ``TOTAL_ATTEMPTS`` tries (adapters/aws_retries.py), and no further.
DynamoDB's transaction conflicts, which botocore does not retry, the item store tries again itself.

A botocore ``before-send`` hook on the adapters' own clients answers the throttles AWS sends, so the
retry decisions are botocore's real ones; only the backoff sleep is taken out, to keep the test fast.
The stores talk to a moto *server*: under ``mock_aws`` moto's own before-send handler would carry out
every refused request as well (an ADD counted six times), which a throttled AWS call never is.
(tests/e2e/test_faults_at_scale.py runs the same throttles through a server at 10% with real backoff.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto.core.botocore_stubber import MockRawResponse
from pynamodb.exceptions import TransactWriteError

from tests.conftest import unique_name
from wanllmdb_functions.adapters import dynamodb_items
from wanllmdb_functions.adapters.aws_messaging import SqsSender
from wanllmdb_functions.adapters.aws_retries import TOTAL_ATTEMPTS
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.core.errors import ConditionFailed
from wanllmdb_functions.ports import Condition, TransactOp

SLOWDOWN = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
DYNAMO_THROTTLES = (
    "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "com.amazon.coral.availability#ThrottlingException",
)


class Throttle:
    """Refuses the next ``failures`` sends of each call, then lets one through to moto."""

    def __init__(self, service: str, failures: int) -> None:
        self.service = service
        self.failures = failures
        self.sent = 0
        self.refused = 0
        self._streak = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.sent += 1
        if self._streak == self.failures:
            self._streak = 0
            return None  # moto answers
        self._streak += 1
        self.refused += 1
        if self.service == "s3":
            return AWSResponse(
                request.url, 503, {"Content-Type": "application/xml"}, MockRawResponse(SLOWDOWN)
            )
        body = json.dumps({"__type": DYNAMO_THROTTLES[self.refused % 2], "message": "slow down"})
        return AWSResponse(
            request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, MockRawResponse(body.encode())
        )


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.fixture
def aws(session_moto: str) -> str:
    return session_moto


def s3_store(endpoint: str) -> S3BlobStore:
    store = S3BlobStore(unique_name("wl-throttle"), region="us-east-1", endpoint_url=endpoint)
    store.create_bucket()
    return store


def dynamo_store(endpoint: str) -> DynamoItemStore:
    store = DynamoItemStore(unique_name("wl-throttle"), region="us-east-1", endpoint_url=endpoint)
    store.create_table()
    return store


def test_s3_calls_succeed_through_five_slowdowns_each(aws: str) -> None:
    store = s3_store(aws)
    throttle = Throttle("s3", TOTAL_ATTEMPTS - 1)
    store.client.meta.events.register_first("before-send.s3", throttle)
    for i in range(3):
        store.put(f"metrics/k{i}", b"x" * 10)
    assert store.get("metrics/k2") == b"x" * 10
    assert [info.key for info in store.list("metrics/")] == ["metrics/k0", "metrics/k1", "metrics/k2"]
    assert throttle.sent == 5 * TOTAL_ATTEMPTS and throttle.refused == 5 * (TOTAL_ATTEMPTS - 1)


def test_dynamodb_calls_succeed_through_five_throttles_each(aws: str) -> None:
    store = dynamo_store(aws)
    throttle = Throttle("dynamodb", TOTAL_ATTEMPTS - 1)
    store._table.connection.client.meta.events.register_first("before-send.dynamodb", throttle)
    store.put({"pk": "p", "sk": "a", "n": 1})
    store.update("p", "a", add={"n": 1})
    assert store.get("p", "a") == {"pk": "p", "sk": "a", "n": 2}
    assert [i["sk"] for i in store.query("p").items] == ["a"]
    assert throttle.sent == 4 * TOTAL_ATTEMPTS


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_the_retries_are_bounded(aws: str, service: str) -> None:
    """A store that keeps throttling fails the call after TOTAL_ATTEMPTS tries, with AWS's error."""
    throttle = Throttle(service, 10**6)
    if service == "s3":
        s3 = s3_store(aws)
        s3.client.meta.events.register_first("before-send.s3", throttle)
        with pytest.raises(ClientError, match="SlowDown"):
            s3.put("metrics/k", b"x")
    else:
        dynamo = dynamo_store(aws)
        dynamo._table.connection.client.meta.events.register_first("before-send.dynamodb", throttle)
        with pytest.raises(Exception, match=r"Throughput|Throttling"):
            dynamo.put({"pk": "p", "sk": "a"})
    assert throttle.sent == TOTAL_ATTEMPTS


def test_every_aws_client_of_the_functions_has_the_one_retry_policy(aws: str) -> None:
    expected = {"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS}
    assert s3_store(aws).client.meta.config.retries == expected
    assert dynamo_store(aws)._table.connection.client.meta.config.retries == expected
    sqs = SqsSender(f"{aws}/123456789012/q", region="us-east-1", endpoint_url=aws)
    assert sqs.client().meta.config.retries == expected


class Conflicts:
    """Refuses the next `count` sends of one DynamoDB operation as AWS does when another transaction
    holds an item: TransactWriteItems is cancelled with a TransactionConflict reason, a single write
    gets TransactionConflictException. Nothing reaches moto, as nothing is written on AWS."""

    def __init__(self, operation: str, count: int) -> None:
        self.operation, self.count, self.refused = operation, count, 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        target = dict(request.headers).get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not target.endswith("." + self.operation) or self.refused == self.count:
            return None
        self.refused += 1
        if self.operation == "TransactWriteItems":
            body: dict[str, Any] = {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                "[None, TransactionConflict]",
                "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
            }
        else:
            body = {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
                "message": "Transaction is ongoing for the item",
            }
        return AWSResponse(
            request.url, 400, {"Content-Type": "application/x-amz-json-1.0"},
            MockRawResponse(json.dumps(body).encode()),
        )  # fmt: skip


@pytest.fixture
def no_conflict_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamodb_items, "_CONFLICT_PAUSE_S", 0.0)


@pytest.mark.usefixtures("no_conflict_pause")
@pytest.mark.parametrize("operation", ["TransactWriteItems", "UpdateItem"])
def test_a_write_a_transaction_held_up_is_tried_again_and_applied_once(aws: str, operation: str) -> None:
    """Concurrent run creates each add to their project's counters in their own transaction, and
    DynamoDB refuses the later ones while the first holds the project item."""
    store = dynamo_store(aws)
    store.put({"pk": "PROJ", "sk": "p", "runs_running": 0})
    conflicts = Conflicts(operation, TOTAL_ATTEMPTS - 1)
    store._table.connection.client.meta.events.register_first("before-send.dynamodb", conflicts)
    if operation == "TransactWriteItems":
        store.transact_write(
            [
                TransactOp("put", {"pk": "RUN", "sk": "r1"}, Condition.not_exists()),
                TransactOp("add", {"pk": "PROJ", "sk": "p", "runs_running": 1}, Condition.exists()),
            ]
        )
    else:
        store.update("PROJ", "p", add={"runs_running": 1})
    assert conflicts.refused == TOTAL_ATTEMPTS - 1
    assert store.get("PROJ", "p") == {"pk": "PROJ", "sk": "p", "runs_running": 1}


@pytest.mark.usefixtures("no_conflict_pause")
def test_conflicts_are_tried_a_bounded_number_of_times_and_a_failed_condition_not_at_all(aws: str) -> None:
    store = dynamo_store(aws)
    store.put({"pk": "PROJ", "sk": "p", "n": 0})
    conflicts = Conflicts("TransactWriteItems", 10**6)
    store._table.connection.client.meta.events.register_first("before-send.dynamodb", conflicts)
    with pytest.raises(TransactWriteError) as refused:
        store.transact_write([TransactOp("add", {"pk": "PROJ", "sk": "p", "n": 1})])
    assert "TransactionConflict" in {reason.code for reason in refused.value.cancellation_reasons if reason}
    assert conflicts.refused == TOTAL_ATTEMPTS
    store._table.connection.client.meta.events.unregister("before-send.dynamodb", conflicts)
    with pytest.raises(ConditionFailed):  # moto's own refusal: answered at once
        store.transact_write([TransactOp("add", {"pk": "PROJ", "sk": "nope", "n": 1}, Condition.exists())])
    assert store.get("PROJ", "p") == {"pk": "PROJ", "sk": "p", "n": 0}
