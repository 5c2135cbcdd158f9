"""ItemStore on DynamoDB through pynamodb's table connection.

Items have open-ended attributes, which pynamodb's declarative Model cannot express, so this
adapter uses pynamodb's TableConnection with its Path/Condition/Action expression builders.
Encoding: str, bool, None and finite numbers are native DynamoDB types, so conditions and
counters work on them. Lists, dicts and non-finite floats (which DynamoDB rejects) are stored
as Binary holding their JSON: this adapter uses Binary for nothing else.
"""

from __future__ import annotations

import base64
import json
import math
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pynamodb.connection import TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import DeleteError as PynamoDeleteError
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition as PynamoCondition
from pynamodb.expressions.operand import Path, Value

from ..core.errors import ConditionFailed
from ..core.values import now_epoch
from ..ports.item_store import INDEX_ATTRS, INDEXES, Condition, Item, ItemStore, Page, TransactOp
from .aws_retries import TOTAL_ATTEMPTS
from .item_codec import (
    added,
    apply_update,
    check_item,
    check_query,
    decode_cursor,
    decode_json,
    encode_cursor,
    index_keys,
    is_expired,
)

__all__ = ["DynamoItemStore"]


def _encode_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return {"N": repr(value)}
    return {"B": json.dumps(value, allow_nan=True, separators=(",", ":")).encode()}


def _decode_value(raw: dict[str, Any]) -> Any:
    ((kind, value),) = raw.items()
    if kind == "S":
        return value
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "N":
        number = float(value)
        return int(value) if number.is_integer() and not any(c in value for c in ".eE") else number
    if kind == "B":
        data = base64.b64decode(value) if isinstance(value, str) else value
        return decode_json(data)
    raise ValueError(f"unexpected DynamoDB type {kind}")


def _decode_item(raw: dict[str, Any]) -> Item:
    return {name: _decode_value(value) for name, value in raw.items()}


def _condition(condition: Condition | None) -> PynamoCondition | None:
    if condition is None:
        return None
    if condition.kind == "not_exists":
        return Path(["pk"]).does_not_exist()
    if condition.kind == "exists":
        return Path(["pk"]).exists()
    assert condition.attr is not None
    return Path([condition.attr]) == Value(_encode_value(condition.value))


T = TypeVar("T")

# The first pause before trying a write a transaction held up again; it doubles each time, jittered.
_CONFLICT_PAUSE_S = 0.02


def _client_error(exc: Exception) -> ClientError | None:
    cause = getattr(exc, "cause", None) or exc.__cause__
    return cause if isinstance(cause, ClientError) else None


def _cancellation_codes(error: ClientError) -> set[str]:
    """Why each item of a cancelled transaction was refused (pynamodb keeps AWS's list on its error)."""
    return {reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason}


def _is_condition_failure(exc: Exception) -> bool:
    error = _client_error(exc)
    if error is not None:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            codes = _cancellation_codes(error)
            return not codes or "ConditionalCheckFailed" in codes
        return code == "ConditionalCheckFailedException"
    return "ConditionalCheckFailed" in str(exc)


def _is_transaction_conflict(exc: Exception) -> bool:
    """DynamoDB refused the write because another transaction held one of its items: nothing was
    written, and the same write shortly after succeeds. (A failed condition is an answer, not this.)"""
    error = _client_error(exc)
    if error is None:
        return False
    code = error.response.get("Error", {}).get("Code", "")
    if code == "TransactionConflictException":
        return True
    codes = _cancellation_codes(error)
    return (
        code == "TransactionCanceledException"
        and "TransactionConflict" in codes
        and ("ConditionalCheckFailed" not in codes)
    )


