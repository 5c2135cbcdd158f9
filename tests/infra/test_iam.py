"""Least privilege: each function's role holds only the table actions and lake prefixes it needs."""

from __future__ import annotations

from typing import Any

import pytest

from infra_cdk.services import LAKE_PREFIXES, SERVICES, ServiceSpec, service

# Item- and object-level actions: none of these may ever be granted on "*".
DATA_ACTION_PREFIXES = (
    "dynamodb:",
    "sqs:",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:AbortMultipartUpload",
    "glue:",
    "athena:",
)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(synth, spec: ServiceSpec) -> list[dict[str, Any]]:
    functions = synth.of_type("AWS::Lambda::Function")
    # A zip function names its handler; an image function runs it as its command.
    (function,) = [
        f
        for f in functions.values()
        if (f["Properties"].get("Handler") or f["Properties"].get("ImageConfig", {}).get("Command", [""])[0])
        == spec.handler
    ]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    role = synth.resources[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role, f"{spec.name} role must not use managed policies"
    assert "Policies" not in role
    return statements


def lake_prefix(resource: Any) -> str | None:
    """`{"Fn::Join": ["", [{"Fn::GetAtt": ["LakeBucket…", "Arn"]}, "/metrics/*"]]}` → "metrics/"."""
    if isinstance(resource, dict) and "Fn::Join" in resource:
        head, tail = resource["Fn::Join"][1]
        if head.get("Fn::GetAtt", [""])[0].startswith("LakeBucket") and tail.endswith("*"):
            return tail[1:-1]
    return None


def actions_of(statements: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [s for s in statements if any(a.startswith(prefix) for a in as_list(s["Action"]))]


def test_no_policy_in_the_stack_grants_a_data_action_on_star(synth):
    policies = list(synth.of_type("AWS::IAM::Policy").values())
    policies += [
        p for r in synth.of_type("AWS::IAM::Role").values() for p in r["Properties"].get("Policies", [])
    ]
    checked = 0
    for policy in policies:
        document = (
            policy["Properties"]["PolicyDocument"] if "Properties" in policy else policy["PolicyDocument"]
        )
        for statement in document["Statement"]:
            actions = as_list(statement["Action"])
            if any(a.startswith(DATA_ACTION_PREFIXES) for a in actions):
                checked += 1
                assert "*" not in as_list(statement["Resource"]), statement
                assert not any(a.endswith(":*") for a in actions), statement
    assert checked >= 10


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_table_actions_are_exactly_the_services_on_the_exact_table_and_index_arns(synth, spec):
    if spec.table is None:
        assert actions_of(role_statements(synth, spec), "dynamodb:") == []
        return
    (statement,) = actions_of(role_statements(synth, spec), "dynamodb:")
    assert sorted(as_list(statement["Action"])) == sorted(spec.table.actions)
    assert "dynamodb:Scan" not in statement["Action"]
    table_id = next(iter(synth.of_type("AWS::DynamoDB::Table")))
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    assert statement["Resource"] == [
        table_arn,
        {"Fn::Join": ["", [table_arn, "/index/gsi1"]]},
        {"Fn::Join": ["", [table_arn, "/index/gsi2"]]},
    ]


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_lake_object_actions_are_limited_to_the_services_prefixes(synth, spec):
    statements = actions_of(role_statements(synth, spec), "s3:")
    granted: dict[str, set[str]] = {}
    for statement in statements:
        if statement["Action"] == "s3:ListBucket":
            continue
        for resource in as_list(statement["Resource"]):
            prefix = lake_prefix(resource)
            assert prefix is not None, f"{spec.name}: object action on a non-lake-prefix resource {resource}"
            for action in as_list(statement["Action"]):
                granted.setdefault(action, set()).add(prefix)
    expected: dict[str, set[str]] = {}
    for actions, prefixes in (
        (("s3:GetObject",), spec.read_prefixes),
        (("s3:PutObject",), spec.write_prefixes),
        (("s3:DeleteObject",), spec.delete_prefixes),
    ):
        for action in actions:
            if prefixes:
                expected[action] = set(prefixes)
    assert granted == expected


def test_listing_is_conditioned_on_the_services_prefixes(synth):
    spec = service("artifacts")
    (listing,) = [s for s in role_statements(synth, spec) if s["Action"] == "s3:ListBucket"]
    assert listing["Resource"]["Fn::GetAtt"][0].startswith("LakeBucket")
    assert sorted(listing["Condition"]["StringLike"]["s3:prefix"]) == sorted(
        f"{p}*" for p in spec.list_prefixes
    )


def test_identity_cannot_touch_the_lake_and_the_reaper_may_only_list_and_delete(synth):
    assert actions_of(role_statements(synth, service("identity")), "s3:") == []
    # The reaper purges deleted runs and projects: it removes objects, never reads or writes one.
    reaper = actions_of(role_statements(synth, service("reaper")), "s3:")
    assert {a for st in reaper for a in as_list(st["Action"]) if a.startswith("s3:")} == {
        "s3:DeleteObject",
        "s3:ListBucket",
    }


def _sends_to(synth, spec, queue_prefix: str) -> list:
    return [
        s
        for s in role_statements(synth, spec)
        if "sqs:SendMessage" in as_list(s["Action"])
        and s["Resource"]["Fn::GetAtt"][0].startswith(queue_prefix)
    ]


def test_only_runs_and_reaper_may_enqueue_compaction(synth):
    for spec in SERVICES:
        assert bool(_sends_to(synth, spec, "CompactionQueue")) is spec.enqueues_compaction, spec.name


def test_only_runs_reaper_and_notify_may_queue_notifications_and_send_message_is_all_they_may(synth):
    assert {s.name for s in SERVICES if s.enqueues_notifications} == {"runs", "artifacts", "reaper", "notify"}
    for spec in SERVICES:
        sends = _sends_to(synth, spec, "Notifications")
        assert bool(sends) is spec.enqueues_notifications, spec.name
        assert all(as_list(s["Action"]) == ["sqs:SendMessage"] for s in sends)


def test_only_notify_sends_email_and_only_as_the_configured_sender(synth):
    for spec in SERVICES:
        email = [
            s for s in role_statements(synth, spec) if any(a.startswith("ses:") for a in as_list(s["Action"]))
        ]
        assert bool(email) is (spec.name == "notify"), spec.name
    (statement,) = [
        s for s in role_statements(synth, service("notify")) if "ses:SendEmail" in as_list(s["Action"])
    ]
    assert as_list(statement["Action"]) == ["ses:SendEmail"]
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": "ml-alerts@example.com"}}
    identities = sorted(r["Fn::Join"][1][-1] for r in as_list(statement["Resource"]))
    assert identities == [":identity/example.com", ":identity/ml-alerts@example.com"]


def test_without_a_sender_no_function_may_send_email(synth_destroy):
    for spec in SERVICES:
        actions = {a for s in role_statements(synth_destroy, spec) for a in as_list(s["Action"])}
        assert not {a for a in actions if a.startswith("ses:")}, spec.name


def test_query_reads_the_lake_but_writes_only_exports(synth):
    spec = service("query")
    assert spec.write_prefixes == ("exports/",)
    assert spec.delete_prefixes == ()
    # Its only table writes: an API key's hourly last-use stamp and the audit entry of a POST.
    assert spec.table is not None and spec.table.name == "READ_UPDATE"


def test_sql_runs_alone_and_may_only_read_metrics_and_run_configs(synth):
    spec = service("sql")
    assert spec.routes == ("/api/sql",)
    assert (spec.read_prefixes, spec.write_prefixes, spec.delete_prefixes, spec.list_prefixes) == (
        ("metrics/", "configs/"),
        (),
        (),
        ("metrics/",),
    )
    assert spec.table is not None and spec.table.name == "READ_UPDATE" and not spec.enqueues_compaction
    assert all("/api/sql" not in other.routes for other in SERVICES if other is not spec)
    actions = {a for s in role_statements(synth, spec) for a in as_list(s["Action"])}
    assert not {a for a in actions if a.startswith("s3:") and a not in ("s3:GetObject", "s3:ListBucket")}


def test_every_granted_prefix_is_a_known_lake_prefix():
    for spec in SERVICES:
        granted = {*spec.read_prefixes, *spec.write_prefixes, *spec.delete_prefixes, *spec.list_prefixes}
        assert granted <= set(LAKE_PREFIXES), spec.name


def test_the_reaper_may_delete_every_prefix_a_purge_deletes():
    # The purge's own lists of a run's and a project's prefixes (deletes/purge.py); a prefix missing
    # here would be AccessDenied in AWS. Runs no longer delete run data: a delete is undoable until
    # the reaper purges it.
    from wanllmdb_functions.lake.keys import project_prefixes, run_prefixes

    purged = [*run_prefixes("p1", "r1"), *project_prefixes("p1")]
    top_level = {p.split("/", 1)[0] + "/" for p in purged}
    assert top_level <= set(service("reaper").delete_prefixes)
    assert top_level <= set(service("reaper").list_prefixes)
    assert set(service("artifacts").delete_prefixes) == {"artifacts/"}  # artifact gc only
    assert not service("runs").delete_prefixes
