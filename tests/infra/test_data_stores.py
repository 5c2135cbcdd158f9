"""The promises the lake bucket and the table make: encryption, no public access, TLS only, recovery."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from infra_cdk.lake import COMPACTED_TAG_KEY


def bucket_by_logical_prefix(synth, prefix: str) -> dict:
    found = [v for k, v in synth.of_type("AWS::S3::Bucket").items() if k.startswith(prefix)]
    assert len(found) == 1, prefix
    return found[0]


def test_every_bucket_blocks_public_access_and_is_encrypted(synth):
    buckets = synth.of_type("AWS::S3::Bucket")
    assert len(buckets) == 4  # lake, access logs, site, Athena results
    template = Template.from_json(synth.template)
    template.all_resources_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
        },
    )


def test_every_bucket_policy_denies_requests_without_tls(synth):
    policies = synth.of_type("AWS::S3::BucketPolicy")
    assert len(policies) == 4
    for name, policy in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        denies = [s for s in statements if s["Effect"] == "Deny" and s["Action"] == "s3:*"]
        conditions = [s["Condition"] for s in denies]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions, name
        assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in conditions, name


def test_lake_bucket_cors_allows_presigned_put_and_get(synth):
    lake = bucket_by_logical_prefix(synth, "LakeBucket")
    (rule,) = lake["Properties"]["CorsConfiguration"]["CorsRules"]
    assert {"PUT", "GET"} <= set(rule["AllowedMethods"])
    assert "ETag" in rule["ExposedHeaders"]


def test_lake_lifecycle_aborts_multipart_and_expires_compacted_chunks(synth):
    rules = {
        r["Id"]: r
        for r in bucket_by_logical_prefix(synth, "LakeBucket")["Properties"]["LifecycleConfiguration"][
            "Rules"
        ]
    }
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 1
    }
    for prefix in ("metrics", "logs"):
        rule = rules[f"expire-compacted-{prefix}-chunks"]
        assert rule["Prefix"] == f"{prefix}/"
        assert rule["TagFilters"] == [{"Key": COMPACTED_TAG_KEY, "Value": "true"}]
        assert rule["ExpirationInDays"] == 7
    # Raw chunks that are not yet compacted are never expired by a prefix-only rule.
    for rule in rules.values():
        if rule.get("Prefix") == "metrics/":
            assert rule.get("TagFilters"), rule["Id"]


def test_lake_sends_events_to_eventbridge_for_compaction(synth):
    notifications = synth.one("Custom::S3BucketNotifications")["Properties"]["NotificationConfiguration"]
    assert notifications == {"EventBridgeConfiguration": {}}


def test_data_is_retained_by_default(synth):
    lake_id = next(k for k in synth.of_type("AWS::S3::Bucket") if k.startswith("LakeBucket"))
    assert synth.resources[lake_id]["DeletionPolicy"] == "Retain"
    table = synth.one("AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_destroy_data_opts_into_deleting_bucket_and_table(synth_destroy):
    lake_id = next(k for k in synth_destroy.of_type("AWS::S3::Bucket") if k.startswith("LakeBucket"))
    assert synth_destroy.resources[lake_id]["DeletionPolicy"] == "Delete"
    table = synth_destroy.one("AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    # Emptied on delete, otherwise CloudFormation cannot remove a non-empty bucket.
    auto_delete = synth_destroy.of_type("Custom::S3AutoDeleteObjects")
    assert any(v["Properties"]["BucketName"] == {"Ref": lake_id} for v in auto_delete.values())


def test_table_has_the_fixed_single_table_keys_and_indexes(synth):
    Template.from_json(synth.template).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": Match.array_with(
                [
                    {"AttributeName": name, "AttributeType": "S"}
                    for name in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
                ]
            ),
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": f"gsi{i}",
                    "KeySchema": [
                        {"AttributeName": f"gsi{i}pk", "KeyType": "HASH"},
                        {"AttributeName": f"gsi{i}sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for i in (1, 2)
            ],
        },
    )


def test_table_is_on_demand_encrypted_recoverable_with_ttl(synth):
    props = synth.one("AWS::DynamoDB::Table")["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
