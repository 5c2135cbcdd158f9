"""How requests and events reach the functions: routes, environment, triggers, site, analytics, alarms."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match, Template

from infra_cdk.lambda_code import SYNTH_CHECK_MESSAGE
from infra_cdk.services import SERVICES, route_key, service
from infra_cdk.site import SPA_REWRITE_JS
from infra_cdk.triggers import CHUNK_KEY_PATTERNS, REAPER_RATE_MINUTES

REPO_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "lake_schema.json").read_text())


def handler_of(function: dict[str, Any]) -> str | None:
    """A zip function's Handler, or the command of an image function (its handler, too)."""
    props = function["Properties"]
    return props.get("Handler") or (props.get("ImageConfig", {}).get("Command") or [None])[0]


def function_ids_by_service(synth) -> dict[str, str]:
    handlers = {spec.handler: spec.name for spec in SERVICES}
    return {
        handlers[handler]: logical_id
        for logical_id, f in synth.of_type("AWS::Lambda::Function").items()
        if (handler := handler_of(f)) in handlers
    }


def http_api_id(synth) -> str:
    (api_id,) = [
        k
        for k, v in synth.of_type("AWS::ApiGatewayV2::Api").items()
        if v["Properties"]["ProtocolType"] == "HTTP"
    ]
    return api_id


def of_api(synth, cfn_type: str, api_id: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in synth.of_type(cfn_type).items() if v["Properties"]["ApiId"] == {"Ref": api_id}}


def test_one_python_312_x86_64_function_per_service(synth):
    ids = function_ids_by_service(synth)
    assert set(ids) == {
        "identity",
        "runs",
        "artifacts",
        "query",
        "sql",
        "reports",
        "report_export",
        "report_collab",
        "compaction",
        "reaper",
        "notify",
    }
    for name, logical_id in ids.items():
        props = synth.resources[logical_id]["Properties"]
        if service(name).package == "image":
            assert props["PackageType"] == "Image" and "Runtime" not in props
        else:
            assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["x86_64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert handler_of(synth.resources[logical_id]) == f"wanllmdb_functions.handlers.{name}.handler"


def test_functions_get_the_settings_the_code_reads(synth):
    ids = function_ids_by_service(synth)
    api_id = http_api_id(synth)
    distribution = next(iter(synth.of_type("AWS::CloudFront::Distribution")))
    site_url = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
    for name, logical_id in ids.items():
        env: dict[str, Any] = synth.resources[logical_id]["Properties"]["Environment"]["Variables"]
        assert env["WANLLMDB_BACKEND"] == "aws"
        assert env["WANLLMDB_TABLE"]["Ref"].startswith("MetadataTable")
        assert env["WANLLMDB_BUCKET"]["Ref"].startswith("LakeBucket")
        assert env["WANLLMDB_REGION"] == {"Ref": "AWS::Region"}
        assert env["WANLLMDB_COMPACTION_QUEUE_URL"]["Ref"].startswith("CompactionQueue")
        # The socket and the printer are reached through the site: its URL is theirs.
        public = site_url if service(name).public_url == "site" else {"Fn::GetAtt": [api_id, "ApiEndpoint"]}
        assert env["WANLLMDB_PUBLIC_URL"] == public
        assert ("WANLLMDB_COLLAB_CALLBACK_URL" in env) is service(name).posts_to_sockets
        assert env["POWERTOOLS_SERVICE_NAME"] == f"wanllmdb-{name}"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "wanllmdb"
        assert env["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"


def test_every_function_logs_to_a_group_with_retention(synth):
    groups = synth.of_type("AWS::Logs::LogGroup")
    for logical_id in function_ids_by_service(synth).values():
        group_id = synth.resources[logical_id]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group_id]["Properties"]["RetentionInDays"] == 30
    assert all(g["Properties"].get("RetentionInDays") for g in groups.values())


def test_routes_reach_the_function_that_serves_them(synth):
    ids = function_ids_by_service(synth)
    api_id = http_api_id(synth)
    integration_to_service = {}
    for logical_id, integration in of_api(synth, "AWS::ApiGatewayV2::Integration", api_id).items():
        fn = integration["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]
        integration_to_service[logical_id] = next(name for name, fid in ids.items() if fid == fn)
    routed = {}
    for route in of_api(synth, "AWS::ApiGatewayV2::Route", api_id).values():
        target = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
        routed[route["Properties"]["RouteKey"]] = integration_to_service[target]
    expected = {route_key(route): spec.name for spec in SERVICES for route in spec.routes}
    expected["$default"] = "identity"
    assert routed == expected
    # Only the export's GET runs in the Chromium image; every other report route on the zip function.
    assert routed["GET /api/reports/{id}/export"] == "report_export"
    assert routed["ANY /api/reports/{proxy+}"] == "reports"
    # The query routes are more specific than the runs catch-all, so API Gateway prefers them.
    assert routed["ANY /api/runs/{id}/metrics"] == "query"
    assert routed["ANY /api/runs/{proxy+}"] == "runs"
    assert routed["ANY /api/runs/{id}/artifacts"] == "artifacts"


def _gateway_match(method: str, path: str) -> str:
    """The service API Gateway picks for a request: a literal segment beats a {variable}, which beats
    a greedy {proxy+}, and for one path a route of the request's method beats ANY; nothing matching
    goes to $default (identity)."""

    def score(route: str) -> tuple[int, ...] | None:
        parts, segments = route.strip("/").split("/"), path.strip("/").split("/")
        ranks: list[int] = []
        for i, part in enumerate(parts):
            if part.endswith("+}"):
                return (*ranks, 0) if len(segments) > i else None
            if i >= len(segments) or (not part.startswith("{") and part != segments[i]):
                return None
            ranks.append(1 if part.startswith("{") else 2)
        return tuple(ranks) if len(parts) == len(segments) else None

    scored = []
    for spec in SERVICES:
        for route in map(route_key, spec.routes):
            route_method, route_path = route.split(" ", 1)
            if route_method in ("ANY", method) and (s := score(route_path)) is not None:
                scored.append(((*s, route_method != "ANY"), spec.name))
    return max(scored)[1] if scored else "identity"


def test_every_route_a_function_serves_is_routed_to_it():
    # A route added to a function's app but not to its ServiceSpec would reach another function in
    # AWS (or none): the local server would pass every test while the deployed API 404s.
    import importlib
    import re

    from tests.functions.routes_of_app import mounted_api_routes

    for name in ("identity", "runs", "artifacts", "query", "sql", "reports", "report_export"):
        app = importlib.import_module(f"wanllmdb_functions.handlers.{name}").app
        # Each app documents itself; in AWS the identity function (the $default route) answers for all.
        docs = {app.openapi_url, app.docs_url}
        routes = {(method, path) for method, path in mounted_api_routes(app) if path not in docs}
        assert routes, f"the {name} function serves no routes"
        for method, path in routes:
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            assert _gateway_match(method, concrete) == name, f"{method} {path} is served by {name}"


def test_api_is_throttled_logged_and_cors_enabled(synth):
    api_id = http_api_id(synth)
    (stage,) = [s["Properties"] for s in of_api(synth, "AWS::ApiGatewayV2::Stage", api_id).values()]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 400, "ThrottlingRateLimit": 200}
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"requestId", "status", "routeKey", "integrationError"} <= set(log_format)
    assert stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0].startswith("HttpApiAccessLogs")
    cors = synth.resources[api_id]["Properties"]["CorsConfiguration"]
    assert "Authorization" in cors["AllowHeaders"]
    assert cors["AllowOrigins"] == ["*"]


