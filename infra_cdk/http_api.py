"""The tenant's HTTP API (API Gateway v2): routes to the service functions, throttling, CORS, access logs."""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.config import TenantConfig
from infra_cdk.log_groups import AccessLogSettings, retained_log_group
from infra_cdk.services import ServiceSpec, route_key

__all__ = ["HttpApi"]

# One JSON line per request, fields from the HTTP API $context.
_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "method": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "path": "$context.path",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
        "userAgent": "$context.identity.userAgent",
    }
)


_IN_APP_AUTH = (
    "Authorization is enforced in the application by one policy function over API keys and session "
    "tokens; /api/health, register and login must stay reachable without one."
)


class HttpApi(Construct):
    """Created before the functions (they need its URL); routes are added once they exist."""

    def __init__(self, scope: Construct, id: str, *, config: TenantConfig) -> None:
        super().__init__(scope, id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=config.stack_name,
            description=f"wanLLMDB API for tenant {config.tenant}",
            create_default_stage=False,
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=list(config.cors_origins),
                allow_methods=[apigwv2.CorsHttpMethod.ANY],
                allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                expose_headers=["ETag"],
                max_age=Duration.hours(1),
            ),
        )
        self.access_logs = retained_log_group(self, "AccessLogs", config=config)
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            # Metrics travel to S3 directly, so this bounds metadata calls only (runs, heartbeats, queries).
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.api_rate_limit, burst_limit=config.api_burst_limit
            ),
            access_log_settings=AccessLogSettings(
                apigwv2.LogGroupLogDestination(self.access_logs), _ACCESS_LOG_FORMAT
            ),
        )
        # The bare domain, for CloudFront's origin and for the functions' WANLLMDB_PUBLIC_URL.
        self.domain_name = (
            f"{self.api.api_id}.execute-api.{Stack.of(self).region}.{Stack.of(self).url_suffix}"
        )
        self.url = self.api.api_endpoint

    def route(self, spec: ServiceSpec, function: lambda_.IFunction, *, default: bool = False) -> None:
        # One invoke permission for the whole API instead of one per route keeps the function's resource
        # policy far from its 20 KB limit.
        integration = integrations.HttpLambdaIntegration(
            f"{spec.name}-integration", function, scope_permission_to_route=False
        )
        for key in map(route_key, spec.routes):
            method, path = key.split(" ", 1)
            routes = self.api.add_routes(
                path=path, methods=[apigwv2.HttpMethod(method)], integration=integration
            )
            for route in routes:
                NagSuppressions.add_resource_suppressions(
                    route,
                    [
                        NagPackSuppression(
                            id="AwsSolutions-APIG4",
                            reason=_IN_APP_AUTH,
                        )
                    ],
                )
        if default:
            # Unknown paths reach the app too, so they answer with the API's JSON error shape.
            route = apigwv2.HttpRoute(
                self,
                "DefaultRoute",
                http_api=self.api,
                route_key=apigwv2.HttpRouteKey.DEFAULT,
                integration=integration,
            )
            NagSuppressions.add_resource_suppressions(
                route,
                [
                    NagPackSuppression(
                        id="AwsSolutions-APIG4",
                        reason="Catch-all that answers 404 in the API's "
                        "error shape; the application authorizes every request.",
                    )
                ],
            )
