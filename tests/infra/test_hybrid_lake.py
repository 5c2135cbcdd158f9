"""Hybrid: the lake in the team's own bucket (`-c lake_bucket`) and/or under its KMS key (`-c kms_key`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import EMAIL_FROM, Synthesized, synthesize
from test_iam import as_list, role_statements

from infra_cdk.config import ConfigError, TenantConfig
from infra_cdk.services import SERVICES

TEAM_BUCKET = "acme-ml-lake"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _config(**context: str) -> TenantConfig:
    return TenantConfig.from_context({"tenant": "acme", **context}.get)


def test_without_context_the_stack_makes_its_own_sse_s3_lake() -> None:
    config = _config()
    assert config.lake_bucket is None and config.kms_key is None


def test_the_bucket_and_key_are_read_from_context() -> None:
    config = _config(lake_bucket=f" {TEAM_BUCKET} ", kms_key=KEY_ARN)
    assert (config.lake_bucket, config.kms_key) == (TEAM_BUCKET, KEY_ARN)


@pytest.mark.parametrize(
    ("context", "words"),
    [
        ({"lake_bucket": f"s3://{TEAM_BUCKET}"}, "lake_bucket: .*give the bare bucket name"),
        ({"lake_bucket": "Acme_Lake"}, "lake_bucket: .*not an S3 bucket name"),
        ({"lake_bucket": "acme.ml.lake"}, "lake_bucket: .*no dots"),
        ({"kms_key": "alias/acme-lake"}, "kms_key: .*not a KMS key ARN.*not an alias"),
        ({"kms_key": "1234abcd-12ab-34cd-56ef-1234567890ab"}, "kms_key: .*not a KMS key ARN"),
    ],
)
def test_a_bad_bucket_or_key_is_refused_naming_the_key(context: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        _config(**context)


@pytest.fixture(scope="module")
def hybrid(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    web_dist = tmp_path_factory.mktemp("web-dist-hybrid")
    (web_dist / "index.html").write_text("<!doctype html><title>wanLLMDB</title>")
    return synthesize(
        tmp_path_factory.mktemp("cdk.out-hybrid"),
        web_dist=web_dist,
        email_from=EMAIL_FROM,
        lake_bucket=TEAM_BUCKET,
        kms_key=KEY_ARN,
    )


@pytest.fixture(scope="module")
def kms_only(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk.out-kms"),
        web_dist=tmp_path_factory.mktemp("empty-web-dist-kms"),
        kms_key=KEY_ARN,
    )


def _lake_buckets(result: Synthesized) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in result.of_type("AWS::S3::Bucket").items() if k.startswith("LakeBucket")}


def _key_statements(result: Synthesized, spec_name: str) -> list[dict[str, Any]]:
    (spec,) = [s for s in SERVICES if s.name == spec_name]
    return [s for s in role_statements(result, spec) if s.get("Sid") == "LakeKey"]


def test_an_existing_bucket_is_used_not_created(hybrid: Synthesized) -> None:
    assert _lake_buckets(hybrid) == {}
    assert hybrid.template["Outputs"]["BucketName"]["Value"] == TEAM_BUCKET
    for function in hybrid.of_type("AWS::Lambda::Function").values():
        env = function["Properties"].get("Environment", {}).get("Variables", {})
        if "WANLLMDB_BUCKET" in env:
            assert env["WANLLMDB_BUCKET"] == TEAM_BUCKET


def test_object_grants_name_the_existing_bucket(hybrid: Synthesized) -> None:
    (runs,) = [s for s in SERVICES if s.name == "runs"]
    lake_statements = [s for s in role_statements(hybrid, runs) if s.get("Sid", "").startswith("Lake")]
    assert {"LakeRead", "LakeWrite", "LakeKey"} <= {s["Sid"] for s in lake_statements}
    for statement in lake_statements:
        if statement["Sid"] != "LakeKey":
            for resource in as_list(statement["Resource"]):
                assert f":s3:::{TEAM_BUCKET}" in json.dumps(resource), statement


@pytest.mark.parametrize("result_name", ["hybrid", "kms_only"])
def test_functions_get_the_key_only_for_what_their_lake_grants_need(
    result_name: str, request: pytest.FixtureRequest
) -> None:
    result: Synthesized = request.getfixturevalue(result_name)
    granted = 0
    for spec in SERVICES:
        statements = _key_statements(result, spec.name)
        expected = set()
        if spec.read_prefixes or spec.write_prefixes:
            expected.add("kms:Decrypt")
        if spec.write_prefixes:
            expected.add("kms:GenerateDataKey")
        if not expected:
            assert statements == [], spec.name
            continue
        (statement,) = statements
        assert set(as_list(statement["Action"])) == expected, spec.name
        assert statement["Resource"] == KEY_ARN
        via = statement["Condition"]["StringEquals"]["kms:ViaService"]
        assert "s3." in str(via) and "amazonaws.com" in str(via)
        granted += 1
    assert granted >= 3


def test_the_created_lake_uses_the_key_with_a_bucket_key(kms_only: Synthesized) -> None:
    (lake,) = _lake_buckets(kms_only).values()
    (rule,) = lake["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}
    assert rule["BucketKeyEnabled"] is True


def test_the_default_lake_stays_sse_s3_with_no_key_grants(synth: Synthesized) -> None:
    (lake,) = _lake_buckets(synth).values()
    (rule,) = lake["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert all(_key_statements(synth, spec.name) == [] for spec in SERVICES)


@pytest.mark.parametrize("result_name", ["hybrid", "kms_only"])
def test_no_unsuppressed_nag_findings(result_name: str, request: pytest.FixtureRequest) -> None:
    result: Synthesized = request.getfixturevalue(result_name)
    assert [r for r in result.nag_rows if r["Compliance"] == "Non-Compliant"] == []
    assert [m for m in result.messages if m[0] == "ERROR"] == []