def test_chunk_uploads_feed_the_compaction_queue_with_a_dlq(synth):
    rules = synth.of_type("AWS::Events::Rule")
    (chunk_rule,) = [r for r in rules.values() if "EventPattern" in r["Properties"]]
    pattern = chunk_rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.s3"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"wildcard": p} for p in CHUNK_KEY_PATTERNS]
    (target,) = chunk_rule["Properties"]["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0].startswith("CompactionQueue")
    queue = synth.resources[target["Arn"]["Fn::GetAtt"][0]]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].startswith("CompactionDeadLetters")
    assert queue["VisibilityTimeout"] == 6 * service("compaction").timeout_s
    (mapping,) = [
        m["Properties"]
        for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == target["Arn"]["Fn::GetAtt"][0]
    ]
    assert mapping["FunctionName"]["Ref"] == function_ids_by_service(synth)["compaction"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_chunk_patterns_match_the_schema_layout_and_not_compacted_output():
    import fnmatch

    fields = {"project": "p1", "run": "r1", "stream": "history", "attempt": 0, "seq": 3}
    formats = [f for f in REPO_SCHEMA["chunk_formats"] if not f.startswith("$")]
    names = [(name, fmt) for fmt in formats for name in ("metric_chunk", "log_chunk")]
    for (name, fmt), pattern in zip(names, CHUNK_KEY_PATTERNS, strict=True):
        spec = REPO_SCHEMA["chunk_formats"][fmt]
        folder, _, file_name = REPO_SCHEMA["layout"][name].format(**fields).rpartition("/")
        key = f"{folder}/{spec.get('name_prefix', '')}{file_name.removesuffix('.parquet')}{spec['suffix']}"
        assert fnmatch.fnmatchcase(key, pattern), (key, pattern)
        compacted = key.rsplit("/", 1)[0] + "/compact-a0000s000000003.parquet"
        assert not fnmatch.fnmatchcase(compacted, pattern)


def test_notifications_are_queued_for_the_notify_function_with_a_dlq(synth):
    queues = synth.of_type("AWS::SQS::Queue")
    queue_id = next(q for q in queues if q.startswith("NotificationsQueue"))
    queue = queues[queue_id]["Properties"]
    assert queue["VisibilityTimeout"] == 6 * service("notify").timeout_s
    assert queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0].startswith(
        "NotificationsDeadLetters"
    )
    (mapping,) = [
        m["Properties"]
        for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == queue_id
    ]
    assert mapping["FunctionName"]["Ref"] == function_ids_by_service(synth)["notify"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for function in synth.of_type("AWS::Lambda::Function").values():
        env = function["Properties"].get("Environment", {}).get("Variables", {})
        if "WANLLMDB_BACKEND" in env:
            assert env["WANLLMDB_NOTIFICATION_QUEUE_URL"]["Ref"] == queue_id
            assert env["WANLLMDB_EMAIL_FROM"] == "ml-alerts@example.com"


def test_reaper_runs_on_the_one_stated_rate(synth):
    rules = synth.of_type("AWS::Events::Rule")
    (schedule,) = [r for r in rules.values() if "ScheduleExpression" in r["Properties"]]
    unit = "minute" if REAPER_RATE_MINUTES == 1 else "minutes"
    assert schedule["Properties"]["ScheduleExpression"] == f"rate({REAPER_RATE_MINUTES} {unit})"
    (target,) = schedule["Properties"]["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0] == function_ids_by_service(synth)["reaper"]


def test_no_other_place_states_the_reapers_rate():
    # The handler and the service table point at REAPER_RATE_MINUTES instead of repeating a number
    # that drifts (the handler once said every minute while the stack said every 5).
    from wanllmdb_functions.handlers import reaper

    assert "REAPER_RATE_MINUTES" in (reaper.__doc__ or "")
    for text in (reaper.__doc__ or "", service("reaper").description):
        assert not re.search(r"\bevery (\d+ )?minutes?\b|rate\(", text), text


def test_site_is_private_behind_cloudfront_with_api_passthrough(synth):
    config = synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    assert synth.one("AWS::CloudFront::OriginAccessControl")
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    assert "OriginAccessControlId" in s3_origin
    (api_behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    api_origin = next(o for o in config["Origins"] if o["Id"] == api_behavior["TargetOriginId"])
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert {"POST", "PATCH", "DELETE"} <= set(api_behavior["AllowedMethods"])
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["Logging"]["Prefix"] == "cloudfront/"


def test_spa_fallback_rewrites_routes_without_hiding_api_errors(synth):
    config = synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    # Distribution-wide error responses would turn the API's JSON 403/404 into index.html.
    assert "CustomErrorResponses" not in config
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert all("FunctionAssociations" not in behavior for behavior in config["CacheBehaviors"])
    assert synth.one("AWS::CloudFront::Function")["Properties"]["FunctionCode"] == SPA_REWRITE_JS


def test_spa_rewrite_logic_keeps_files_and_rewrites_routes():
    # The same rule as the CloudFront Function, evaluated here on sample paths.
    def rewrite(uri: str) -> str:
        return "/index.html" if uri.rfind(".") <= uri.rfind("/") else uri

    assert rewrite("/projects/abc/runs/r1") == "/index.html"
    assert rewrite("/") == "/index.html"
    assert rewrite("/assets/index-3f2a.js") == "/assets/index-3f2a.js"
    assert rewrite("/v1.2/runs") == "/index.html"


def test_web_dist_is_deployed_when_built(synth):
    Template.from_json(synth.template).resource_count_is("Custom::CDKBucketDeployment", 1)


def test_missing_web_dist_skips_deployment_with_a_warning(synth_destroy):
    assert not synth_destroy.of_type("Custom::CDKBucketDeployment")
    warnings = [m for m in synth_destroy.messages if m[0] == "WARNING" and "index.html" in m[2]]
    assert len(warnings) == 1
    assert "make web-build" in warnings[0][2]


def test_glue_tables_take_their_columns_from_the_lake_schema(synth):
    tables = {
        t["Properties"]["TableInput"]["Name"]: t["Properties"]
        for t in synth.of_type("AWS::Glue::Table").values()
    }
    metrics = tables["metrics"]["TableInput"]
    columns = [(c["Name"], c["Type"]) for c in metrics["StorageDescriptor"]["Columns"]]
    assert columns == [(c["name"], c["glue"]) for c in REPO_SCHEMA["metric_columns"]]
    assert [p["Name"] for p in metrics["PartitionKeys"]] == ["project", "run", "stream"]
    assert metrics["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    params = metrics["Parameters"]
    assert params["projection.enabled"] == "true"
    assert params["projection.stream.type"] == "enum"
    assert params["projection.stream.values"] == ",".join(REPO_SCHEMA["streams"])
    assert params["projection.project.type"] == params["projection.run.type"] == "injected"
    assert params["storage.location.template"]["Fn::Join"][1][-1] == (
        "/metrics/project=${project}/run=${run}/stream=${stream}/"
    )
    assert metrics["StorageDescriptor"]["Location"]["Fn::Join"][1][-1] == "/metrics/"
    logs = tables["logs"]["TableInput"]
    assert [c["Name"] for c in logs["StorageDescriptor"]["Columns"]] == [
        c["name"] for c in REPO_SCHEMA["log_columns"]
    ]
    # The pyramids beside compacted files (docs/lake.md), partitioned like metrics, outside metrics/.
    lod = tables["lod"]["TableInput"]
    assert [(c["Name"], c["Type"]) for c in lod["StorageDescriptor"]["Columns"]] == [
        (c["name"], c["glue"]) for c in REPO_SCHEMA["lod_columns"]
    ]
    assert [p["Name"] for p in lod["PartitionKeys"]] == ["project", "run", "stream"]
    assert lod["Parameters"]["storage.location.template"]["Fn::Join"][1][-1] == (
        "/lod/project=${project}/run=${run}/stream=${stream}/"
    )
    assert lod["StorageDescriptor"]["Location"]["Fn::Join"][1][-1] == "/lod/"
    # The run index: which run is which, joined to metrics.run by analysts (docs/lake.md).
    runs = tables["runs"]["TableInput"]
    assert [(c["Name"], c["Type"]) for c in runs["StorageDescriptor"]["Columns"]] == [
        (c["name"], c["glue"]) for c in REPO_SCHEMA["run_index_columns"]
    ]
    assert [p["Name"] for p in runs["PartitionKeys"]] == ["project"]
    assert runs["Parameters"]["projection.project.type"] == "injected"
    assert runs["Parameters"]["storage.location.template"]["Fn::Join"][1][-1] == "/runs/project=${project}/"


def test_athena_workgroup_caps_bytes_scanned_and_encrypts_results(synth):
    Template.from_json(synth.template).has_resource_properties(
        "AWS::Athena::WorkGroup",
        {
            "WorkGroupConfiguration": Match.object_like(
                {
                    "BytesScannedCutoffPerQuery": 10 * 1024**3,
                    "EnforceWorkGroupConfiguration": True,
                    "ResultConfiguration": {
                        "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
                        "OutputLocation": Match.any_value(),
                    },
                }
            )
        },
    )


def test_alarms_cover_api_errors_functions_and_dead_letters(synth):
    alarms = synth.of_type("AWS::CloudWatch::Alarm").values()
    metrics = sorted((a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms)
    assert metrics.count(("AWS/Lambda", "Errors")) == len(SERVICES)
    assert metrics.count(("AWS/Lambda", "Throttles")) == len(SERVICES)
    assert ("AWS/ApiGateway", "5xx") in metrics
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in metrics
    assert all(a["Properties"]["AlarmActions"] for a in alarms)


def test_alarm_email_subscribes_to_the_topic(synth, synth_destroy):
    assert not synth.of_type("AWS::SNS::Subscription")
    subscription = synth_destroy.one("AWS::SNS::Subscription")["Properties"]
    assert subscription["Endpoint"] == "ops@example.com"
    assert subscription["Protocol"] == "email"


def test_outputs_name_the_api_site_bucket_table_and_user_pool(synth):
    assert set(synth.template["Outputs"]) == {"ApiUrl", "SiteUrl", "BucketName", "TableName", "UserPoolId"}


def test_synth_check_template_refuses_to_deploy(synth):
    rule = synth.template["Rules"]["RefuseSynthCheckDeploy"]
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": ["synth-check", "bundled"]}  # can never hold
    assert assertion["AssertDescription"] == SYNTH_CHECK_MESSAGE
    assert synth.template["Description"].startswith("SYNTH-CHECK ONLY, NOT DEPLOYABLE")


def test_synth_check_assets_are_the_bare_source_tree(synth):
    # No site-packages were bundled: the asset holds the functions package only.
    asset_dirs = [p for p in synth.outdir.iterdir() if p.name.startswith("asset.") and p.is_dir()]
    function_assets = [p for p in asset_dirs if (p / "wanllmdb_functions").is_dir()]
    assert function_assets
    for asset in function_assets:
        assert not (asset / "fastapi").exists()
        assert not (asset / "polars").exists()
