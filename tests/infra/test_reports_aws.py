"""The reports' two AWS-only parts: the export's Chromium container image (only GET .../export runs
there), and the collaboration's WebSocket API, reached through the site, whose function alone (with the
REST reports function) may post to its connections, on its one stage."""

from __future__ import annotations

import json
from typing import Any

from infra_cdk.collab_socket import SOCKET_PATH
from infra_cdk.services import SERVICES, service
from infra_cdk.site import RUNTIME_CONFIG
from tests.infra.test_wiring import function_ids_by_service, http_api_id, of_api


def _socket_api_id(synth) -> str:
    (api_id,) = [
        k
        for k, v in synth.of_type("AWS::ApiGatewayV2::Api").items()
        if v["Properties"]["ProtocolType"] == "WEBSOCKET"
    ]
    return api_id


def _integrated_function(integration: dict[str, Any]) -> str:
    """The logical id of the Lambda an integration invokes (HTTP: GetAtt Arn; WebSocket: in a Join)."""
    uri = integration["Properties"]["IntegrationUri"]
    if "Fn::GetAtt" in uri:
        return str(uri["Fn::GetAtt"][0])
    (arn,) = [part for part in uri["Fn::Join"][1] if isinstance(part, dict) and "Fn::GetAtt" in part]
    return str(arn["Fn::GetAtt"][0])


def _routes_to(synth, api_id: str) -> dict[str, str]:
    """Route key -> the logical id of the function it reaches."""
    integrations = of_api(synth, "AWS::ApiGatewayV2::Integration", api_id)
    return {
        route["Properties"]["RouteKey"]: _integrated_function(
            integrations[route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]]
        )
        for route in of_api(synth, "AWS::ApiGatewayV2::Route", api_id).values()
    }


def test_the_export_runs_from_a_chromium_image_with_room_and_time_to_print(synth):
    spec = service("report_export")
    props = synth.resources[function_ids_by_service(synth)["report_export"]]["Properties"]
    assert props["PackageType"] == "Image"
    assert props["MemorySize"] == spec.memory_mb >= 2048
    # API Gateway's HTTP API waits 30 s for an integration: the function stops before it gives up.
    assert props["Timeout"] == spec.timeout_s < 30
    assert props["EphemeralStorage"] == {"Size": 1024}
    assert props["ImageConfig"] == {"Command": [spec.handler]}


def test_synthesis_only_stages_the_image_context_and_builds_nothing(synth):
    manifest = json.loads(next(synth.outdir.glob("*.assets.json")).read_text())
    (image,) = manifest["dockerImages"].values()
    assert image["source"]["platform"] == "linux/amd64"
    context = synth.outdir / image["source"]["directory"]
    assert {"Dockerfile", "chromium", "requirements.txt", "wanllmdb_functions", "schemas"} <= {
        p.name for p in context.iterdir()
    }
    assert (context / "chromium").stat().st_mode & 0o111  # the launcher runs
    requirements = (context / "requirements.txt").read_text().split()
    assert "websockets>=12" in requirements  # the printer's DevTools client
    assert not [r for r in requirements if r.startswith(("polars", "uvicorn", "numpy", "pyarrow"))]
    assert (context / "wanllmdb_functions" / "handlers" / "report_export.py").is_file()
    assert (context / "schemas" / "report.schema.json").is_file()


def test_only_the_export_route_targets_the_image_function(synth):
    image_function = function_ids_by_service(synth)["report_export"]
    routed = _routes_to(synth, http_api_id(synth))
    assert [key for key, fn in routed.items() if fn == image_function] == ["GET /api/reports/{id}/export"]


def test_the_socket_api_routes_connect_messages_and_disconnect_to_the_collab_function(synth):
    api_id = _socket_api_id(synth)
    collab = function_ids_by_service(synth)["report_collab"]
    assert _routes_to(synth, api_id) == {"$connect": collab, "$default": collab, "$disconnect": collab}
    (stage,) = [s["Properties"] for s in of_api(synth, "AWS::ApiGatewayV2::Stage", api_id).values()]
    assert stage["StageName"] == SOCKET_PATH.strip("/") and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 400, "ThrottlingRateLimit": 200}
    # The handshake carries the session cookie or a bearer token: the access log has no headers or query.
    log_format = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"connectionId", "routeKey", "status"} <= set(log_format)
    assert not [v for v in log_format.values() if "querystring" in v.lower() or "header" in v.lower()]


def _post_statements(synth) -> dict[str, list[dict[str, Any]]]:
    """Role logical id -> its statements that allow execute-api:ManageConnections."""
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in synth.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("execute-api:") for a in actions):
                assert actions == ["execute-api:ManageConnections"], statement
                for role in policy["Properties"]["Roles"]:
                    found.setdefault(role["Ref"], []).append(statement)
    return found


def test_only_the_socket_functions_may_post_and_only_to_connections_of_this_stage(synth):
    posting = _post_statements(synth)
    expected = {s.name for s in SERVICES if s.posts_to_sockets}
    assert expected == {"reports", "report_collab"}
    roles = {
        name: synth.resources[fid]["Properties"]["Role"]["Fn::GetAtt"][0]
        for name, fid in function_ids_by_service(synth).items()
    }
    assert set(posting) == {roles[name] for name in expected}
    api_id = _socket_api_id(synth)
    for statements in posting.values():
        (statement,) = statements
        parts = statement["Resource"]["Fn::Join"][1]
        assert {"Ref": api_id} in parts
        assert parts[-1] == f"{SOCKET_PATH}/POST/@connections/*"


def test_the_site_forwards_the_socket_path_and_tells_the_dashboard_where_it_is(synth):
    config = synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    (behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == SOCKET_PATH]
    origin = next(o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"])
    assert {"Ref": _socket_api_id(synth)} in origin["DomainName"]["Fn::Join"][1]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    # The handshake's cookie, Origin, Sec-WebSocket-* headers and query all go on; nothing is cached.
    assert behavior["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    # runtime-config.json is deployed beside the app: the dashboard opens the socket at the site's path.
    configs = [json.loads(path.read_text()) for path in synth.outdir.glob(f"asset.*/{RUNTIME_CONFIG}")]
    assert configs == [{"collab_ws_url": SOCKET_PATH}]