def _through_conflicts(write: Callable[[], T]) -> T:
    """`write()`, tried again while transactions on the same items refuse it (concurrent run creates
    each add to their project's counters in their transaction; a heartbeat may meet one on its run)."""
    for attempt in range(TOTAL_ATTEMPTS):
        try:
            return write()
        except PynamoDBException as exc:
            if attempt == TOTAL_ATTEMPTS - 1 or not _is_transaction_conflict(exc):
                raise
        time.sleep(random.uniform(0, _CONFLICT_PAUSE_S * 2**attempt))
    raise AssertionError("unreachable")


def _key_schema(hash_key: str, range_key: str) -> list[dict[str, str]]:
    return [{"AttributeName": hash_key, "KeyType": "HASH"}, {"AttributeName": range_key, "KeyType": "RANGE"}]


def table_description(table_name: str) -> dict[str, Any]:
    """The single table's schema, as DescribeTable would answer: the CDK stack declares the same."""
    return {
        "TableName": table_name,
        "KeySchema": _key_schema("pk", "sk"),
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", *INDEX_ATTRS)
        ],
        "GlobalSecondaryIndexes": [
            {"IndexName": name, "KeySchema": _key_schema(hk, rk), "Projection": {"ProjectionType": "ALL"}}
            for name, (hk, rk) in INDEXES.items()
        ],
    }


