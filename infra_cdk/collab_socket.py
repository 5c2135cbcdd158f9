"""The reports' WebSocket API (API Gateway v2): the editors' live collaboration on AWS.

The browser reaches it through the site, at `wss://<site>/collab-ws` (infra_cdk/site.py forwards that
path here), so the handshake carries the dashboard's session cookie and Origin like any request to
/api: no token in a URL. The stage is named after that path, because CloudFront forwards the viewer's
path as it is and an API Gateway WebSocket stage answers at `/<stage>` alone.

Created before the functions (they are told its callback URL); `attach` routes $connect, $disconnect
and $default to the function that serves them once it exists.
"""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.config import TenantConfig
from infra_cdk.log_groups import AccessLogSettings, retained_log_group

__all__ = ["SOCKET_PATH", "SOCKET_ROUTES", "CollabSocketApi"]

# The site's path of the socket, and so the stage's name.
SOCKET_PATH = "/collab-ws"
SOCKET_ROUTES = ("$connect", "$disconnect", "$default")

# One JSON line per connect, message and disconnect. No query string and no headers: a handshake
# carries the session cookie or a bearer token.
_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "eventType": "$context.eventType",
        "connectionId": "$context.connectionId",
        "status": "$context.status",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
    }
)


class CollabSocketApi(Construct):
    def __init__(self, scope: Construct, id: str, *, config: TenantConfig) -> None:
        super().__init__(scope, id)
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            api_name=f"{config.stack_name}-collab",
            description=f"wanLLMDB report collaboration for tenant {config.tenant}",
        )
        self.access_logs = retained_log_group(self, "AccessLogs", config=config)
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=SOCKET_PATH.strip("/"),
            auto_deploy=True,
            # Each keystroke batch and each presence beat is a message: bound them per tenant as the HTTP
            # API bounds requests.
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.api_rate_limit, burst_limit=config.api_burst_limit
            ),
            access_log_settings=AccessLogSettings(
                apigwv2.LogGroupLogDestination(self.access_logs), _ACCESS_LOG_FORMAT
            ),
        )
        stack = Stack.of(self)
        # The bare domain, for CloudFront's origin.
        self.domain_name = f"{self.api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        # Where the functions post to connections (the Management API of this stage).
        self.callback_url = self.stage.callback_url
        # Posting to connections of this stage, and nothing else of the Management API (no GET or
        # DELETE of a connection: a gone one answers 410 to the post, and its record is dropped).
        self.connections_arn = stack.format_arn(
            service="execute-api",
            resource=self.api.api_id,
            resource_name=f"{self.stage.stage_name}/POST/@connections/*",
        )

    def grant_post_to_connections(self, role: iam.IRole) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="CollabSocketPost",
                actions=["execute-api:ManageConnections"],
                resources=[self.connections_arn],
            )
        )

    def attach(self, function: lambda_.IFunction) -> None:
        for route_key in SOCKET_ROUTES:
            name = route_key.strip("$").capitalize()
            route = self.api.add_route(
                route_key, integration=integrations.WebSocketLambdaIntegration(f"{name}Integration", function)
            )
            NagSuppressions.add_resource_suppressions(
                route,
                [
                    NagPackSuppression(
                        id="AwsSolutions-APIG4",
                        reason="The function authenticates $connect as every API request is (session "
                        "cookie from the site's origin, or a bearer token) and checks report:read; "
                        "later messages resume that caller and are authorized one by one.",
                    )
                ],
                apply_to_children=True,
            )