class DynamoItemStore(ItemStore):
    def __init__(self, table_name: str, *, region: str, endpoint_url: str | None = None) -> None:
        # The schema is fixed, so pynamodb gets it up front instead of a DescribeTable per cold start.
        # pynamodb's default is botocore's standard mode with 1 + max_retry_attempts tries (4): the
        # functions' one policy instead (aws_retries.py), so a throttled table is ridden out the same way.
        self._table = TableConnection(
            table_name,
            region=region,
            host=endpoint_url,
            max_retry_attempts=TOTAL_ATTEMPTS - 1,
            meta_table=MetaTable(table_description(table_name)),
        )

    def create_table(self) -> None:
        """Create the single table with its indexes (tests and local aws runs; CDK owns it in AWS)."""
        desc = table_description(self._table.table_name)
        self._table.create_table(
            attribute_definitions=desc["AttributeDefinitions"],
            key_schema=desc["KeySchema"],
            global_secondary_indexes=[
                {"index_name": g["IndexName"], "key_schema": g["KeySchema"], "projection": g["Projection"]}
                for g in desc["GlobalSecondaryIndexes"]
            ],
            billing_mode="PAY_PER_REQUEST",
        )

    @staticmethod
    def _attributes(item: Item) -> dict[str, Any]:
        # Index key attributes must be strings or absent; a None there means "not indexed".
        return {
            k: _encode_value(v)
            for k, v in item.items()
            if k not in ("pk", "sk") and not (v is None and k in INDEX_ATTRS)
        }

    def put(self, item: Item, *, condition: Condition | None = None) -> None:
        check_item(item)
        try:
            _through_conflicts(
                lambda: self._table.put_item(
                    item["pk"], item["sk"], attributes=self._attributes(item), condition=_condition(condition)
                )
            )
        except PutError as exc:
            if _is_condition_failure(exc):
                raise ConditionFailed(
                    f"condition {condition.kind if condition else ''} failed",
                    field=condition.attr if condition else None,
                ) from None
            raise

    def get(self, pk: str, sk: str) -> Item | None:
        raw = self._table.get_item(pk, sk, consistent_read=True).get("Item")
        if not raw:
            return None
        item = _decode_item(raw)
        return None if is_expired(item, now_epoch()) else item

    def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> None:
        try:
            _through_conflicts(lambda: self._table.delete_item(pk, sk, condition=_condition(condition)))
        except PynamoDeleteError as exc:
            if _is_condition_failure(exc):
                raise ConditionFailed(
                    "delete condition failed", field=condition.attr if condition else None
                ) from None
            raise

    def update(
        self,
        pk: str,
        sk: str,
        *,
        set_attrs: dict[str, Any] | None = None,
        remove: list[str] | None = None,
        add: dict[str, int | float] | None = None,
        condition: Condition | None = None,
    ) -> Item:
        # Validate the result locally first, so bad input fails the same way on both adapters.
        apply_update(None, pk, sk, set_attrs, remove, None)
        set_attrs = dict(set_attrs or {})
        # Setting an index attribute to None takes the item out of that index (REMOVE, not SET NULL).
        unindex = [k for k in INDEX_ATTRS if k in set_attrs and set_attrs[k] is None]
        for k in unindex:
            del set_attrs[k]
        actions: list[Any] = [Path([k]).set(Value(_encode_value(v))) for k, v in set_attrs.items()]
        actions += [Path([k]).remove() for k in [*(remove or []), *unindex]]
        actions += [Path([k]).add(Value(_encode_value(v))) for k, v in (add or {}).items()]
        if not actions:
            current = self.get(pk, sk)
            if current is None:
                self.put({"pk": pk, "sk": sk}, condition=condition)
                return {"pk": pk, "sk": sk}
            return current
        try:
            result = _through_conflicts(
                lambda: self._table.update_item(
                    pk, sk, actions=actions, condition=_condition(condition), return_values="ALL_NEW"
                )
            )
        except UpdateError as exc:
            if _is_condition_failure(exc):
                raise ConditionFailed(
                    "update condition failed", field=condition.attr if condition else None
                ) from None
            raise
        item = _decode_item(result["Attributes"])
        check_item(item)
        return item

    def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        check_query(pk, sk_prefix, sk_between)
        sk_attr = index_keys(index)[1] if index else "sk"
        key_condition: PynamoCondition | None = None
        if sk_prefix is not None:
            key_condition = Path([sk_attr]).startswith(sk_prefix)
        elif sk_between is not None:
            key_condition = Path([sk_attr]).between(*sk_between)
        start_key = json.loads(decode_cursor(cursor, 1)[0]) if cursor else None
        now = now_epoch()
        items: list[Item] = []
        while True:
            result = self._table.query(
                pk,
                range_key_condition=key_condition,
                index_name=index,
                exclusive_start_key=start_key,
                limit=None if limit is None else limit - len(items),
                scan_index_forward=not descending,
                consistent_read=index is None,
            )
            items += [i for i in map(_decode_item, result.get("Items", [])) if not is_expired(i, now)]
            start_key = result.get("LastEvaluatedKey")
            if start_key is None or (limit is not None and len(items) >= limit):
                break
        next_cursor = encode_cursor([json.dumps(start_key)]) if start_key else None
        return Page(items, next_cursor)

    def transact_write(self, ops: list[TransactOp]) -> None:
        checks: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        puts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for op in ops:
            kwargs: dict[str, Any] = {"condition": _condition(op.condition)}
            if op.action == "put":
                check_item(op.item)
                puts.append(
                    self._table.get_operation_kwargs(
                        op.item["pk"],
                        op.item["sk"],
                        key="Item",
                        attributes=self._attributes(op.item),
                        **kwargs,
                    )
                )
            elif op.action == "delete":
                deletes.append(self._table.get_operation_kwargs(op.item["pk"], op.item["sk"], **kwargs))
            elif op.action == "add":
                actions = [Path([k]).add(Value(_encode_value(v))) for k, v in added(op.item).items()]
                updates.append(
                    self._table.get_operation_kwargs(op.item["pk"], op.item["sk"], actions=actions, **kwargs)
                )
            else:
                checks.append(self._table.get_operation_kwargs(op.item["pk"], op.item["sk"], **kwargs))
        try:
            _through_conflicts(
                lambda: self._table.connection.transact_write_items(
                    condition_check_items=checks, delete_items=deletes, put_items=puts, update_items=updates
                )
            )
        except TransactWriteError as exc:
            if _is_condition_failure(exc):
                raise ConditionFailed("a transaction condition failed; nothing was written") from None
            raise
